"""Pruebas ocultas del lab 06 (prompt tuning). Ver coursekit/instructor/grading/hidden.py.

Las sondas (``probe_*``) se envían al kernel del estudiante: solo llaman a su código y
devuelven datos. Los jueces (``judge_*``) corren fuera y comparan con la referencia.
"""

from __future__ import annotations

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import ListOf, Nullable, Record, Scalar, Text


def hidden_model_cases():
    """Modelos distintos de los de la comprobación pública: (tokens virtuales, hidden_size,
    clases). El primero es el modelo del lab."""
    return ((8, None, None), (3, 24, 4), (15, 40, 3))


def probe_short_config(ns):
    from coursekit.toy_models import tiny_bert_classifier

    config = ns["short_prompt_config"]
    task = getattr(config, "task_type", None)
    init = getattr(config, "prompt_tuning_init", None)
    sizes = []
    for tokens, hidden, labels in hidden_model_cases():
        model = ns["model"] if hidden is None else tiny_bert_classifier(labels, hidden, seed=1)
        got = ns["virtual_prompt_size"](tokens, model)
        got = got.item() if hasattr(got, "item") else got  # enteros de NumPy
        sizes.append({"tokens": tokens, "hidden_size": model.config.hidden_size, "got": got})
    return {
        "type": type(config).__name__,
        "task_type": str(getattr(task, "value", task)),
        "num_virtual_tokens": getattr(config, "num_virtual_tokens", None),
        "init": str(getattr(init, "value", init)),
        "init_text": getattr(config, "prompt_tuning_init_text", None),
        "tokenizer": getattr(config, "tokenizer_name_or_path", None),
        "sizes": sizes,
    }


# Las respuestas pueden tener cualquier tipo simple: el tipo también lo juzga el juez.
SHORT_CONFIG_SCHEMA = Record(
    {
        "type": Text(200),
        "task_type": Text(200),
        "num_virtual_tokens": Scalar(),
        "init": Text(200),
        "init_text": Nullable(Text(2000)),
        "tokenizer": Nullable(Text(2000)),
        "sizes": ListOf(
            Record({"tokens": Scalar(), "hidden_size": Scalar(), "got": Scalar()}),
            max_length=10,
        ),
    }
)


def judge_short_config(seen) -> dict:
    text_init_ready = seen["init"] != "TEXT" or (seen["init_text"] and seen["tokenizer"])
    config_ok = (
        seen["type"] == "PromptTuningConfig"
        and seen["task_type"] == "SEQ_CLS"
        and seen["num_virtual_tokens"] == 8
        and text_init_ready
    )
    # Con task_type SEQ_CLS, peft crea un vector de hidden_size números por token virtual.
    exact = all(
        isinstance(case["got"], int)
        and not isinstance(case["got"], bool)
        and case["got"] == case["tokens"] * case["hidden_size"]
        for case in seen["sizes"]
    )
    return {
        "configuración": None
        if config_ok
        else "short_prompt_config debe ser un PromptTuningConfig de clasificación "
        "(task_type SEQ_CLS) con 8 tokens virtuales y, si se inicia con texto, con el texto y "
        "el tokenizador.",
        "tamaño del prompt": None
        if exact
        else "virtual_prompt_size no da los números del prompt virtual (sin la cabeza) con "
        "otros modelos y otros números de tokens.",
    }


def length_cases():
    """Casos distintos de la comprobación pública: (max_length, max_positions, tokens)."""
    return ((512, 514, 20), (1024, 1024, 30), (256, 512, 100), (200, 220, 20), (100, 110, 20))


def probe_prompt_length(ns):
    answers = []
    for case in length_cases():
        got = ns["prompt_max_length"](*case)
        answers.append(got.item() if hasattr(got, "item") else got)  # enteros de NumPy
    return answers


PROMPT_LENGTH_SCHEMA = ListOf(Scalar(), max_length=10)


def judge_prompt_length(seen) -> dict:
    from coursekit.method_settings import max_length_with_prompt

    cases = length_cases()
    fits = all(
        got + tokens <= positions for got, (_, positions, tokens) in zip(seen, cases, strict=True)
    )
    exact = all(
        isinstance(got, int) and got == max_length_with_prompt(length, positions, tokens)
        for got, (length, positions, tokens) in zip(seen, cases, strict=True)
    )
    return {
        "texto y prompt caben": None
        if fits
        else "con otros modelos y prompts, texto + prompt no siempre caben en las posiciones "
        "del modelo: cada token virtual ocupa una posición.",
        "no trunca de más": None
        if fits and exact
        else "la longitud no es la mayor posible (un número entero de tokens): no pases de "
        "max_length y acorta solo lo necesario para que quepa el prompt.",
    }


LAB_TESTS = LabTests(
    lab="06",
    # Entrenar, evaluar, dibujar y guardar adaptadores solo se muestra: ningún ejercicio
    # depende de ello (ver docs/benchmarks.md, segundos por entrega).
    skip_cells=(
        r"\.train\(",
        r"train_peft\(",
        r"show_progress\(",
        r"save_pretrained\(",
        r"prompt_history\[",
        r"peft_models = \{",  # la elección en validación usa los modelos entrenados
        r"best, tied = tied_with_best\(",
        r"test_output = chosen_trainer\.predict\(",  # la evaluación final en test solo se muestra
    ),
    keep_names=("short_prompt_config", "virtual_prompt_size", "prompt_max_length", "model"),
    tests=(
        HiddenTest(
            "06-tokens-virtuales",
            parts={"configuración": 1, "tamaño del prompt": 1},
            probe=probe_short_config,
            judge=judge_short_config,
            helpers=(hidden_model_cases,),
            schema=SHORT_CONFIG_SCHEMA,
        ),
        HiddenTest(
            "06-longitud-con-prompt",
            parts={"texto y prompt caben": 1, "no trunca de más": 1},
            probe=probe_prompt_length,
            judge=judge_prompt_length,
            helpers=(length_cases,),
            schema=PROMPT_LENGTH_SCHEMA,
        ),
    ),
)
