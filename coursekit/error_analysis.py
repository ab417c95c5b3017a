"""Análisis de errores: los ejemplos en los que el modelo se equivoca con más seguridad.

La matriz de confusión cuenta los errores; esta tabla los enseña con sus textos, para buscar
un patrón (ironía, negaciones, reseñas mixtas, etiquetas dudosas...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coursekit.errors import CourseError
from coursekit.predictions import checked_logits, softmax

#: Caracteres de cada texto que muestra la tabla (el resto se corta con «…»).
TEXT_WIDTH = 160


def _shorten(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def most_confident_errors(
    texts: Sequence[str],
    labels: Sequence[int],
    logits: Any,
    label_names: Sequence[str],
    k: int = 5,
    width: int = TEXT_WIDTH,
):
    """Los ``k`` ejemplos mal clasificados a los que el modelo dio más probabilidad.

    ``texts``, ``labels`` (enteros) y ``logits`` (una fila por ejemplo, una columna por clase,
    como ``trainer.predict(...).predictions``) van en el mismo orden. Devuelve un
    ``pandas.DataFrame`` con el texto recortado a ``width`` caracteres, la clase real, la
    predicha y la probabilidad de la predicha (softmax de los logits), de más a menos segura;
    vacío si el modelo no falla ninguno.
    """
    import numpy as np
    import pandas as pd

    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise CourseError(f"k debe ser un entero mayor o igual que 1 (es {k!r}).")
    texts = [texts] if isinstance(texts, str) else list(texts)
    names = list(label_names)
    scores = checked_logits(logits, names)
    truth = np.asarray(labels)
    if truth.ndim != 1 or not len(texts) == len(truth) == len(scores):
        raise CourseError(
            f"Textos, etiquetas y logits deben ir emparejados: hay {len(texts)} textos, "
            f"{truth.size} etiquetas y {len(scores)} filas de logits. ¿Son de la misma "
            "partición y en el mismo orden?"
        )
    if not np.issubdtype(truth.dtype, np.integer) or (
        truth.size and (truth.min() < 0 or truth.max() >= len(names))
    ):
        raise CourseError(f"Las etiquetas deben ser enteros entre 0 y {len(names) - 1}.")
    probabilities = softmax(scores)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != truth)
    confidence = probabilities[wrong, predicted[wrong]]
    # Orden estable: con la misma probabilidad, primero el que aparece antes en los datos.
    chosen = wrong[np.argsort(-confidence, kind="stable")][:k]
    return pd.DataFrame(
        {
            "texto": [_shorten(texts[i], width) for i in chosen],
            "clase real": [names[truth[i]] for i in chosen],
            "predicción": [names[predicted[i]] for i in chosen],
            "probabilidad": probabilities[chosen, predicted[chosen]].round(3),
        },
        index=pd.Index(chosen, name="ejemplo"),
    )
