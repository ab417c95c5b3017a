"""Fontanería del entrenamiento que comparten los labs: semillas, comprobación de etiquetas,
historial por época y registros de TensorBoard.

El ``Trainer``, ``TrainingArguments`` y el bucle de PyTorch se escriben en el notebook:
aquí solo está lo que se repite de un lab a otro. Los checkpoints están en
``coursekit.checkpoints`` y las predicciones en ``coursekit.predictions``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from coursekit.errors import CourseError

# --- Semillas ------------------------------------------------------------------------------


def seed_everything(seed: int):
    """Fija las semillas de ``random``, NumPy y PyTorch (con ``transformers.set_seed``).

    Devuelve un ``torch.Generator`` con la misma semilla para barajar un ``DataLoader``
    de forma reproducible (``DataLoader(..., shuffle=True, generator=...)``).
    """
    import torch
    from transformers import set_seed

    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise CourseError(f"La semilla debe ser un entero >= 0, no {seed!r}.")
    set_seed(seed)
    return torch.Generator().manual_seed(seed)


# --- Etiquetas -----------------------------------------------------------------------------


def check_labels_fit_model(labels: Any, num_labels: Any) -> None:
    """Comprueba que todas las etiquetas están en ``0..num_labels-1`` antes de entrenar.

    ``labels`` puede ser un ``Dataset`` con columna ``label`` (o ``labels``) o una lista;
    ``num_labels`` un entero o un modelo (usa ``model.config.num_labels``). Sin esta
    comprobación PyTorch falla con «Target 4 is out of bounds» o, en GPU, con un
    «device-side assert» que no dice nada.
    """
    if hasattr(num_labels, "config"):
        num_labels = num_labels.config.num_labels
    if isinstance(num_labels, bool) or not isinstance(num_labels, int) or num_labels < 1:
        raise CourseError(f"num_labels debe ser un entero >= 1, no {num_labels!r}.")
    column_names = getattr(labels, "column_names", None)
    if column_names is not None:
        column = next((c for c in ("label", "labels") if c in column_names), None)
        if column is None:
            raise CourseError(f"El dataset no tiene columna label ni labels: {column_names}.")
        labels = labels[column]
    values = sorted({int(v) for v in labels})
    outside = [v for v in values if not 0 <= v < num_labels]
    if outside:
        raise CourseError(
            f"Hay etiquetas fuera de 0..{num_labels - 1}: {outside}. El modelo tiene "
            f"num_labels={num_labels}; créalo con tantas clases como tengan los datos "
            "(num_labels = len(nombres de las clases))."
        )


# --- Historial -----------------------------------------------------------------------------


def history_frame(log_history: Sequence[dict[str, Any]]):
    """Del ``trainer.state.log_history`` a una tabla con una fila por época.

    Columnas: ``train_loss`` (media de las pérdidas registradas en esa época) y las de
    evaluación (``eval_loss``, ``eval_accuracy``, ``eval_f1_macro``...). Índice ``epoch``
    (1, 2, ...). Es lo que dibuja ``coursekit.plots.plot_training_curves``.
    """
    import pandas as pd

    if isinstance(log_history, (str, bytes)) or not isinstance(log_history, Sequence):
        raise CourseError(
            "history_frame espera trainer.state.log_history (una lista de diccionarios)."
        )
    train: dict[int, list[float]] = {}
    evaluation: dict[int, dict[str, float]] = {}
    for entry in log_history:
        if "epoch" not in entry or "train_runtime" in entry:
            continue  # el resumen final no es una época
        epoch = max(1, math.ceil(round(float(entry["epoch"]), 4)))
        if "loss" in entry:
            train.setdefault(epoch, []).append(float(entry["loss"]))
        metrics = {
            k: float(v)
            for k, v in entry.items()
            if k.startswith("eval_") and isinstance(v, (int, float))
        }
        metrics = {k: v for k, v in metrics.items() if not k.endswith(("_runtime", "per_second"))}
        if metrics:
            evaluation.setdefault(epoch, {}).update(metrics)
    epochs = sorted(set(train) | set(evaluation))
    rows = []
    for epoch in epochs:
        row: dict[str, float] = {}
        if epoch in train:
            row["train_loss"] = sum(train[epoch]) / len(train[epoch])
        row.update(evaluation.get(epoch, {}))
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(epochs, name="epoch"))
