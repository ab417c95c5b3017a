"""Prueba auxiliar de tests/test_checkpoint_dir.py: la ejecuta un pytest aparte, nunca la suite.

Escribe en ``$CHECKPOINT_PROBE_OUT`` la carpeta de checkpoints que conftest.py creó para la
sesión y deja un archivo dentro, como haría un lab al guardar un checkpoint.
"""

import os
from pathlib import Path


def test_records_checkpoint_dir():
    folder = Path(os.environ["COURSE_CHECKPOINT_DIR"])
    assert folder.is_dir()
    (folder / "checkpoint-1.bin").write_bytes(b"\0" * 1024)
    Path(os.environ["CHECKPOINT_PROBE_OUT"]).write_text(str(folder))
