"""Los ajustes de los métodos de los labs 05-07 (una sola fuente para los labs y el benchmark):
el ``LoraConfig`` y el ``PromptTuningConfig`` del curso, el texto que inicia el prompt, el bucle
«LLRD» del tutorial original, los seis métodos de ``course_methods`` y los siete que compara el
lab 07 (``lab_comparison_methods``, también la lista por defecto de ``coursekit bench methods``).

Lo que cambia con el modelo o los datos (las tasas de LoRA, prompt tuning y P-tuning, y el
texto del prompt) está en el perfil (``coursekit.profiles``), no aquí.

La medición en sí (``MethodRun``, ``measure_method``, ``compare_methods``) está en
``coursekit.comparison``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from coursekit.comparison import MethodRun
from coursekit.errors import CourseError

#: Ajustes de los labs 05-07 que no dependen del perfil.
HEAD_LEARNING_RATE = 3e-3
LLRD_DECAY = 0.8
PROMPT_VIRTUAL_TOKENS = 20


def prompt_init_text(profile: Any, class_names: Sequence[str]) -> str:
    """El texto que inicia el prompt virtual (lab 06): el del perfil si lo tiene (p. ej. «Is
    this movie review positive or negative?» con las reseñas de cine) y, si no (datos propios),
    una pregunta neutra con los nombres de las clases de los datos."""
    if getattr(profile, "prompt_init_text", None):
        return profile.prompt_init_text
    names = [str(name) for name in class_names]
    if len(names) < 2:
        raise CourseError(
            f"Hacen falta al menos dos clases para el texto del prompt; llegaron {names}."
        )
    return f"Is this text {', '.join(names[:-1])} or {names[-1]}?"


def prompt_schedule_alternative(
    train_size: int, num_epochs: int, profile_train_size: int
) -> tuple[int, int]:
    """Otro reparto de los mismos ejemplos vistos para el «Inténtalo» del lab 06:
    ``(reseñas, épocas)`` con ``reseñas × épocas`` igual (o lo más parecido) a
    ``train_size × num_epochs``.

    Si el prompt tuning usó más reseñas que los demás labs (``quick``: 2000 × 2), propone las de
    los demás labs con más épocas (400 × 10); si usó las mismas (``full``, ``ci`` o tus datos),
    la mitad de reseñas distintas repetidas el doble de épocas (en ``full``, 500 × 12 frente a
    1000 × 6). Así la sugerencia cambia algo en cualquier perfil.
    """
    for name, value in (
        ("train_size", train_size),
        ("num_epochs", num_epochs),
        ("profile_train_size", profile_train_size),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CourseError(f"{name} debe ser un entero positivo; es {value!r}.")
    if train_size > profile_train_size:
        return profile_train_size, max(1, round(train_size * num_epochs / profile_train_size))
    if train_size < 2:
        raise CourseError("Con una sola reseña no hay otro reparto posible: usa más reseñas.")
    return train_size // 2, 2 * num_epochs


def max_length_with_prompt(
    max_length: int, max_positions: int, num_virtual_tokens: int = PROMPT_VIRTUAL_TOKENS
) -> int:
    """Longitud de truncado para que texto + prompt virtual quepan en las ``max_positions``
    posiciones del modelo (``config.max_position_embeddings``), sin truncar más de lo necesario.

    Es la regla del ejercicio 2 del lab 06. El lab 07 y ``coursekit bench methods`` truncan así
    los datos de **todos** los métodos (los mismos textos para cada uno): con ``full``
    (512 tokens) el prompt tuning fallaría en el primer texto largo.
    """
    for name, value in (
        ("max_length", max_length),
        ("max_positions", max_positions),
        ("num_virtual_tokens", num_virtual_tokens),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CourseError(f"{name} debe ser un entero positivo; es {value!r}.")
    if num_virtual_tokens >= max_positions:
        raise CourseError(
            f"Un prompt de {num_virtual_tokens} tokens virtuales no deja sitio al texto en un "
            f"modelo de {max_positions} posiciones: usa menos tokens virtuales."
        )
    return min(max_length, max_positions - num_virtual_tokens)


def course_lora_config():
    """El ``LoraConfig`` del lab 05: r=8 en ``query`` y ``value``, clasificación."""
    from peft import LoraConfig, TaskType

    return LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=8,
        lora_alpha=16,
        lora_dropout=0.1,
        target_modules=["query", "value"],
        bias="none",
    )


def course_prompt_tuning_config(tokenizer_path: str, init_text: str):
    """El ``PromptTuningConfig`` del lab 06: 20 tokens virtuales iniciados con ``init_text``
    (ver :func:`prompt_init_text`)."""
    from peft import PromptTuningConfig, PromptTuningInit, TaskType

    return PromptTuningConfig(
        task_type=TaskType.SEQ_CLS,
        num_virtual_tokens=PROMPT_VIRTUAL_TOKENS,
        prompt_tuning_init=PromptTuningInit.TEXT,
        prompt_tuning_init_text=init_text,
        tokenizer_name_or_path=tokenizer_path,
    )


def tutorial_style_freezing(model: Any) -> Any:
    """El bucle que el tutorial original llamaba LLRD: deja entrenables solo los parámetros
    cuyo nombre contiene ``layer.0`` o ``layer.1`` (y congela la cabeza)."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad = "layer.0" in name or "layer.1" in name
    return model


#: Sufijo del nombre de un método cuando clasifica desde la media de los tokens.
MEAN_POOLING_SUFFIX = " (media)"


def mean_pooling_builder(new_classifier: Callable[[], Any]) -> Callable[[], Any]:
    """Envuelve ``new_classifier`` para que el clasificador que crea clasifique desde la media
    de los vectores de los tokens (``coursekit.pooling.with_mean_pooling``)."""
    from coursekit.pooling import with_mean_pooling

    if not callable(new_classifier):
        raise CourseError("new_classifier debe ser la función que crea el clasificador base.")
    return lambda: with_mean_pooling(new_classifier())


def frozen_encoder_method(new_classifier: Callable[[], Any], pooling: str = "pooler") -> MethodRun:
    """El «codificador congelado» del lab 07: solo se entrena la cabeza (``classifier``), a
    ``HEAD_LEARNING_RATE``. ``pooling="pooler"`` clasifica desde el pooler, como
    ``AutoModelForSequenceClassification`` (en MiniLM, una capa sin entrenar);
    ``pooling="mean"``, desde la media de los tokens, la agrupación con la que se entrenó
    all-MiniLM-L6-v2 (el nombre lleva el sufijo ``MEAN_POOLING_SUFFIX``)."""
    from coursekit.peft_methods import freeze_all_but

    if pooling not in ("pooler", "mean"):
        raise CourseError(f"pooling debe ser 'pooler' o 'mean'; es {pooling!r}.")
    build = mean_pooling_builder(new_classifier) if pooling == "mean" else new_classifier

    def frozen_encoder():
        model = build()
        freeze_all_but(model, ["classifier"])
        return model

    where = "la media de los tokens" if pooling == "mean" else "el pooler"
    return MethodRun(
        "codificador congelado" + (MEAN_POOLING_SUFFIX if pooling == "mean" else ""),
        frozen_encoder,
        HEAD_LEARNING_RATE,
        description=f"solo la cabeza de clasificación, desde {where}",
    )


def course_methods(
    new_classifier: Callable[[], Any],
    model_path: str,
    profile: Any,
    pooling: str = "pooler",
):
    """Los seis métodos de la comparación del lab 07, con los ajustes de los labs 05 y 06
    (las tasas de LoRA y prompt tuning son las del perfil).

    ``new_classifier()`` crea el clasificador base (cabeza nueva); ``model_path`` da el
    tokenizador para iniciar el prompt con texto, que sale de las clases del clasificador
    (``id2label``) cuando el perfil no trae uno. Con ``pooling="mean"`` todos los métodos
    clasifican desde la media de los tokens (``coursekit.pooling``) y sus nombres llevan el
    sufijo ``MEAN_POOLING_SUFFIX``; para añadir solo el codificador congelado con la media a la
    tabla, usa :func:`frozen_encoder_method`.
    """
    from peft import get_peft_model

    from coursekit.optim import llrd_adamw
    from coursekit.peft_methods import check_peft_config

    if not callable(new_classifier):
        raise CourseError("new_classifier debe ser la función que crea el clasificador base.")
    if pooling not in ("pooler", "mean"):
        raise CourseError(f"pooling debe ser 'pooler' o 'mean'; es {pooling!r}.")
    if pooling == "mean":
        methods = course_methods(mean_pooling_builder(new_classifier), model_path, profile)
        for method in methods:
            method.name += MEAN_POOLING_SUFFIX
        return methods

    def with_peft(make_config):
        def build():
            model = new_classifier()
            config = make_config(model)
            check_peft_config(model, config)
            return get_peft_model(model, config)

        return build

    def prompt_config(model):
        id2label = model.config.id2label
        names = [id2label[i] for i in range(model.config.num_labels)]
        return course_prompt_tuning_config(model_path, prompt_init_text(profile, names))

    def llrd_optimizer(model):
        return llrd_adamw(model, profile.learning_rate, LLRD_DECAY, weight_decay=0.01)

    return [
        MethodRun(
            "fine-tuning completo",
            new_classifier,
            profile.learning_rate,
            description="todos los pesos, AdamW con una sola tasa",
        ),
        MethodRun(
            "LLRD",
            new_classifier,
            profile.learning_rate,
            make_optimizer=llrd_optimizer,
            description=f"todos los pesos; tasa × {LLRD_DECAY} por capa hacia abajo",
        ),
        MethodRun(
            "LoRA",
            with_peft(lambda model: course_lora_config()),
            profile.lora_learning_rate,
            description="r=8 en query y value, más la cabeza",
        ),
        MethodRun(
            "prompt tuning",
            with_peft(prompt_config),
            profile.prompt_learning_rate,
            description=f"{PROMPT_VIRTUAL_TOKENS} tokens virtuales (TEXT), más la cabeza",
        ),
        frozen_encoder_method(new_classifier),
        MethodRun(
            "código del tutorial",
            lambda: tutorial_style_freezing(new_classifier()),
            profile.learning_rate,
            description="capas 0 y 1; cabeza congelada (el bucle «LLRD» original)",
        ),
    ]


def lab_comparison_methods(new_classifier: Callable[[], Any], model_path: str, profile: Any):
    """Los siete métodos que compara el lab 07, en su orden: los de :func:`course_methods`
    (desde el pooler) con el prompt tuning desde la media de los tokens (como en el lab 06) y,
    justo después del codificador congelado, el mismo desde la media.

    Es la única definición de esa lista: la usan el lab 07 y, por defecto,
    ``coursekit bench methods`` (la tabla de referencia con varias semillas).
    """
    prompt, frozen = "prompt tuning", "codificador congelado"
    methods = course_methods(new_classifier, model_path, profile)
    mean = {m.name: m for m in course_methods(new_classifier, model_path, profile, pooling="mean")}
    methods = [mean[prompt + MEAN_POOLING_SUFFIX] if m.name == prompt else m for m in methods]
    position = next(i for i, m in enumerate(methods) if m.name == frozen)
    methods.insert(position + 1, frozen_encoder_method(new_classifier, pooling="mean"))
    return methods
