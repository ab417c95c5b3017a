"""Comprobaciones del lab 06: prompt tuning."""

from __future__ import annotations

from coursekit.checks import expect, fail, register


@register("06-tokens-virtuales")
def _check_virtual_tokens(config, prompt_parameters, model) -> str:
    from peft import PromptTuningConfig

    from coursekit.errors import CourseError
    from coursekit.peft_methods import check_peft_config

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
    hidden = model.config.hidden_size
    expected = 8 * hidden
    if prompt_parameters == expected + hidden * model.config.num_labels + model.config.num_labels:
        raise AssertionError("cuenta solo el prompt virtual, sin la cabeza de clasificación.")
    if prompt_parameters != expected:
        fail(
            f"prompt_parameters da {prompt_parameters!r}: cada token virtual es un vector de "
            f"hidden_size = {hidden} números."
        )
    return f"8 tokens × {hidden} = {expected:,} números: eso es todo el prompt."


#: Casos de la comprobación pública: (max_length, max_positions, num_virtual_tokens). Unos
#: no caben con el prompt (hay que acortar), otros ya caben (no se quita nada).
LENGTH_CASES = ((512, 512, 20), (64, 512, 20), (128, 130, 8), (300, 514, 50))


@register("06-por-que-barato")
def _check_prompt_length(prompt_max_length) -> str:
    import inspect
    import numbers

    expect(
        callable(prompt_max_length),
        "prompt_max_length debe ser una función (max_length, max_positions, num_virtual_tokens).",
    )
    try:
        inspect.signature(prompt_max_length).bind(512, 512, 20)
    except (TypeError, ValueError):
        fail(
            "prompt_max_length debe recibir tres argumentos: max_length, max_positions y "
            "num_virtual_tokens (deja la línea def como venía)."
        )
    for max_length, positions, tokens in LENGTH_CASES:
        got = prompt_max_length(max_length, positions, tokens)
        case = (
            f"con max_length={max_length}, max_positions={positions} y num_virtual_tokens={tokens}"
        )
        expect(
            isinstance(got, numbers.Integral) and not isinstance(got, bool),
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
        if got < min(max_length, positions - tokens):
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
