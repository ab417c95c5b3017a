"""Variantes del lab 06 (prompt tuning).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``), sin ejecutar el notebook entero.
"""

from __future__ import annotations

from functools import cache

from mutants.spec import alternative, mistake

_CONFIG = "short_prompt_config = PromptTuningConfig(\n"
_TEXT_INIT = (
    "    prompt_tuning_init=PromptTuningInit.TEXT,\n"
    "    prompt_tuning_init_text=PROMPT_TEXT,\n"
    "    tokenizer_name_or_path=model_path,\n"
    ")\n"
)

VARIANTS = [
    mistake(
        "06-tokens-virtuales",
        "causal-lm",
        _CONFIG
        + "    task_type=TaskType.CAUSAL_LM,\n    num_virtual_tokens=8,\n"
        + _TEXT_INIT
        + "prompt_parameters = 8 * hidden",
        "task_type de modelo de lenguaje (el del tutorial) en un clasificador: la cabeza no se "
        "entrena",
        hint="SEQ_CLS",
    ),
    mistake(
        "06-tokens-virtuales",
        "sin-task-type",
        _CONFIG + "    num_virtual_tokens=8,\n" + _TEXT_INIT + "prompt_parameters = 8 * hidden",
        "sin task_type: peft no sabe que es un clasificador",
        hint="task_type",
    ),
    mistake(
        "06-tokens-virtuales",
        "cuenta-la-cabeza",
        _CONFIG
        + "    task_type=TaskType.SEQ_CLS,\n    num_virtual_tokens=8,\n"
        + _TEXT_INIT
        + "labels = model.config.num_labels\n"
        + "prompt_parameters = 8 * hidden + hidden * labels + labels",
        "cuenta también la cabeza de clasificación",
        hint="sin la cabeza",
    ),
    mistake(
        "06-tokens-virtuales",
        "tokens-no-vectores",
        _CONFIG
        + "    task_type=TaskType.SEQ_CLS,\n    num_virtual_tokens=8,\n"
        + _TEXT_INIT
        + "prompt_parameters = 8",
        "cuenta tokens en vez de números: cada token virtual es un vector",
        hint="hidden_size",
    ),
    mistake(
        "06-tokens-virtuales",
        "veinte-tokens",
        _CONFIG
        + "    task_type=TaskType.SEQ_CLS,\n    num_virtual_tokens=20,\n"
        + _TEXT_INIT
        + "prompt_parameters = 8 * hidden",
        "deja los 20 tokens de prompt_config",
        hint="num_virtual_tokens",
    ),
    alternative(
        "06-tokens-virtuales",
        "random-y-texto",
        'short_prompt_config = PromptTuningConfig(num_virtual_tokens=8, task_type="SEQ_CLS")\n'
        "prompt_parameters = short_prompt_config.num_virtual_tokens * model.config.hidden_size",
    ),
    alternative(
        "06-tokens-virtuales",
        "replace",
        "import dataclasses\n\n"
        "short_prompt_config = dataclasses.replace(prompt_config, num_virtual_tokens=8)\n"
        "prompt_parameters = hidden * short_prompt_config.num_virtual_tokens",
    ),
    mistake(
        "06-por-que-barato",
        "no-resta-el-prompt",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_length",
        "trunca como sin prompt: con max_length al máximo, texto + prompt no caben",
        hint="ocupa una posición",
    ),
    mistake(
        "06-por-que-barato",
        "ignora-max-length",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_positions - num_virtual_tokens",
        "olvida el max_length del perfil: alarga los textos que ya se truncaban más cortos",
        hint="más largo que max_length",
    ),
    mistake(
        "06-por-que-barato",
        "resta-siempre",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_length - num_virtual_tokens",
        "resta el prompt siempre, aunque texto + prompt ya quepan",
        hint="más de lo necesario",
    ),
    mistake(
        "06-por-que-barato",
        "resta-cls-sep",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return min(max_length, max_positions - num_virtual_tokens - 2)",
        "descuenta otra vez [CLS] y [SEP], que max_length ya incluye",
        hint="[CLS]",
    ),
    mistake(
        "06-por-que-barato",
        "decimales",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return min(max_length, max_positions - num_virtual_tokens) * 1.0",
        "devuelve un número con decimales: el tokenizador trunca a un número entero de tokens",
        hint="entero",
    ),
    alternative(
        "06-por-que-barato",
        "con-if",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    room = max_positions - num_virtual_tokens\n"
        "    if max_length <= room:\n"
        "        return max_length\n"
        "    return room",
    ),
    alternative(
        "06-por-que-barato",
        "numpy",
        "import numpy as np\n\n"
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return np.minimum(max_length, max_positions - num_virtual_tokens)",
    ),
]


@cache
def _shared():
    from peft import PromptTuningConfig, PromptTuningInit, TaskType

    from coursekit.checks import check
    from coursekit.method_settings import course_prompt_tuning_config
    from coursekit.models import load_classifier, resolve_model_name
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    model_path = resolve_model_name(profile)
    model = load_classifier(model_path, ["negativa", "positiva"])
    text = "Is this movie review positive or negative?"
    return {
        "profile": profile,
        "model_path": model_path,
        "model": model,
        "PROMPT_TEXT": text,
        "prompt_config": course_prompt_tuning_config(model_path, text),
        "PromptTuningConfig": PromptTuningConfig,
        "PromptTuningInit": PromptTuningInit,
        "TaskType": TaskType,
        "check": check,
    }


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación."""
    names = dict(_shared())
    # check_peft_config solo lee el modelo: el mismo clasificador sirve para cada variante.
    names["new_classifier"] = lambda: names["model"]
    return names
