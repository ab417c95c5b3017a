"""Comprobaciones del lab 06: prompt tuning."""

from __future__ import annotations

from coursekit.checks import expect, fail, register

#: Modelos de otros tamaños con los que se prueba ``virtual_prompt_size``: (tokens virtuales,
#: hidden_size, clases). Las pruebas ocultas del corrector usan otros.
OTHER_MODEL_CASES = ((5, 48, 3), (12, 32, 5))


def measured_prompt_size(num_virtual_tokens: int, model) -> int:
    """Números entrenables del prompt virtual que peft crea para ``model`` (una copia)."""
    import copy

    from peft import PromptTuningConfig, TaskType, get_peft_model

    config = PromptTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=num_virtual_tokens)
    peft_model = get_peft_model(copy.deepcopy(model), config)
    return sum(p.numel() for p in peft_model.prompt_encoder.parameters())


def _expect_function(function, name: str, arguments: str, *example) -> None:
    """Falla con una pista si ``function`` no es una función que se pueda llamar con
    ``example`` (``arguments`` los nombra para el estudiante)."""
    import inspect

    expect(callable(function), f"{name} debe ser una función de {arguments}.")
    try:
        inspect.signature(function).bind(*example)
    except (TypeError, ValueError):
        fail(f"{name} debe recibir {arguments} (deja la línea def como venía).")


def _is_whole_number(value) -> bool:
    import numbers

    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@register("06-tokens-virtuales")
def _check_virtual_tokens(virtual_prompt_size, config, model) -> str:
    from peft import PromptTuningConfig

    from coursekit.errors import CourseError
    from coursekit.peft_methods import check_peft_config
    from coursekit.toy_models import tiny_bert_classifier

    _expect_function(
        virtual_prompt_size,
        "virtual_prompt_size",
        "dos argumentos (num_virtual_tokens, model)",
        8,
        model,
    )
    expect(
        isinstance(config, PromptTuningConfig),
        "short_prompt_config tiene que ser un peft.PromptTuningConfig.",
    )
    try:
        check_peft_config(model, config)
    except CourseError as error:
        raise AssertionError(str(error)) from None
    if config.num_virtual_tokens != 8:
        fail(f"num_virtual_tokens debe ser 8 (es {config.num_virtual_tokens}).")

    others = [
        (tokens, tiny_bert_classifier(num_labels=labels, hidden_size=hidden))
        for tokens, hidden, labels in OTHER_MODEL_CASES
    ]
    cases = [(20, model), (config.num_virtual_tokens, model), *others]
    answers = [virtual_prompt_size(tokens, m) for tokens, m in cases]
    for answer in answers:
        expect(
            _is_whole_number(answer),
            f"virtual_prompt_size devuelve {answer!r}: tiene que ser un número entero (cuántos "
            "números entrena el prompt).",
        )
    truths = [measured_prompt_size(tokens, m) for tokens, m in cases]
    for (tokens, m), answer, truth in zip(cases, answers, truths, strict=True):
        if answer == truth:
            continue
        head = m.config.hidden_size * m.config.num_labels + m.config.num_labels
        if answer == truth + head:
            fail("cuenta solo el prompt virtual, sin la cabeza de clasificación.")
        if answer == tokens:
            fail(
                "tu función cuenta tokens, pero cada token virtual es un vector de números: "
                "mira en la tabla de arriba cuántos números tienen los 20 tokens del prompt."
            )
        if m is not model and answers[0] == truths[0]:
            fail(
                "con el modelo del lab aciertas, pero no con otro de otro tamaño: la función no "
                "puede llevar escrito a mano un dato de este modelo. ¿Qué valor de model.config "
                "cambia de un modelo a otro?"
            )
        fail(
            f"con {tokens} tokens virtuales tu función no da lo que peft entrena: compara con la "
            "tabla de arriba (el prompt de 20 tokens, sin la cabeza) y busca qué parte depende "
            "de los tokens y qué parte del modelo."
        )
    return (
        f"un prompt de 8 tokens en este modelo son {answers[1]:,} números, y la regla vale para "
        "modelos de otros tamaños."
    )


#: Casos de la comprobación pública: (max_length, max_positions, num_virtual_tokens). Unos
#: no caben con el prompt (hay que acortar), otros ya caben (no se quita nada).
LENGTH_CASES = ((512, 512, 20), (64, 512, 20), (128, 130, 8), (300, 514, 50))


@register("06-longitud-con-prompt")
def _check_prompt_length(prompt_max_length) -> str:
    from coursekit.method_settings import max_length_with_prompt

    _expect_function(
        prompt_max_length,
        "prompt_max_length",
        "tres argumentos (max_length, max_positions, num_virtual_tokens)",
        512,
        512,
        20,
    )
    for max_length, positions, tokens in LENGTH_CASES:
        got = prompt_max_length(max_length, positions, tokens)
        case = (
            f"con max_length={max_length}, max_positions={positions} y num_virtual_tokens={tokens}"
        )
        expect(
            _is_whole_number(got),
            f"{case} devuelves {got!r}: una longitud de truncado es un número entero de tokens.",
        )
        if got + tokens > positions:
            fail(
                f"{case} devuelves {got}: texto y prompt no caben en las posiciones del modelo. "
                "Cada token virtual ocupa una posición, igual que un token del texto."
            )
        if got > max_length:
            fail(
                f"{case} devuelves {got}: más largo que max_length. Sin prompt los textos ya se "
                "truncan a max_length; el prompt nunca los alarga."
            )
        if got < max_length_with_prompt(max_length, positions, tokens):
            fail(
                f"{case} devuelves {got}: truncas más de lo necesario y pierdes texto. Acorta "
                "solo lo que haga falta para que texto + prompt quepan (max_length ya cuenta "
                "[CLS] y [SEP])."
            )
    return (
        "el prompt cabe siempre y los textos no pierden más tokens de los necesarios: con "
        "512 posiciones y 20 tokens virtuales, un texto puede tener hasta "
        f"{prompt_max_length(512, 512, 20)} tokens."
    )
