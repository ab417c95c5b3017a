"""Tasa de aprendizaje por capas (layer-wise learning-rate decay, LLRD).

Cada capa del encoder tiene su propio grupo de parámetros en el optimizador, con
``lr = base_lr * decay ** profundidad``, donde la profundidad se cuenta desde arriba: la cabeza
(y el pooler) tienen profundidad 0 y ``base_lr``; la última capa del encoder, 1; ...; la
primera capa, ``num_layers``; los embeddings, ``num_layers + 1`` (la tasa más baja).
"""

from __future__ import annotations

import math
import re
from typing import Any

from coursekit.errors import CourseError

_LAYER_PATTERN = re.compile(r"\.layers?\.(\d+)\.")


def _check_decay(decay: Any) -> float:
    if isinstance(decay, bool) or not isinstance(decay, int | float) or not 0 < decay <= 1:
        raise CourseError(
            f"decay debe ser un número en (0, 1]; recibió {decay!r}. Con 1 todas las capas "
            "tienen la misma tasa; con 0.8 cada capa aprende al 80 % de la de encima."
        )
    return float(decay)


def _check_learning_rate(base_lr: Any) -> float:
    if (
        isinstance(base_lr, bool)
        or not isinstance(base_lr, int | float)
        or not (0 < base_lr < math.inf)  # también rechaza nan
    ):
        raise CourseError(
            f"base_lr debe ser un número positivo (p. ej. 1e-4); recibió {base_lr!r}."
        )
    return float(base_lr)


def parameter_depths(model: Any) -> dict[str, int]:
    """Profundidad desde arriba de cada parámetro: 0 la cabeza y el pooler, 1 la última capa
    del encoder, ..., ``num_layers + 1`` los embeddings."""
    names = [name for name, _ in model.named_parameters()]
    layers = {name: int(m.group(1)) for name in names if (m := _LAYER_PATTERN.search(name))}
    if not layers:
        raise CourseError(
            f"No encuentro capas numeradas (…layer.0…) en {type(model).__name__}: LLRD "
            "necesita un codificador con capas apiladas, como BERT."
        )
    num_layers = max(layers.values()) + 1
    depths = {}
    for name in names:
        if name in layers:
            depths[name] = num_layers - layers[name]
        elif "embeddings" in name:
            depths[name] = num_layers + 1
        else:  # cabeza, pooler y lo que va encima del encoder
            depths[name] = 0
    return depths


def depth_label(depth: int, num_layers: int) -> str:
    """Nombre legible del grupo de una profundidad (``cabeza``, ``capa 5``, ``embeddings``)."""
    if depth == 0:
        return "cabeza y pooler"
    if depth == num_layers + 1:
        return "embeddings"
    return f"capa {num_layers - depth}"


def layerwise_lr_groups(
    model: Any, base_lr: float, decay: float, weight_decay: float = 0.0
) -> list[dict[str, Any]]:
    """Grupos de parámetros para un optimizador de PyTorch con LLRD, de arriba abajo (el
    grupo 0 es la cabeza: es la tasa que registra ``Trainer``).

    Cada grupo es ``{"name", "depth", "params", "lr", "weight_decay"}``; solo entran los
    parámetros con ``requires_grad``. Uso: ``torch.optim.AdamW(layerwise_lr_groups(...))``.
    """
    base_lr = _check_learning_rate(base_lr)
    decay = _check_decay(decay)
    depths = parameter_depths(model)
    num_layers = max(depths.values()) - 1
    groups: dict[int, dict[str, Any]] = {}
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        depth = depths[name]
        group = groups.setdefault(
            depth,
            {
                "name": depth_label(depth, num_layers),
                "depth": depth,
                "params": [],
                "lr": base_lr * decay**depth,
                "weight_decay": weight_decay,
            },
        )
        group["params"].append(parameter)
    if not groups:
        raise CourseError("El modelo no tiene parámetros entrenables.")
    return [groups[depth] for depth in sorted(groups)]


def learning_rate_table(param_groups: list[dict[str, Any]]):
    """Tabla de los grupos del optimizador: nombre, profundidad, tasa y nº de parámetros."""
    import pandas as pd

    if not param_groups:
        raise CourseError("No hay grupos de parámetros.")
    rows = []
    for index, group in enumerate(param_groups):
        if "params" not in group or "lr" not in group:
            raise CourseError(
                f"El grupo {index} no es un grupo de optimizador: le falta 'params' o 'lr'."
            )
        rows.append(
            {
                "grupo": group.get("name", str(index)),
                "profundidad": group.get("depth", index),
                "learning_rate": group["lr"],
                "parámetros": sum(p.numel() for p in group["params"]),
            }
        )
    return pd.DataFrame(rows).set_index("grupo")


def llrd_adamw(model: Any, base_lr: float, decay: float, weight_decay: float = 0.01):
    """``torch.optim.AdamW`` con los grupos de :func:`layerwise_lr_groups`, en su variante
    *fused* cuando PyTorch la admite (la misma que ``Trainer`` usa por defecto con torch ≥ 2.8),
    para que la comparación con el fine-tuning completo mida LLRD y no otra implementación."""
    import torch

    groups = layerwise_lr_groups(model, base_lr, decay, weight_decay=weight_decay)
    try:
        return torch.optim.AdamW(groups, fused=True)
    except (RuntimeError, ValueError, TypeError):  # dispositivo o versión sin kernel fused
        return torch.optim.AdamW(groups)
