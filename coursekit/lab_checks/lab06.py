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


@register("06-por-que-barato")
def _check_why_cheapest(lora_parameters, ratio, model, num_virtual_tokens) -> str:
    hidden = model.config.hidden_size
    layers = model.config.num_hidden_layers
    expected_lora = layers * 2 * 8 * (hidden + hidden)
    if lora_parameters == expected_lora // 2:
        raise AssertionError(
            "te falta una de las dos matrices: cada módulo tiene A (r × d_in) y B (d_out × r)."
        )
    if lora_parameters == expected_lora // layers:
        raise AssertionError("LoRA se añade en cada capa: multiplica por num_hidden_layers.")
    if lora_parameters != expected_lora:
        fail(
            f"lora_parameters da {lora_parameters!r} y debería dar {expected_lora:,}: capas × 2 "
            "módulos × r × (d_in + d_out)."
        )
    expected_ratio = expected_lora / (num_virtual_tokens * hidden)
    if not (abs(ratio - expected_ratio) < 1e-9):
        fail(f"ratio da {ratio!r} y debería dar {expected_ratio:.2f} (LoRA / prompt).")
    return (
        f"LoRA entrena {expected_ratio:.1f} veces más parámetros que el prompt, y la diferencia "
        "crece con cada capa del modelo."
    )
