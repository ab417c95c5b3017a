"""Comprobaciones del lab 05: LoRA.

Las pistas nombran la idea que falta (qué matrices añade LoRA, qué más se entrena, sobre qué
total se divide), nunca el número esperado.
"""

from __future__ import annotations

from coursekit.checks import expect, fail, register


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register("05-parametros-a-mano")
def _check_trainable_by_hand(trainable, share, peft_model) -> str:
    expected, total = peft_model.get_nb_trainable_parameters()
    if not _is_int(trainable):
        fail(f"trainable_by_hand debe ser un número entero de parámetros, no {trainable!r}.")
    named = dict(peft_model.named_parameters())
    head = sum(p.numel() for n, p in named.items() if "modules_to_save" in n)
    head_bias = sum(p.numel() for n, p in named.items() if "modules_to_save" in n and "bias" in n)
    lora = expected - head
    if trainable >= total:
        fail(
            "has contado todos los parámetros del modelo: la pregunta es cuántos se entrenan. El "
            "cuerpo preentrenado está congelado; solo cuentan las matrices de LoRA y lo que peft "
            "deja entrenable aparte."
        )
    if trainable == lora:
        fail(
            "te falta algo que también se entrena además de LoRA: mira la lista de tensores "
            "entrenables de arriba (la cabeza de clasificación es nueva y peft la entrena)."
        )
    if trainable == lora // 2 + head or trainable == lora // 2:
        fail(
            "has contado la mitad de lo que añade LoRA: cada módulo adaptado lleva dos matrices, "
            "A y B, con formas distintas (la fórmula de la sección 2), y hay un módulo por capa "
            "y por cada nombre de target_modules."
        )
    if trainable == expected - head_bias:
        fail("en la cabeza falta el sesgo: una capa lineal tiene pesos y un sesgo por salida.")
    if trainable != expected:
        fail(
            "la cuenta no coincide con la de peft. Repasa por partes: cuántos módulos se adaptan "
            "(uno por capa y por nombre de target_modules), cuántos números añade cada uno según "
            "r, d_in y d_out, y qué más se entrena."
        )
    expect(
        isinstance(share, float) and 0 < share < 1,
        "trainable_share es una fracción entre 0 y 1 (no un porcentaje).",
    )
    if not (abs(share - expected / total) < 1e-9):
        fail(
            f"la fracción da {share:.6f}, pero no es entrenables / total del modelo envuelto: el "
            "total incluye el modelo base y también lo que añade peft (LoRA y la copia de la "
            "cabeza)."
        )
    return f"{expected:,} de {total:,} parámetros: el {100 * share:.3f} %."


def lora_parameter_count(peft_model) -> int:
    """Parámetros de las matrices de LoRA (``lora_A``/``lora_B``) de un modelo de peft."""
    return sum(p.numel() for n, p in peft_model.named_parameters() if "lora_" in n)


def adapted_module_names(peft_model) -> set[str]:
    """Nombres cortos de los módulos a los que peft añadió LoRA (``query``, ``value``...)."""
    return {
        name.rsplit(".", 1)[-1]
        for name, module in peft_model.named_modules()
        if hasattr(module, "lora_A") and not name.endswith(("lora_A", "lora_B"))
    }


@register("05-lora-config")
def _check_lora_config(config, reference, model) -> str:
    import copy

    from peft import LoraConfig, get_peft_model

    from coursekit.errors import CourseError
    from coursekit.peft_methods import check_head_trainable, check_peft_config

    expect(isinstance(config, LoraConfig), "my_lora_config tiene que ser un LoraConfig de peft.")
    try:
        check_peft_config(model, config)
    except CourseError as error:
        fail(str(error))
    peft_model = get_peft_model(copy.deepcopy(model), copy.deepcopy(config))
    try:
        check_head_trainable(peft_model)
    except CourseError as error:
        fail(str(error))
    adapted = adapted_module_names(peft_model)
    if adapted != {"query", "key", "value"}:
        fail(
            f"LoRA se aplica a {sorted(adapted)}; el ejercicio pide las tres proyecciones de la "
            "atención que calculan consultas, claves y valores (mira linear_layer_names(model)); "
            "ni más ni menos."
        )
    budget = lora_parameter_count(get_peft_model(copy.deepcopy(model), copy.deepcopy(reference)))
    mine = lora_parameter_count(peft_model)
    if mine > budget:
        fail(
            f"con r={config.r} en tres módulos LoRA añade más parámetros que la configuración de "
            "arriba: cada módulo de hidden a hidden añade 2 · r · hidden por capa; compara tres "
            "módulos con tu r frente a dos con el r de arriba."
        )
    larger = copy.deepcopy(config)
    larger.r = config.r + 1
    if lora_parameter_count(get_peft_model(copy.deepcopy(model), larger)) <= budget:
        fail(
            f"r={config.r} cabe en el presupuesto, pero no es el mayor que cabe: con "
            f"r={config.r + 1} tampoco lo pasarías. Calcula el mayor r con el que tres módulos no "
            "superan a dos con el r de arriba."
        )
    return (
        f"LoRA añadirá {mine:,} parámetros, como mucho los {budget:,} de la configuración de "
        f"arriba: r × módulos por capa es {3 * config.r} frente a {2 * reference.r}."
    )
