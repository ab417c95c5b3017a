"""Variantes del lab 07 (LLRD y la tabla comparativa).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``), sin ejecutar el notebook entero ni entrenar ningún método.
"""

from __future__ import annotations

from functools import cache

from mutants.spec import alternative, mistake

_LOOP = (
    "param_groups = []\n"
    "for depth in sorted(set(depths.values())){slice}:\n"
    "    params = [p for name, p in model.named_parameters() if depths[name] == depth]\n"
    '    param_groups.append({{"params": params, "lr": {lr}}})'
)

VARIANTS = [
    mistake(
        "07-grupos-llrd",
        "al-reves",
        "deepest = max(depths.values())\n"
        + _LOOP.format(slice="", lr="base_lr * decay ** (deepest - depth)"),
        "la tasa decrece desde los embeddings hacia la cabeza (al revés)",
        hint="crece hacia los embeddings",
    ),
    mistake(
        "07-grupos-llrd",
        "sin-embeddings",
        _LOOP.format(slice="[:-1]", lr="base_lr * decay ** depth"),
        "se salta los embeddings (la profundidad más baja)",
        hint="embeddings",
    ),
    mistake(
        "07-grupos-llrd",
        "producto-no-potencia",
        _LOOP.format(slice="", lr="base_lr * decay * depth"),
        "multiplica por la profundidad en vez de elevar decay a la profundidad",
        hint="decay ** 0 = 1",
    ),
    mistake(
        "07-grupos-llrd",
        "una-sola-tasa",
        'param_groups = [{"params": list(model.parameters()), "lr": base_lr}]',
        "un solo grupo con la tasa base: fine-tuning completo, sin LLRD",
        hint="misma tasa",
    ),
    mistake(
        "07-grupos-llrd",
        "solo-capas-del-codificador",
        "param_groups = []\n"
        "for depth in sorted(set(depths.values())):\n"
        "    params = [p for name, p in model.named_parameters()\n"
        '              if depths[name] == depth and "layer." in name]\n'
        "    if params:\n"
        '        param_groups.append({"params": params, "lr": base_lr * decay ** depth})',
        "solo agrupa las capas del codificador: la cabeza y los embeddings no se entrenan",
        hint="la cabeza (0)",
    ),
    alternative(
        "07-grupos-llrd",
        "defaultdict",
        "from collections import defaultdict\n\n"
        "by_depth = defaultdict(list)\n"
        "for name, parameter in model.named_parameters():\n"
        "    by_depth[depths[name]].append(parameter)\n"
        'param_groups = [{"lr": base_lr * decay**d, "params": ps}\n'
        "                for d, ps in sorted(by_depth.items())]",
    ),
    alternative(
        "07-grupos-llrd",
        "coursekit",
        "from coursekit.optim import layerwise_lr_groups\n\n"
        "param_groups = layerwise_lr_groups(model, base_lr, decay)",
    ),
    mistake(
        "07-puntos-sobre-base",
        "cociente",
        'results["puntos sobre la línea base"] = 100 * results["exactitud"] / baseline_accuracy',
        "calcula un cociente (veces la línea base) en vez de una diferencia",
        hint="cociente",
    ),
    mistake(
        "07-puntos-sobre-base",
        "signo",
        'results["puntos sobre la línea base"] = 100 * (baseline_accuracy - results["exactitud"])',
        "resta al revés: los métodos que aprenden salen negativos",
        hint="signo",
    ),
    mistake(
        "07-puntos-sobre-base",
        "sin-por-cien",
        'results["puntos sobre la línea base"] = results["exactitud"] - baseline_accuracy',
        "deja la diferencia en tanto por uno",
        hint="multiplica por 100",
    ),
    mistake(
        "07-puntos-sobre-base",
        "mejora-relativa",
        'results["puntos sobre la línea base"] = (\n'
        '    100 * (results["exactitud"] - baseline_accuracy) / baseline_accuracy\n)',
        "calcula la mejora relativa (en % de la línea base), no puntos porcentuales",
        hint="relativa",
    ),
    mistake(
        "07-puntos-sobre-base",
        "f1",
        'results["puntos sobre la línea base"] = 100 * (results["F1 macro"] - baseline_accuracy)',
        "compara el F1 macro con una exactitud",
        hint="exactitud",
    ),
    alternative(
        "07-puntos-sobre-base",
        "assign",
        'results = results.assign(**{"puntos sobre la línea base":\n'
        '                            results["exactitud"].sub(baseline_accuracy).mul(100)})',
    ),
    alternative(
        "07-puntos-sobre-base",
        "por-filas",
        'results["puntos sobre la línea base"] = [\n'
        "    round(100 * (accuracy - baseline_accuracy), 10)\n"
        '    for accuracy in results["exactitud"]\n]',
    ),
]


@cache
def _model():
    from coursekit.models import load_classifier, resolve_model_name
    from coursekit.profiles import get_profile

    return load_classifier(resolve_model_name(get_profile("ci")), ["negativa", "positiva"])


def _results():
    """Una tabla como la de compare_methods (solo las columnas que leen la celda y la
    comprobación), con métodos por encima y por debajo de la línea base."""
    import pandas as pd

    return pd.DataFrame(
        {
            "% entrenable": [100.0, 100.0, 0.33, 0.037, 0.003, 15.6],
            "exactitud": [0.695, 0.76, 0.725, 0.55, 0.495, 0.64],
            "F1 macro": [0.69, 0.758, 0.72, 0.51, 0.33, 0.62],
        },
        index=pd.Index(
            [
                "fine-tuning completo",
                "LLRD",
                "LoRA",
                "prompt tuning",
                "codificador congelado",
                "código del tutorial",
            ],
            name="método",
        ),
    )


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación."""
    from coursekit.checks import check
    from coursekit.profiles import get_profile

    names = {"profile": get_profile("ci"), "check": check}
    if exercise == "07-grupos-llrd":
        from coursekit.optim import parameter_depths

        model = _model()  # los grupos solo leen el modelo: sirve el mismo para cada variante
        names.update(model=model, depths=parameter_depths(model))
    else:
        names.update(results=_results(), baseline_accuracy=0.5)
    return names
