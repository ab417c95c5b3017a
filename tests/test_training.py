"""Fontanería del entrenamiento: semillas, carpetas, checkpoints, historial y predicciones."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from coursekit import training
from coursekit.errors import CourseError, MissingPathError
from coursekit.profiles import get_profile
from coursekit.training import (
    check_labels_fit_model,
    checkpoint_root,
    directory_size_mb,
    history_frame,
    last_checkpoint,
    logits_to_label_names,
    mount_google_drive,
    predict_texts,
    prediction_table,
    read_tensorboard_scalars,
    run_directory,
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


# --- carpetas -------------------------------------------------------------------------------


def test_checkpoint_root_priority(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path / "desde-variable"))
    assert checkpoint_root() == tmp_path / "desde-variable"
    assert (tmp_path / "desde-variable").is_dir()
    assert checkpoint_root(tmp_path / "explícita") == tmp_path / "explícita"


def test_checkpoint_root_uses_drive_when_mounted(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_CHECKPOINT_DIR", raising=False)
    drive = tmp_path / "drive"
    (drive / "MyDrive").mkdir(parents=True)
    monkeypatch.setattr(training, "DRIVE_ROOT", drive)
    monkeypatch.setattr(training, "DRIVE_COURSE_DIR", drive / "MyDrive" / "curso")
    assert checkpoint_root() == drive / "MyDrive" / "curso" / "checkpoints"


def test_checkpoint_root_defaults_to_local_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_CHECKPOINT_DIR", raising=False)
    monkeypatch.setattr(training, "DRIVE_ROOT", tmp_path / "sin-drive")
    monkeypatch.chdir(tmp_path)
    assert checkpoint_root() == training.Path("checkpoints")
    assert (tmp_path / "checkpoints").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root puede escribir en carpetas de solo lectura")
def test_checkpoint_root_not_writable(tmp_path):
    locked = tmp_path / "solo-lectura"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CourseError, match="No puedo escribir checkpoints"):
            checkpoint_root(locked / "checkpoints")
    finally:
        locked.chmod(0o700)


def test_checkpoint_root_on_a_file_is_not_writable(tmp_path):
    blocker = tmp_path / "un-archivo"
    blocker.write_text("no soy una carpeta")
    with pytest.raises(CourseError, match="No puedo escribir checkpoints"):
        checkpoint_root(blocker)


def test_run_directory_names_lab_profile_and_model(tmp_path):
    folder = run_directory("02_trainer", get_profile("ci"), root=tmp_path)
    assert folder == tmp_path / "02_trainer-ci-all-MiniLM-L6-v2"
    assert folder.is_dir()
    full = run_directory("02_trainer", get_profile("full"), root=tmp_path)
    assert full.name == "02_trainer-full-bert-base-cased"


def test_run_directory_rejects_empty_lab(tmp_path):
    with pytest.raises(CourseError, match="nombre del lab"):
        run_directory(" ", get_profile("ci"), root=tmp_path)


def test_mount_google_drive_outside_colab(capsys):
    assert mount_google_drive("local") is False
    assert "carpeta local" in capsys.readouterr().out


def test_mount_google_drive_in_colab(monkeypatch):
    mounted = []
    fake_colab = SimpleNamespace(drive=SimpleNamespace(mount=mounted.append))
    monkeypatch.setitem(__import__("sys").modules, "google.colab", fake_colab)
    assert mount_google_drive("colab") is True
    assert mounted == ["/content/drive"]


# --- checkpoints ----------------------------------------------------------------------------


def _fake_checkpoint(folder, step, config, state=True):
    checkpoint = folder / f"checkpoint-{step}"
    checkpoint.mkdir(parents=True)
    (checkpoint / "config.json").write_text(json.dumps(config))
    if state:
        (checkpoint / "trainer_state.json").write_text("{}")
    return checkpoint


def test_last_checkpoint_none_when_nothing_saved(tmp_path):
    assert last_checkpoint(tmp_path / "no-existe") is None
    assert last_checkpoint(tmp_path) is None


def test_last_checkpoint_picks_highest_step_of_same_model(tmp_path, classifier):
    config = classifier.config.to_dict()
    _fake_checkpoint(tmp_path, 9, config)
    latest = _fake_checkpoint(tmp_path, 10, config)
    assert last_checkpoint(tmp_path, classifier) == str(latest)


def test_last_checkpoint_from_a_different_model(tmp_path, classifier):
    config = classifier.config.to_dict() | {"hidden_size": 768, "num_hidden_layers": 12}
    _fake_checkpoint(tmp_path, 4, config)
    assert last_checkpoint(tmp_path) is not None  # sin modelo no se compara
    with pytest.raises(CourseError, match="otro modelo") as error:
        last_checkpoint(tmp_path, classifier)
    assert "hidden_size: checkpoint 768 ≠ modelo 384" in str(error.value)


def test_last_checkpoint_with_other_labels(tmp_path, classifier):
    config = classifier.config.to_dict() | {"id2label": {"0": "a", "1": "b", "2": "c"}}
    _fake_checkpoint(tmp_path, 4, config)
    with pytest.raises(CourseError, match="clases: checkpoint"):
        last_checkpoint(tmp_path, classifier)


def test_last_checkpoint_incomplete(tmp_path, classifier):
    _fake_checkpoint(tmp_path, 4, classifier.config.to_dict(), state=False)
    with pytest.raises(CourseError, match="incompleto"):
        last_checkpoint(tmp_path, classifier)


def test_last_checkpoint_without_config(tmp_path, classifier):
    checkpoint = tmp_path / "checkpoint-3"
    checkpoint.mkdir()
    (checkpoint / "trainer_state.json").write_text("{}")
    with pytest.raises(CourseError, match="no tiene config.json"):
        last_checkpoint(tmp_path, classifier)


def test_directory_size(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 1_000_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"x" * 500_000)
    assert directory_size_mb(tmp_path) == pytest.approx(1.5)
    assert directory_size_mb(tmp_path / "a.bin") == pytest.approx(1.0)
    with pytest.raises(MissingPathError):
        directory_size_mb(tmp_path / "nada")


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


# --- TensorBoard ----------------------------------------------------------------------------


def test_read_tensorboard_scalars(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(tmp_path / "runs" / "corrida"))
    for step, value in enumerate([0.9, 0.7, 0.5], start=1):
        writer.add_scalar("train/loss", value, step)
    writer.close()
    frame = read_tensorboard_scalars(tmp_path / "runs")
    assert list(frame["step"]) == [1, 2, 3]
    assert frame["value"].tolist() == pytest.approx([0.9, 0.7, 0.5])
    assert set(frame["tag"]) == {"train/loss"}


def test_read_tensorboard_scalars_without_logs(tmp_path):
    with pytest.raises(MissingPathError, match="No hay registros de TensorBoard"):
        read_tensorboard_scalars(tmp_path)


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
