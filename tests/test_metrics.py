"""Métricas locales de ``evaluate``: funcionan sin red y coinciden con scikit-learn."""

from __future__ import annotations

import inspect
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


# --- Igual que las métricas publicadas de evaluate ---------------------------------------------
# evaluate/metrics/f1/f1.py y evaluate/metrics/accuracy/accuracy.py (huggingface/evaluate)
# calculan con scikit-learn con estas firmas. Las referencias de abajo repiten esas firmas:
# nuestros módulos deben dar lo mismo (y los mismos errores) en cada caso.
OFFICIAL_F1_DEFAULTS = {"labels": None, "pos_label": 1, "average": "binary", "sample_weight": None}
OFFICIAL_ACCURACY_DEFAULTS = {"normalize": True, "sample_weight": None}
BINARY_PREDICTIONS = [0, 0, 1, 1, 0, 1, 1, 0]
BINARY_REFERENCES = [0, 1, 0, 1, 0, 1, 1, 1]
FIVE_PREDICTIONS = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 0, 1]
FIVE_REFERENCES = [0, 1, 2, 3, 4, 0, 0, 2, 2, 0, 1, 1]


def official_f1(predictions, references, **kwargs):
    """Lo que calcula ``evaluate.load("f1").compute(...)`` (su ``_compute``, tal cual)."""
    arguments = {**OFFICIAL_F1_DEFAULTS, **kwargs}
    score = f1_score(references, predictions, **arguments)
    return {"f1": score if getattr(score, "size", 1) > 1 else float(score)}


def official_accuracy(predictions, references, **kwargs):
    arguments = {**OFFICIAL_ACCURACY_DEFAULTS, **kwargs}
    return {"accuracy": float(accuracy_score(references, predictions, **arguments))}


def _defaults(metric) -> dict:
    parameters = inspect.signature(metric._compute).parameters
    return {
        name: p.default
        for name, p in parameters.items()
        if name not in {"predictions", "references"}
    }


def test_offline_metrics_have_the_official_arguments_and_defaults(no_network):
    assert _defaults(load_metric("f1")) == OFFICIAL_F1_DEFAULTS
    assert _defaults(load_metric("accuracy")) == OFFICIAL_ACCURACY_DEFAULTS


@pytest.mark.parametrize(
    ("predictions", "references", "kwargs"),
    [
        (BINARY_PREDICTIONS, BINARY_REFERENCES, {}),  # sin average: binaria, clase positiva 1
        (BINARY_PREDICTIONS, BINARY_REFERENCES, {"pos_label": 0}),
        (BINARY_PREDICTIONS, BINARY_REFERENCES, {"sample_weight": [1, 2, 1, 1, 3, 1, 1, 0.5]}),
        (BINARY_PREDICTIONS, BINARY_REFERENCES, {"average": "macro"}),
        (FIVE_PREDICTIONS, FIVE_REFERENCES, {"average": "macro"}),
        (FIVE_PREDICTIONS, FIVE_REFERENCES, {"average": "weighted"}),
        (FIVE_PREDICTIONS, FIVE_REFERENCES, {"average": "micro"}),
        (FIVE_PREDICTIONS, FIVE_REFERENCES, {"average": "macro", "labels": [0, 1, 2]}),
    ],
)
def test_f1_matches_the_official_metric(no_network, predictions, references, kwargs):
    ours = load_metric("f1").compute(predictions=predictions, references=references, **kwargs)
    assert ours == pytest.approx(official_f1(predictions, references, **kwargs))
    assert isinstance(ours["f1"], float)


def test_f1_without_average_on_two_classes_is_the_positive_class_f1(no_network):
    result = load_metric("f1").compute(predictions=BINARY_PREDICTIONS, references=BINARY_REFERENCES)
    positive = f1_score(BINARY_REFERENCES, BINARY_PREDICTIONS, average=None)[1]
    assert result["f1"] == pytest.approx(positive)
    assert result["f1"] != pytest.approx(
        f1_score(BINARY_REFERENCES, BINARY_PREDICTIONS, average="macro")
    )


def test_f1_without_average_on_five_classes_raises_like_the_official(no_network):
    with pytest.raises(ValueError, match="average") as official:
        official_f1(FIVE_PREDICTIONS, FIVE_REFERENCES)
    with pytest.raises(ValueError, match="average") as ours:
        load_metric("f1").compute(predictions=FIVE_PREDICTIONS, references=FIVE_REFERENCES)
    assert str(ours.value) == str(official.value)


def test_f1_average_none_gives_one_score_per_class(no_network):
    ours = load_metric("f1").compute(
        predictions=FIVE_PREDICTIONS, references=FIVE_REFERENCES, average=None
    )
    expected = official_f1(FIVE_PREDICTIONS, FIVE_REFERENCES, average=None)["f1"]
    np.testing.assert_allclose(ours["f1"], expected)
    assert len(ours["f1"]) == 5


@pytest.mark.parametrize(
    "kwargs", [{}, {"normalize": False}, {"sample_weight": [0.5, 2, 0.7, 0.5, 9, 0.4, 1, 1]}]
)
def test_accuracy_matches_the_official_metric(no_network, kwargs):
    ours = load_metric("accuracy").compute(predictions=PREDICTIONS, references=REFERENCES, **kwargs)
    assert ours == pytest.approx(official_accuracy(PREDICTIONS, REFERENCES, **kwargs))


def test_multilabel_configuration(no_network):
    predictions, references = [[0, 1, 1], [1, 1, 0]], [[0, 1, 1], [0, 1, 0]]
    f1 = load_metric("f1", config_name="multilabel")
    ours = f1.compute(predictions=predictions, references=references, average="macro")
    assert ours == pytest.approx(official_f1(predictions, references, average="macro"))
    accuracy = load_metric("accuracy", config_name="multilabel")
    ours = accuracy.compute(predictions=predictions, references=references)
    assert ours == pytest.approx(official_accuracy(predictions, references))


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
