"""Comprobaciones del lab 07: LLRD y la tabla comparativa."""

from __future__ import annotations

import math

from coursekit.checks import expect, fail, register


@register("07-grupos-llrd")
def _check_llrd_groups(param_groups, model, base_lr, decay) -> str:
    from coursekit.optim import depth_label, parameter_depths

    expect(
        isinstance(param_groups, list) and param_groups,
        "param_groups debe ser una lista de diccionarios, uno por grupo.",
    )
    for index, group in enumerate(param_groups):
        if not (isinstance(group, dict) and {"params", "lr"} <= set(group)):
            fail(
                f"el grupo {index} debe ser un diccionario con 'params' (lista de parámetros) "
                "y 'lr'."
            )
    names = {id(p): n for n, p in model.named_parameters()}
    seen: dict[int, int] = {}
    for index, group in enumerate(param_groups):
        for parameter in group["params"]:
            if id(parameter) not in names:
                fail(f"el grupo {index} tiene un tensor que no es un parámetro de `model`.")
            if id(parameter) in seen:
                fail(
                    f"{names[id(parameter)]} está en dos grupos ({seen[id(parameter)]} y {index}): "
                    "cada parámetro debe aparecer una sola vez."
                )
            seen[id(parameter)] = index
    missing = [n for i, n in names.items() if i not in seen]
    if missing:
        fail(
            f"faltan {len(missing)} parámetros, p. ej. {missing[0]}: recorre todas las "
            "profundidades de `depths`, también la cabeza (0) y los embeddings."
        )
    depths = parameter_depths(model)
    num_layers = max(depths.values()) - 1
    by_depth: dict[int, set[float]] = {}
    for parameter_id, index in seen.items():
        by_depth.setdefault(depths[names[parameter_id]], set()).add(param_groups[index]["lr"])
    top, bottom = max(by_depth[0]), max(by_depth[num_layers + 1])
    if top == 0:
        fail(
            "la cabeza (profundidad 0) tiene tasa 0 y no aprendería: la tasa de cada "
            "profundidad es base_lr multiplicada por decay tantas veces como la profundidad, "
            "y decay ** 0 = 1."
        )
    if bottom > top:
        fail(
            "la tasa crece hacia los embeddings: en LLRD la cabeza (profundidad 0) aprende con "
            "base_lr y cada capa hacia abajo con una fracción de la de encima."
        )
    if decay != 1 and len(set().union(*by_depth.values())) == 1:
        fail(
            "todos los parámetros tienen la misma tasa: eso es el fine-tuning completo de "
            "siempre. Cada profundidad necesita su propia tasa, base_lr × decay elevado a la "
            "profundidad."
        )
    for parameter_id, index in seen.items():
        name = names[parameter_id]
        depth = depths[name]
        expected = base_lr * decay**depth
        actual = param_groups[index]["lr"]
        if not math.isclose(actual, expected, rel_tol=1e-9):
            fail(
                f"{name} ({depth_label(depth, num_layers)}, profundidad {depth}) "
                f"tiene lr={actual:.3g} "
                f"y debería tener base_lr * decay ** {depth} = {expected:.3g}."
            )
    return (
        f"{len(param_groups)} grupos; la cabeza aprende a {base_lr:.1e} y los embeddings a "
        f"{base_lr * decay ** (num_layers + 1):.1e}."
    )


@register("07-puntos-sobre-base")
def _check_points_over_baseline(results, baseline_accuracy) -> str:
    column = "puntos sobre la línea base"
    if column not in results.columns:
        fail(f"añade a `results` la columna {column!r}.")
    expected = 100 * (results["exactitud"] - baseline_accuracy)
    actual = results[column]
    try:
        actual = actual.astype(float)
    except (TypeError, ValueError):
        fail(f"la columna {column!r} debe tener números (puntos porcentuales).")

    def same(values) -> bool:
        return bool(((actual - values).abs() < 1e-6).all())

    if same(expected):
        best = expected.idxmax()
        return f"el que más mejora es «{best}» (+{expected.max():.1f} puntos)."
    if same(expected / 100):
        fail("multiplica por 100: un punto es una centésima de exactitud.")
    if same(-expected):
        fail(
            "el signo está al revés: un método que acierta más que la clase mayoritaria debe "
            "dar puntos positivos."
        )
    if same(100 * results["exactitud"] / baseline_accuracy) or same(
        results["exactitud"] / baseline_accuracy
    ):
        fail(
            "eso es un cociente (cuántas veces la línea base); los puntos son una diferencia "
            "de exactitudes, en puntos porcentuales."
        )
    if baseline_accuracy and same(expected / baseline_accuracy):
        fail(
            "eso es una mejora relativa (dividida por la línea base); los puntos porcentuales "
            "son la diferencia de exactitudes sin dividir."
        )
    if "F1 macro" in results.columns and same(100 * (results["F1 macro"] - baseline_accuracy)):
        fail(
            "la línea base es una exactitud: compárala con la exactitud de cada método, no con "
            "su F1 macro."
        )
    fail(
        "cada valor es la exactitud del método menos la de la línea base, en puntos "
        "porcentuales: positivo si el método supera a la clase mayoritaria."
    )
