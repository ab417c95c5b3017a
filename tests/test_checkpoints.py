"""Checkpoints: carpetas (Drive, variable, local), reanudar con comprobación y tamaño."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from coursekit import checkpoints
from coursekit.checkpoints import (
    checkpoint_root,
    directory_size_mb,
    last_checkpoint,
    mount_google_drive,
    resume_checkpoint,
    run_directory,
    settings_hash,
)
from coursekit.errors import CourseError, MissingPathError
from coursekit.profiles import get_profile

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
    monkeypatch.setattr(checkpoints, "DRIVE_ROOT", drive)
    monkeypatch.setattr(checkpoints, "DRIVE_COURSE_DIR", drive / "MyDrive" / "curso")
    assert checkpoint_root() == drive / "MyDrive" / "curso" / "checkpoints"


def test_checkpoint_root_defaults_to_local_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_CHECKPOINT_DIR", raising=False)
    monkeypatch.setattr(checkpoints, "DRIVE_ROOT", tmp_path / "sin-drive")
    monkeypatch.chdir(tmp_path)
    assert checkpoint_root() == Path("checkpoints")
    assert (tmp_path / "checkpoints").is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root puede escribir en carpetas de solo lectura")
def test_checkpoint_root_not_writable(tmp_path):
    locked = tmp_path / "solo-lectura"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CourseError, match="No puedo escribir puntos de control"):
            checkpoint_root(locked / "checkpoints")
    finally:
        locked.chmod(0o700)


def test_checkpoint_root_on_a_file_is_not_writable(tmp_path):
    blocker = tmp_path / "un-archivo"
    blocker.write_text("no soy una carpeta")
    with pytest.raises(CourseError, match="No puedo escribir puntos de control"):
        checkpoint_root(blocker)


def test_run_directory_names_lab_profile_model_and_settings_hash(tmp_path):
    profile = get_profile("ci")
    folder = run_directory("02_trainer", profile, root=tmp_path)
    assert folder == tmp_path / f"02_trainer-ci-all-MiniLM-L6-v2-{settings_hash(profile)}"
    assert folder.is_dir()
    full = run_directory("02_trainer", get_profile("full"), root=tmp_path)
    assert full.name.startswith("02_trainer-full-bert-base-cased-")


def test_changing_a_setting_starts_a_new_run(tmp_path):
    """Antes, la misma carpeta para cualquier tasa, época o semilla: se reanudaba un
    entrenamiento ajeno (o ya terminado) sin decir nada."""
    profile = get_profile("ci")
    base = run_directory("05_lora", profile, root=tmp_path, settings={"lr": 1e-3, "r": 8})
    assert base.name.startswith("05_lora-ci-all-MiniLM-L6-v2-lr0.001-r8-")
    same = run_directory("05_lora", profile, root=tmp_path, settings={"lr": 1e-3, "r": 8})
    assert same == base
    other_r = run_directory("05_lora", profile, root=tmp_path, settings={"lr": 1e-3, "r": 4})
    other_seed = run_directory("05_lora", get_profile("ci", seed=7), root=tmp_path)
    other_epochs = run_directory("05_lora", get_profile("ci", num_epochs=9), root=tmp_path)
    names = {base, other_r, other_seed, other_epochs, run_directory("05_lora", profile, tmp_path)}
    assert len(names) == 5


def test_a_run_from_before_the_validation_split_is_not_resumed(tmp_path):
    """La carpeta de antes de course_splits (hash sin el reparto) entrenó con otro subconjunto
    de train: con el mismo perfil y los mismos ajustes, la carpeta de ahora es otra."""
    import hashlib

    profile = get_profile("ci")
    old_payload = {"perfil": checkpoints._profile_settings(profile), "ajustes": {}}
    old_text = json.dumps(
        old_payload, sort_keys=True, default=checkpoints._fingerprint_default, ensure_ascii=True
    )
    old_hash = hashlib.sha256(old_text.encode("utf-8")).hexdigest()[:8]
    assert not run_directory("02_trainer", profile, tmp_path).name.endswith(old_hash)


def test_changing_the_split_scheme_changes_the_folder(tmp_path, monkeypatch):
    profile = get_profile("ci")
    before = run_directory("02_trainer", profile, tmp_path)
    monkeypatch.setattr(checkpoints, "SPLITS_SCHEME", "otro-reparto/2")
    assert run_directory("02_trainer", profile, tmp_path) != before


def test_settings_that_are_not_scalars_only_enter_the_hash(tmp_path):
    profile = get_profile("ci")
    modules = {"peft": {"target_modules": {"query", "value"}}}
    folder = run_directory("05_lora", profile, root=tmp_path, settings=modules)
    assert folder.name == f"05_lora-ci-all-MiniLM-L6-v2-{settings_hash(profile, modules)}"
    reordered = {"peft": {"target_modules": {"value", "query"}}}
    assert settings_hash(profile, reordered) == settings_hash(profile, modules)
    assert settings_hash(profile, {"peft": {"target_modules": {"query"}}}) != settings_hash(
        profile, modules
    )


@pytest.mark.parametrize("settings", [[("lr", 1e-3)], "lr=1e-3", 8])
def test_run_directory_rejects_settings_that_are_not_a_dict(tmp_path, settings):
    with pytest.raises(CourseError, match="deben ser un diccionario"):
        run_directory("05_lora", get_profile("ci"), root=tmp_path, settings=settings)


def test_run_directory_rejects_setting_names_that_are_not_text(tmp_path):
    with pytest.raises(CourseError, match="nombres de los ajustes"):
        run_directory("05_lora", get_profile("ci"), root=tmp_path, settings={8: "r"})


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
    assert "hidden_size: punto de control 768 ≠ modelo 384" in str(error.value)


def test_last_checkpoint_with_other_labels(tmp_path, classifier):
    config = classifier.config.to_dict() | {"id2label": {"0": "a", "1": "b", "2": "c"}}
    _fake_checkpoint(tmp_path, 4, config)
    with pytest.raises(CourseError, match="clases: punto de control"):
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


def _state(checkpoint, step, total):
    (checkpoint / "trainer_state.json").write_text(
        json.dumps({"global_step": step, "max_steps": total})
    )


def test_resume_checkpoint_says_where_it_resumes(tmp_path, classifier, capsys):
    checkpoint = _fake_checkpoint(tmp_path, 100, classifier.config.to_dict())
    _state(checkpoint, 100, 250)
    assert resume_checkpoint(tmp_path, classifier) == str(checkpoint)
    assert capsys.readouterr().out.strip() == (
        f"Reanudando desde el paso 100 de 250 (checkpoint-100 en {tmp_path})."
    )


def test_resume_checkpoint_says_when_the_run_already_finished(tmp_path, classifier, capsys):
    """Antes, con la misma carpeta, los labs 05 y 06 «reanudaban» en 250/250 sin entrenar
    nada y sin decirlo."""
    checkpoint = _fake_checkpoint(tmp_path, 250, classifier.config.to_dict())
    _state(checkpoint, 250, 250)
    assert resume_checkpoint(tmp_path, classifier) == str(checkpoint)
    out = capsys.readouterr().out
    assert "Este entrenamiento ya terminó (paso 250 de 250): se reutiliza" in out
    assert f"borra {tmp_path} o cambia un ajuste para entrenar de nuevo" in out


def test_resume_checkpoint_without_checkpoints(tmp_path, capsys):
    assert resume_checkpoint(tmp_path / "nueva") is None
    assert "se entrena desde el principio" in capsys.readouterr().out


@pytest.mark.parametrize("state", ["{}", "no es json", '{"global_step": "x", "max_steps": 9}'])
def test_resume_checkpoint_with_a_damaged_state(tmp_path, state):
    checkpoint = _fake_checkpoint(tmp_path, 4, {})
    (checkpoint / "trainer_state.json").write_text(state)
    with pytest.raises(CourseError, match="No puedo leer el paso"):
        resume_checkpoint(tmp_path)


@pytest.mark.parametrize("output_dir", [None, 3, "  "])
def test_resume_checkpoint_rejects_a_folder_that_is_not_a_path(output_dir):
    with pytest.raises(CourseError, match="carpeta de salida debe ser una ruta"):
        resume_checkpoint(output_dir)


def test_directory_size(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 1_000_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"x" * 500_000)
    assert directory_size_mb(tmp_path) == pytest.approx(1.5)
    assert directory_size_mb(tmp_path / "a.bin") == pytest.approx(1.0)
    with pytest.raises(MissingPathError):
        directory_size_mb(tmp_path / "nada")
