"""Predicciones con nombres de clase (PyTorch y tablas compartidas con Keras)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coursekit.errors import CourseError
from coursekit.predictions import logits_to_label_names, predict_texts, prediction_table

# --- predicciones ---------------------------------------------------------------------------


def test_predict_texts_uses_label_names(classifier, tokenizer):
    texts = ["A wonderful, moving film.", "Dull and far too long."]
    table = predict_texts(classifier, tokenizer, texts)
    assert list(table.columns) == ["texto", "predicción", "probabilidad"]
    assert table["texto"].tolist() == texts
    assert set(table["predicción"]) <= {"negativa", "positiva"}
    with torch.no_grad():
        logits = classifier(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    expected = [["negativa", "positiva"][i] for i in logits.argmax(-1).tolist()]
    assert table["predicción"].tolist() == expected
    assert all(0.5 <= p <= 1.0 for p in table["probabilidad"])


def test_predict_texts_batches_and_custom_names(classifier, tokenizer):
    texts = [f"Review number {i} was fine." for i in range(5)]
    table = predict_texts(classifier, tokenizer, texts, label_names=["mala", "buena"], batch_size=2)
    assert len(table) == 5 and set(table["predicción"]) <= {"mala", "buena"}
    single = predict_texts(classifier, tokenizer, texts[0], label_names=["mala", "buena"])
    assert single.loc[0, "predicción"] == table.loc[0, "predicción"]


def test_predict_texts_keeps_training_mode(classifier, tokenizer):
    classifier.train()
    try:
        predict_texts(classifier, tokenizer, ["ok"])
        assert classifier.training
    finally:
        classifier.eval()


@pytest.mark.parametrize("bad", [[], [""], [3], None])
def test_predict_texts_bad_texts(classifier, tokenizer, bad):
    with pytest.raises(CourseError, match="lista de textos"):
        predict_texts(classifier, tokenizer, bad)


def test_predict_texts_wrong_number_of_names(classifier, tokenizer):
    with pytest.raises(CourseError, match="3 nombres"):
        predict_texts(classifier, tokenizer, ["ok"], label_names=["a", "b", "c"])


# --- de logits a nombres de clase (compartido con Keras) ---------------------------------

NAMES = ["negativa", "positiva"]


def test_logits_to_label_names_uses_the_argmax():
    logits = np.array([[0.1, 2.0], [3.0, -1.0], [-0.5, -0.4]])
    assert logits_to_label_names(logits, NAMES) == ["positiva", "negativa", "positiva"]


@pytest.mark.parametrize(
    "logits, message",
    [
        (np.zeros((2, 3)), "3 logits por ejemplo y 2 nombres"),
        (np.zeros(4), "deben ser una matriz"),
    ],
)
def test_logits_to_label_names_rejects_bad_shapes(logits, message):
    with pytest.raises(CourseError, match=message):
        logits_to_label_names(logits, NAMES)


def test_prediction_table_has_names_and_softmax_probabilities():
    logits = np.array([[0.0, np.log(3.0)], [2.0, 0.0]])
    table = prediction_table(["buena", "mala"], logits, NAMES)
    assert list(table.columns) == ["texto", "predicción", "probabilidad"]
    assert list(table["predicción"]) == ["positiva", "negativa"]
    assert table["probabilidad"].iloc[0] == pytest.approx(0.75, abs=1e-3)
    assert table["probabilidad"].iloc[1] == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-3)


def test_prediction_table_rejects_mismatched_texts():
    with pytest.raises(CourseError, match="Hay 1 textos y 2 filas de logits"):
        prediction_table(["solo uno"], np.zeros((2, 2)), NAMES)


@pytest.mark.parametrize("num_classes", [3, 20])
def test_prediction_table_with_many_classes(num_classes):
    names = [f"clase {i}" for i in range(num_classes)]
    logits = np.eye(num_classes)[::-1] * 5  # el texto i predice la clase n-1-i
    table = prediction_table([f"t{i}" for i in range(num_classes)], logits, names)
    assert list(table["predicción"]) == names[::-1]
    assert (table["probabilidad"] > 1 / num_classes).all()


def test_logits_tolerance_depends_on_precision():
    """Lab 05 comparaba logits con igualdad exacta (``np.array_equal``): en GPU, o en fp16,
    imprimía ``False`` bajo un título que decía que eran iguales. Se comparan con tolerancia."""
    from coursekit.predictions import LOGITS_ATOL_FP32, LOGITS_ATOL_HALF, logits_tolerance

    layer = torch.nn.Linear(4, 3)
    assert logits_tolerance(layer) == LOGITS_ATOL_FP32
    assert logits_tolerance(layer.half()) == LOGITS_ATOL_HALF
    assert logits_tolerance(torch.nn.Linear(4, 3).to(torch.bfloat16)) == LOGITS_ATOL_HALF
    with pytest.raises(CourseError, match="sin parámetros|no tiene parámetros"):
        logits_tolerance(torch.nn.ReLU())
    with pytest.raises(CourseError, match="PyTorch"):
        logits_tolerance("modelo")
