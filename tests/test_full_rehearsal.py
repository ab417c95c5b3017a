"""``coursekit bench full-rehearsal``: el ensayo de ``full`` en GPU como en una T4 (fp16, 15 GiB)
y la calibración con la época del tutorial original. Sin GPU se prueba lo que no la necesita."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from coursekit.cli import build_parser
from coursekit.instructor.bench import full_rehearsal
from coursekit.maintainer.standin_hub import standin_environment


def _fake_torch(total_gib: float):
    calls = {}
    cuda = types.SimpleNamespace(
        is_available=lambda: True,
        is_bf16_supported=lambda *a, **k: True,  # una H100
        get_device_properties=lambda index: types.SimpleNamespace(total_memory=total_gib * 2**30),
        set_per_process_memory_fraction=lambda fraction, device: calls.update(
            fraction=fraction, device=device
        ),
    )
    return types.SimpleNamespace(cuda=cuda), calls


def test_startup_code_turns_a_big_gpu_into_a_t4(monkeypatch):
    torch, calls = _fake_torch(total_gib=80)
    monkeypatch.setitem(sys.modules, "torch", torch)
    exec(full_rehearsal.t4_startup_code(15), {})
    assert torch.cuda.is_bf16_supported() is False  # mixed_precision_flags elegirá fp16
    assert calls == {"fraction": pytest.approx(15 / 80), "device": 0}


def test_startup_code_never_asks_for_more_than_the_gpu(monkeypatch):
    torch, calls = _fake_torch(total_gib=12)
    monkeypatch.setitem(sys.modules, "torch", torch)
    exec(full_rehearsal.t4_startup_code(15), {})
    assert calls["fraction"] == 1.0


def test_mixed_precision_flags_pick_fp16_once_bf16_is_hidden(monkeypatch):
    from coursekit.environment import Environment, mixed_precision_flags

    t4_like = Environment("colab", True, "NVIDIA H100", 80.0, bf16_supported=False)
    assert mixed_precision_flags(t4_like) == {"fp16": True, "bf16": False}


def test_ipython_dir_and_environment(tmp_path):
    folder = full_rehearsal.prepare_ipython_dir(tmp_path / "ipython", 15)
    startup = folder / "profile_default" / "startup" / full_rehearsal.STARTUP_FILE
    assert startup.read_text() == full_rehearsal.t4_startup_code(15)
    env = full_rehearsal.rehearsal_environment(tmp_path / "hf", folder, {"PATH": "/bin"})
    assert env["COURSE_PROFILE"] == "full" and env["IPYTHONDIR"] == str(folder.resolve())
    assert env["HF_HOME"] == str((tmp_path / "hf").resolve()) and env["HF_HUB_OFFLINE"] == "1"


def test_estimate_rows_scale_seconds_by_the_calibration_factor():
    rows = [{"lab": "01", "segundos": 120.0}, {"lab": "02", "segundos": 30.0}]
    estimated = full_rehearsal.estimate_rows(rows, factor=2.5)
    assert [r["t4_estimado_min"] for r in estimated] == [5.0, 1.25]
    assert full_rehearsal.estimate_rows(rows, None)[0]["t4_estimado_min"] is None
    assert "t4_estimado_min" not in rows[0]  # no cambia las filas recibidas


def test_cli_accepts_the_rehearsal():
    args = build_parser().parse_args(
        ["bench", "full-rehearsal", "01", "--hf-home", "hf", "--calibration-steps", "5"]
    )
    assert (args.labs, args.hf_home, args.memory_gib, args.profile) == (["01"], "hf", 15.0, "full")
    assert args.calibration_steps == 5 and not args.no_calibration


@pytest.mark.slow
def test_kernel_runs_the_t4_startup_file(tmp_path, write_notebook):
    """Los kernels del ensayo ejecutan el arranque de IPYTHONDIR (sin GPU no cambia nada)."""
    from coursekit.maintainer.lab_runner import execute_lab

    folder = full_rehearsal.prepare_ipython_dir(tmp_path / "ipython")
    lab = write_notebook(tmp_path, "lab.ipynb", "print('_torch' in globals())")
    env = full_rehearsal.rehearsal_environment(tmp_path / "hf", folder)
    run = execute_lab(lab, env, timeout=120)
    assert run["status"] == "ok", run["detail"]
    assert run["notebook"].cells[0].outputs[0]["text"].strip() == "True"


_CALIBRATE = """
import json
from coursekit.instructor.bench.full_rehearsal import calibrate
print(json.dumps(calibrate(train_size=16, max_length=32, max_steps=1, output_dir={out!r})))
"""


@pytest.mark.slow
def test_calibration_trains_the_tutorial_configuration_on_the_standin(standin_hub_home, tmp_path):
    env = standin_environment(standin_hub_home, {"PATH": "", "PYTHONPATH": ":".join(sys.path)})
    env["COURSE_PROFILE"] = "full"
    code = _CALIBRATE.format(out=str(tmp_path / "out"))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["pasos_medidos"] == 1 and measured["extrapolado"] is True
    assert measured["segundos_por_época"] == pytest.approx(
        measured["segundos_medidos"] * 2, rel=0.05, abs=0.1
    )
    assert measured["factor_tutorial"] == pytest.approx(
        114 / measured["segundos_por_época"], rel=0.01
    )
    assert measured["dispositivo"] == "CPU" and measured["cuda_pico_MB"] is None
