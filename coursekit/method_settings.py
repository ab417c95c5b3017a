"""Los ajustes de los métodos de los labs 05-07 (una sola fuente para los labs y el benchmark):
tasas de aprendizaje de LoRA y prompt tuning, el ``LoraConfig`` y el ``PromptTuningConfig`` del
curso, el bucle «LLRD» del tutorial original y los seis métodos que compara el lab 07.

La medición en sí (``MethodRun``, ``measure_method``, ``compare_methods``) está en
``coursekit.comparison``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coursekit.comparison import MethodRun
from coursekit.errors import CourseError

#: Tasas de aprendizaje y ajustes de los labs 05-07 (una sola fuente: los labs y el benchmark).
LORA_LEARNING_RATE = 3e-3
PROMPT_LEARNING_RATE = 3e-2
HEAD_LEARNING_RATE = 3e-3
LLRD_DECAY = 0.8
PROMPT_INIT_TEXT = "Is this movie review positive or negative?"
PROMPT_VIRTUAL_TOKENS = 20


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


def course_prompt_tuning_config(tokenizer_path: str):
    """El ``PromptTuningConfig`` del lab 06: 20 tokens virtuales iniciados con un texto."""
    from peft import PromptTuningConfig, PromptTuningInit, TaskType

    return PromptTuningConfig(
        task_type=TaskType.SEQ_CLS,
        num_virtual_tokens=PROMPT_VIRTUAL_TOKENS,
        prompt_tuning_init=PromptTuningInit.TEXT,
        prompt_tuning_init_text=PROMPT_INIT_TEXT,
        tokenizer_name_or_path=tokenizer_path,
    )


def seed_style_freezing(model: Any) -> Any:
    """El bucle que el tutorial original llamaba LLRD: deja entrenables solo los parámetros
    cuyo nombre contiene ``layer.0`` o ``layer.1`` (y congela la cabeza)."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad = "layer.0" in name or "layer.1" in name
    return model


def course_methods(new_classifier: Callable[[], Any], model_path: str, profile: Any):
    """Los seis métodos de la comparación del lab 07, con los ajustes de los labs 05 y 06.

    ``new_classifier()`` crea el clasificador base (cabeza nueva); ``model_path`` da el
    tokenizador para iniciar el prompt con texto.
    """
    from peft import get_peft_model

    from coursekit.optim import llrd_adamw
    from coursekit.peft_methods import check_peft_config, freeze_all_but

    if not callable(new_classifier):
        raise CourseError("new_classifier debe ser la función que crea el clasificador base.")

    def with_peft(config):
        def build():
            model = new_classifier()
            check_peft_config(model, config)
            return get_peft_model(model, config)

        return build

    def frozen_encoder():
        model = new_classifier()
        freeze_all_but(model, ["classifier"])
        return model

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
            with_peft(course_lora_config()),
            LORA_LEARNING_RATE,
            description="r=8 en query y value, más la cabeza",
        ),
        MethodRun(
            "prompt tuning",
            with_peft(course_prompt_tuning_config(model_path)),
            PROMPT_LEARNING_RATE,
            description=f"{PROMPT_VIRTUAL_TOKENS} tokens virtuales (TEXT), más la cabeza",
        ),
        MethodRun(
            "encoder congelado",
            frozen_encoder,
            HEAD_LEARNING_RATE,
            description="solo la cabeza de clasificación",
        ),
        MethodRun(
            "código del tutorial",
            lambda: seed_style_freezing(new_classifier()),
            profile.learning_rate,
            description="capas 0 y 1; cabeza congelada (el bucle «LLRD» original)",
        ),
    ]
