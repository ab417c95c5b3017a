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


def _size(body: str) -> str:
    return f"def virtual_prompt_size(num_virtual_tokens, model):\n    {body}\n\n\n"


_SIZE = _size("return num_virtual_tokens * model.config.hidden_size")
_SHORT = _CONFIG + "    task_type=TaskType.SEQ_CLS,\n    num_virtual_tokens=8,\n" + _TEXT_INIT

VARIANTS = [
    mistake(
        "06-tokens-virtuales",
        "causal-lm",
        _SIZE
        + _CONFIG
        + "    task_type=TaskType.CAUSAL_LM,\n    num_virtual_tokens=8,\n"
        + _TEXT_INIT,
        "task_type de modelo de lenguaje (el del tutorial) en un clasificador: la cabeza no se "
        "entrena",
        hint="SEQ_CLS",
    ),
    mistake(
        "06-tokens-virtuales",
        "sin-task-type",
        _SIZE + _CONFIG + "    num_virtual_tokens=8,\n" + _TEXT_INIT,
        "sin task_type: peft no sabe que es un clasificador",
        hint="task_type",
    ),
    mistake(
        "06-tokens-virtuales",
        "veinte-tokens",
        _SIZE
        + _CONFIG
        + "    task_type=TaskType.SEQ_CLS,\n    num_virtual_tokens=20,\n"
        + _TEXT_INIT,
        "deja los 20 tokens de prompt_config",
        hint="num_virtual_tokens",
    ),
    mistake(
        "06-tokens-virtuales",
        "cuenta-la-cabeza",
        _size(
            "hidden, labels = model.config.hidden_size, model.config.num_labels\n"
            "    return num_virtual_tokens * hidden + hidden * labels + labels"
        )
        + _SHORT,
        "cuenta también la cabeza de clasificación",
        hint="sin la cabeza",
    ),
    mistake(
        "06-tokens-virtuales",
        "tokens-no-vectores",
        _size("return num_virtual_tokens") + _SHORT,
        "cuenta tokens en vez de números: cada token virtual es un vector",
        hint="cuenta tokens",
    ),
    mistake(
        "06-tokens-virtuales",
        "numero-del-lab",
        _size("return num_virtual_tokens * 384  # hidden_size de MiniLM") + _SHORT,
        "el hidden_size del modelo del lab escrito a mano: falla con otros modelos",
        hint="otro tamaño",
    ),
    mistake(
        "06-tokens-virtuales",
        "vocabulario",
        _size("return num_virtual_tokens * model.config.vocab_size") + _SHORT,
        "un vector del tamaño del vocabulario por token (confunde el embedding de un token con "
        "la tabla de embeddings)",
        hint="qué parte depende",
    ),
    mistake(
        "06-tokens-virtuales",
        "devuelve-float",
        _size("return num_virtual_tokens * model.config.hidden_size / 1") + _SHORT,
        "devuelve un número con decimales",
        hint="número entero",
    ),
    alternative(
        "06-tokens-virtuales",
        "lambda-y-task-type-texto",
        "virtual_prompt_size = lambda n, model: model.config.hidden_size * n\n"
        'short_prompt_config = PromptTuningConfig(num_virtual_tokens=8, task_type="SEQ_CLS")',
    ),
    alternative(
        "06-tokens-virtuales",
        "embeddings-y-replace",
        "import dataclasses\n\n"
        + _size("return model.get_input_embeddings().embedding_dim * num_virtual_tokens")
        + "short_prompt_config = dataclasses.replace(prompt_config, num_virtual_tokens=8)",
    ),
    mistake(
        "06-longitud-con-prompt",
        "no-resta-el-prompt",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_length",
        "trunca como sin prompt: con max_length al máximo, texto + prompt no caben",
        hint="ocupa una posición",
    ),
    mistake(
        "06-longitud-con-prompt",
        "ignora-max-length",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_positions - num_virtual_tokens",
        "olvida el max_length del perfil: alarga los textos que ya se truncaban más cortos",
        hint="más largo que max_length",
    ),
    mistake(
        "06-longitud-con-prompt",
        "resta-siempre",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return max_length - num_virtual_tokens",
        "resta el prompt siempre, aunque texto + prompt ya quepan",
        hint="más de lo necesario",
    ),
    mistake(
        "06-longitud-con-prompt",
        "resta-cls-sep",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return min(max_length, max_positions - num_virtual_tokens - 2)",
        "descuenta otra vez [CLS] y [SEP], que max_length ya incluye",
        hint="[CLS]",
    ),
    mistake(
        "06-longitud-con-prompt",
        "decimales",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    return min(max_length, max_positions - num_virtual_tokens) * 1.0",
        "devuelve un número con decimales: el tokenizador trunca a un número entero de tokens",
        hint="entero",
    ),
    alternative(
        "06-longitud-con-prompt",
        "con-if",
        "def prompt_max_length(max_length, max_positions, num_virtual_tokens):\n"
        "    room = max_positions - num_virtual_tokens\n"
        "    if max_length <= room:\n"
        "        return max_length\n"
        "    return room",
    ),
    alternative(
        "06-longitud-con-prompt",
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
