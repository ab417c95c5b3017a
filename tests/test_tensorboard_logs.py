"""TensorBoard: leer los registros en una tabla y escribirlos sin cargar TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coursekit.errors import MissingPathError
from coursekit.tensorboard_logs import read_tensorboard_scalars


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


_IMPORT_ONLY = """
import json, sys
before = [type(f).__name__ for f in sys.meta_path]
import coursekit, coursekit.training, coursekit.tensorboard_logs
after = [type(f).__name__ for f in sys.meta_path]
from coursekit.tensorboard_logs import use_tensorboard_without_tensorflow
active = use_tensorboard_without_tensorflow()
use_tensorboard_without_tensorflow()  # dos llamadas: un solo buscador
print(json.dumps({"before": before, "after": after, "active": active,
                  "finders": [type(f).__name__ for f in sys.meta_path]}))
"""


@pytest.mark.slow
def test_importing_coursekit_changes_nothing_until_asked():
    """Importar coursekit no toca ``sys.meta_path``; la elección de TensorBoard sin TensorFlow
    es una llamada explícita (el lab 02 la hace antes de entrenar) y no se duplica."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ONLY], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["after"] == seen["before"]
    assert seen["active"] is True
    assert seen["finders"].count("_NoTensorFlowFinder") == 1
