"""Métricas locales de ``evaluate``: funcionan sin red y coinciden con scikit-learn."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score

from coursekit.errors import CourseError
from coursekit.metrics import (
    classification_metrics,
    compute_metrics,
    load_metric,
    local_metric_names,
)

PREDICTIONS = [0, 1, 2, 1, 0, 2, 2, 1]
REFERENCES = [0, 1, 1, 1, 0, 2, 0, 2]


@pytest.fixture
def no_network(monkeypatch):
    """Sin red: cualquier intento de conexión falla al momento."""

    def refuse(*args, **kwargs):
        raise OSError("red desactivada en los tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def test_local_metric_names():
    assert local_metric_names() == ["accuracy", "f1"]


def test_accuracy_offline_matches_sklearn(no_network):
    metric = load_metric("accuracy")
    result = metric.compute(predictions=PREDICTIONS, references=REFERENCES)
    assert result["accuracy"] == pytest.approx(accuracy_score(REFERENCES, PREDICTIONS))
    assert result["accuracy"] == pytest.approx(5 / 8)


def test_f1_offline_matches_sklearn_macro(no_network):
    metric = load_metric(" F1 ")
    result = metric.compute(predictions=PREDICTIONS, references=REFERENCES, average="macro")
    assert result["f1"] == pytest.approx(f1_score(REFERENCES, PREDICTIONS, average="macro"))


def test_f1_default_average_is_macro(no_network):
    result = load_metric("f1").compute(predictions=PREDICTIONS, references=REFERENCES)
    assert result["f1"] == pytest.approx(f1_score(REFERENCES, PREDICTIONS, average="macro"))


def test_add_batch_then_compute(no_network):
    metric = load_metric("accuracy")
    metric.add_batch(predictions=PREDICTIONS[:4], references=REFERENCES[:4])
    metric.add_batch(predictions=PREDICTIONS[4:], references=REFERENCES[4:])
    assert metric.compute()["accuracy"] == pytest.approx(accuracy_score(REFERENCES, PREDICTIONS))


def test_classification_metrics(no_network):
    result = classification_metrics(np.array(PREDICTIONS), REFERENCES)
    assert set(result) == {"accuracy", "f1_macro"}
    assert result["accuracy"] == pytest.approx(accuracy_score(REFERENCES, PREDICTIONS))
    assert result["f1_macro"] == pytest.approx(f1_score(REFERENCES, PREDICTIONS, average="macro"))


def test_compute_metrics_from_logits(no_network):
    logits = np.array([[2.0, -1.0], [0.1, 0.9], [0.3, 0.2], [-1.0, 1.0]])
    labels = np.array([0, 1, 1, 1])  # predichas: 0, 1, 0, 1
    result = compute_metrics((logits, labels))
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["f1_macro"] == pytest.approx(f1_score(labels, [0, 1, 0, 1], average="macro"))


def test_compute_metrics_accepts_tuple_of_logits(no_network):
    logits = np.array([[1.0, 0.0], [0.0, 1.0]])
    result = compute_metrics(((logits, np.zeros((2, 3))), np.array([0, 1])))
    assert result == {"accuracy": 1.0, "f1_macro": 1.0}


def test_unknown_metric_lists_offline_ones(no_network):
    with pytest.raises(CourseError, match="No pude cargar la métrica 'rouge-xyz'.*accuracy, f1"):
        load_metric("rouge-xyz")


@pytest.mark.parametrize("bad", ["", "  ", None, 3])
def test_metric_name_must_be_text(bad):
    with pytest.raises(CourseError, match="debe ser un texto"):
        load_metric(bad)


def test_mismatched_shapes():
    with pytest.raises(CourseError, match="deben tener la misma forma: una clase por ejemplo"):
        classification_metrics([0, 1, 1], [0, 1])


def test_logits_instead_of_classes_is_rejected():
    with pytest.raises(CourseError, match="misma forma"):
        classification_metrics(np.zeros((3, 2)), [0, 1, 1])


def test_empty_inputs():
    with pytest.raises(CourseError, match="No hay predicciones que evaluar"):
        classification_metrics([], [])


def test_compute_metrics_with_wrong_number_of_labels():
    with pytest.raises(CourseError, match="misma forma"):
        compute_metrics((np.zeros((4, 2)), np.array([0, 1])))
