"""Fontanería del entrenamiento: semillas, etiquetas, historial y registros de TensorBoard."""

from __future__ import annotations

import pytest
import torch

from coursekit.errors import CourseError
from coursekit.training import (
    check_labels_fit_model,
    history_frame,
    seed_everything,
)

# --- seed_everything ------------------------------------------------------------------------


def test_seed_everything_repeats_random_draws():
    generator = seed_everything(7)
    first = (torch.rand(3), torch.randperm(10, generator=generator))
    generator = seed_everything(7)
    second = (torch.rand(3), torch.randperm(10, generator=generator))
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    seed_everything(8)
    assert not torch.equal(torch.rand(3), first[0])


@pytest.mark.parametrize("bad", [-1, 1.5, "42", None, True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(CourseError, match="semilla"):
        seed_everything(bad)


# --- etiquetas ------------------------------------------------------------------------------


def test_labels_fit_model(make_dataset, classifier):
    check_labels_fit_model(make_dataset([0, 1, 1]), classifier)
    check_labels_fit_model([0, 1, 2], 3)


def test_labels_outside_num_labels(make_dataset, classifier):
    with pytest.raises(CourseError, match=r"fuera de 0..1: \[2\]") as error:
        check_labels_fit_model(make_dataset([0, 1, 2], names=["a", "b", "c"]), classifier)
    assert "num_labels=2" in str(error.value)
    with pytest.raises(CourseError, match=r"\[-1\]"):
        check_labels_fit_model([0, -1], 2)


@pytest.mark.parametrize("bad", [0, "2", None, 2.0])
def test_labels_bad_num_labels(bad):
    with pytest.raises(CourseError, match="num_labels debe ser"):
        check_labels_fit_model([0, 1], bad)


def test_labels_dataset_without_label_column(make_dataset):
    dataset = make_dataset([0, 1]).rename_column("label", "clase")
    with pytest.raises(CourseError, match="no tiene columna label"):
        check_labels_fit_model(dataset, 2)


# --- historial ------------------------------------------------------------------------------

LOG_HISTORY = [
    {"loss": 0.70, "epoch": 0.5, "step": 2},
    {"loss": 0.60, "epoch": 1.0, "step": 4},
    {"eval_loss": 0.65, "eval_accuracy": 0.6, "eval_runtime": 1.2, "epoch": 1.0, "step": 4},
    {"loss": 0.40, "epoch": 1.5, "step": 6},
    {"eval_loss": 0.55, "eval_accuracy": 0.7, "eval_samples_per_second": 9.0, "epoch": 2.0},
    {"train_runtime": 10.0, "train_loss": 0.57, "epoch": 2.0, "step": 8},
]


def test_history_frame_one_row_per_epoch():
    frame = history_frame(LOG_HISTORY)
    assert list(frame.index) == [1, 2]
    assert frame.index.name == "epoch"
    assert list(frame.columns) == ["train_loss", "eval_loss", "eval_accuracy"]
    assert frame.loc[1, "train_loss"] == pytest.approx(0.65)
    assert frame.loc[2, "train_loss"] == pytest.approx(0.40)
    assert frame.loc[2, "eval_accuracy"] == pytest.approx(0.7)


def test_history_frame_empty_and_bad():
    assert history_frame([]).empty
    with pytest.raises(CourseError, match="log_history"):
        history_frame("loss")
