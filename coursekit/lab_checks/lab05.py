"""Comprobaciones del lab 05: LoRA."""

from __future__ import annotations

from coursekit.checks import expect, fail, register


@register("05-parametros-a-mano")
def _check_trainable_by_hand(trainable, share, peft_model) -> str:
    expected, total = peft_model.get_nb_trainable_parameters()
    if not (isinstance(trainable, int) and not isinstance(trainable, bool)):
        fail(f"trainable_by_hand debe ser un número entero de parámetros, no {trainable!r}.")
    head = sum(p.numel() for n, p in peft_model.named_parameters() if "modules_to_save" in n)
    if trainable == expected - head:
        raise AssertionError(
            f"te falta la cabeza de clasificación ({head} parámetros): también se entrena."
        )
    if trainable * 2 == expected - head:
        raise AssertionError(
            "has contado la mitad de LoRA: cada módulo tiene dos matrices, A (r × d_in) y "
            "B (d_out × r)."
        )
    if trainable != expected:
        fail(
            f"da {trainable:,} y peft cuenta {expected:,}. Repasa: capas × módulos × r × "
            "(d_in + d_out), más la cabeza (hidden_size × num_labels + num_labels)."
        )
    expect(
        isinstance(share, float) and 0 < share < 1,
        "trainable_share es una fracción entre 0 y 1 (no un porcentaje).",
    )
    if not (abs(share - expected / total) < 1e-9):
        fail(
            f"la fracción da {share:.6f} y debería dar {expected / total:.6f}: divide entre el "
            "total del modelo envuelto (base_parameters + lo que añade peft)."
        )
    return f"{expected:,} de {total:,} parámetros: el {100 * share:.3f} %."


@register("05-lora-config")
def _check_lora_config(config, model) -> str:
    from peft import LoraConfig

    from coursekit.errors import CourseError
    from coursekit.peft_methods import check_peft_config

    expect(isinstance(config, LoraConfig), "my_lora_config tiene que ser un LoraConfig de peft.")
    try:
        check_peft_config(model, config)
    except CourseError as error:
        raise AssertionError(str(error)) from None
    if config.r != 4:
        fail(f"r debe ser 4 (es {config.r}).")
    targets = config.target_modules
    if not (not isinstance(targets, str) and set(targets or ()) == {"query", "key", "value"}):
        fail(f"target_modules debe ser ['query', 'key', 'value'] (es {targets!r}).")
    hidden = model.config.hidden_size
    layers = model.config.num_hidden_layers
    mine, before = layers * 3 * 4 * 2 * hidden, layers * 2 * 8 * 2 * hidden
    return (
        f"LoRA añadirá {mine:,} parámetros, menos que r=8 en dos módulos ({before:,}): "
        "cuenta r × módulos (12 frente a 16 por capa)."
    )
