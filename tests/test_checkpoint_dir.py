"""La carpeta temporal de checkpoints que conftest.py crea por sesión de pruebas se borra al final.

Antes quedaba en /tmp: cada ejecución de la suite dejaba hasta 2 GB de checkpoints de los labs,
y cientos de ejecuciones llenaron el disco de la máquina de CI («No space left on device»).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "tests" / "helpers" / "checkpoint_probe.py"


def run_probe(tmp_path: Path, checkpoint_dir: Path | None) -> Path:
    """Ejecuta tests/helpers/checkpoint_probe.py en otro pytest; devuelve la carpeta que usó."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "probe.txt"
    inherited = ("COURSE_CHECKPOINT_DIR", "PYTEST_XDIST_WORKER")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(TMPDIR=str(scratch), CHECKPOINT_PROBE_OUT=str(out))
    if checkpoint_dir is not None:
        env["COURSE_CHECKPOINT_DIR"] = str(checkpoint_dir)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", str(PROBE)]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return Path(out.read_text())


@pytest.mark.slow
def test_session_checkpoint_dir_is_removed_at_exit(tmp_path):
    used = run_probe(tmp_path, None)
    assert used.parent == tmp_path / "tmp", "la carpeta de la sesión debe crearse en el TMPDIR"
    assert not used.exists(), "la carpeta de checkpoints de la sesión sigue en disco"


@pytest.mark.slow
def test_checkpoint_dir_given_from_outside_is_kept(tmp_path):
    given = tmp_path / "mis-checkpoints"
    given.mkdir()
    assert run_probe(tmp_path, given) == given
    assert (given / "checkpoint-1.bin").is_file()
