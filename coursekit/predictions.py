"""Predicciones con nombres de clase: logits de textos nuevos y la tabla texto, clase
predicha y probabilidad (la usan los labs de PyTorch y el de Keras).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coursekit.errors import CourseError
from coursekit.models import config_label_names

# --- Predicciones --------------------------------------------------------------------------


def text_logits(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int | None = None,
    batch_size: int = 32,
):
    """Logits del modelo para una lista de textos (``numpy``, una fila por texto), en modo
    evaluación y sin gradientes. Sirve para comparar dos modelos sobre los mismos textos."""
    import torch

    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts) if isinstance(texts, Sequence) else []
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise CourseError("Hace falta una lista de textos no vacíos.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size],
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            ).to(device)
            logits.append(model(**batch).logits.float().cpu())
    model.train(was_training)
    return torch.cat(logits).numpy()


#: Tolerancias (``atol``) al comparar logits de dos cálculos del mismo modelo: en fp32 solo
#: cambia el último decimal; en media precisión (fp16/bf16), hasta la milésima o más.
LOGITS_ATOL_FP32 = 1e-4
LOGITS_ATOL_HALF = 1e-2


def logits_tolerance(model: Any) -> float:
    """La ``atol`` con la que comparar los logits de ``model`` con los de otro cálculo
    (``torch.allclose``): :data:`LOGITS_ATOL_HALF` si algún parámetro está en fp16 o bf16,
    :data:`LOGITS_ATOL_FP32` si no."""
    import torch

    try:
        dtypes = {parameter.dtype for parameter in model.parameters()}
    except (AttributeError, TypeError):
        raise CourseError("logits_tolerance necesita un modelo de PyTorch.") from None
    if not dtypes:
        raise CourseError("El modelo no tiene parámetros: no hay logits que comparar.")
    return LOGITS_ATOL_HALF if dtypes & {torch.float16, torch.bfloat16} else LOGITS_ATOL_FP32


def predict_texts(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    label_names: Sequence[str] | None = None,
    max_length: int | None = None,
    batch_size: int = 32,
):
    """Clasifica textos nuevos y devuelve una tabla: texto, clase predicha y probabilidad.

    Los nombres de las clases salen de ``label_names`` o de ``model.config.id2label``.
    Funciona con cualquier modelo de clasificación de PyTorch (también uno con LoRA).
    """
    if isinstance(texts, str):
        texts = [texts]
    if label_names is None:
        label_names = config_label_names(model.config)
    logits = text_logits(model, tokenizer, texts, max_length=max_length, batch_size=batch_size)
    return prediction_table(list(texts), logits, label_names)


def logits_to_label_names(logits: Any, label_names: Sequence[str]) -> list[str]:
    """Nombre de la clase con el logit más alto para cada fila de ``logits``."""
    scores = checked_logits(logits, label_names)
    return [list(label_names)[i] for i in scores.argmax(axis=1)]


def checked_logits(logits: Any, label_names: Sequence[str]):
    """``logits`` como matriz ``numpy`` (ejemplos × clases) con una columna por nombre de clase;
    si no, un error en español que dice qué no encaja."""
    import numpy as np

    scores = np.asarray(logits, dtype=float)
    names = list(label_names)
    if scores.ndim != 2:
        raise CourseError(
            f"Los logits deben ser una matriz (ejemplos × clases); tienen forma {scores.shape}."
        )
    if scores.shape[1] != len(names):
        raise CourseError(
            f"Hay {scores.shape[1]} logits por ejemplo y {len(names)} nombres de clase "
            f"({names}): ¿se creó el modelo con {len(names)} clases (num_labels o num_classes)?"
        )
    return scores


def softmax(logits: Any):
    """Probabilidades de cada clase (``numpy``, filas que suman 1) a partir de los logits."""
    import numpy as np

    scores = np.asarray(logits, dtype=float)
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def prediction_table(texts: Sequence[str], logits: Any, label_names: Sequence[str]):
    """Tabla (``pandas.DataFrame``) con cada texto, la clase predicha y su probabilidad."""
    import pandas as pd

    texts = [texts] if isinstance(texts, str) else list(texts)
    predicted = logits_to_label_names(logits, label_names)
    if len(predicted) != len(texts):
        raise CourseError(f"Hay {len(texts)} textos y {len(predicted)} filas de logits.")
    probabilities = softmax(logits)
    return pd.DataFrame(
        {
            "texto": texts,
            "predicción": predicted,
            "probabilidad": probabilities.max(axis=1).round(3),
        }
    )
