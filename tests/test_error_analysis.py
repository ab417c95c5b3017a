"""Los errores más seguros del modelo: la tabla que sigue a la matriz de confusión."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.error_analysis import most_confident_errors
from coursekit.errors import CourseError

NAMES = ["negativa", "positiva"]
TEXTS = ["bien", "fatal", "regular", "genial", "horrible"]
LABELS = [1, 0, 0, 1, 0]
# Aciertos: 0 y 4. Errores: 1 (predice positiva, logits 0 y 3), 2 (positiva, 0 y 1),
# 3 (negativa, 2 y 0).
LOGITS = [[0.0, 2.0], [0.0, 3.0], [0.0, 1.0], [2.0, 0.0], [3.0, 0.0]]


def test_most_confident_errors_sorted_by_probability():
    table = most_confident_errors(TEXTS, LABELS, LOGITS, NAMES, k=5)
    assert list(table.columns) == ["texto", "clase real", "predicción", "probabilidad"]
    assert table.index.tolist() == [1, 3, 2]  # solo los fallos, del más seguro al menos
    assert table["texto"].tolist() == ["fatal", "genial", "regular"]
    assert table["clase real"].tolist() == ["negativa", "positiva", "negativa"]
    assert table["predicción"].tolist() == ["positiva", "negativa", "positiva"]
    expected = 1 / (1 + np.exp(-np.array([3.0, 2.0, 1.0])))  # softmax de dos clases
    assert table["probabilidad"].tolist() == pytest.approx(expected, abs=1e-3)


def test_most_confident_errors_keeps_k_and_truncates_texts():
    long_text = "palabra " * 100
    table = most_confident_errors([long_text, *TEXTS[1:]], LABELS, LOGITS, NAMES, k=1, width=20)
    assert table.index.tolist() == [1]
    first = most_confident_errors([long_text], [0], [[0.0, 1.0]], NAMES, width=20)
    assert len(first.loc[0, "texto"]) == 20 and first.loc[0, "texto"].endswith("…")


def test_most_confident_errors_without_errors_is_empty():
    table = most_confident_errors(["a", "b"], [1, 0], [[0.0, 1.0], [1.0, 0.0]], NAMES)
    assert table.empty and list(table.columns)[:2] == ["texto", "clase real"]


@pytest.mark.parametrize(
    ("texts", "labels", "logits", "message"),
    [
        (TEXTS[:4], LABELS, LOGITS, "emparejados"),
        (TEXTS, LABELS[:4], LOGITS, "emparejados"),
        (TEXTS, LABELS, LOGITS[:4], "emparejados"),
        (TEXTS, LABELS, [0.0, 1.0, 2.0, 3.0, 4.0], "matriz"),
        (TEXTS, LABELS, [[0.0, 1.0, 2.0]] * 5, "3 logits"),
        (TEXTS, [1, 0, 0, 1, 2], LOGITS, "entre 0 y 1"),
        (TEXTS, [1.0, 0.0, 0.0, 1.0, 0.0], LOGITS, "enteros"),
    ],
)
def test_most_confident_errors_bad_inputs(texts, labels, logits, message):
    with pytest.raises(CourseError, match=message):
        most_confident_errors(texts, labels, logits, NAMES)


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3"])
def test_most_confident_errors_bad_k(k):
    with pytest.raises(CourseError, match="k debe ser un entero"):
        most_confident_errors(TEXTS, LABELS, LOGITS, NAMES, k=k)
