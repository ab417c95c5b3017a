"""Regenera docs/ejercicios.md a partir de las variantes de tests/mutants/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mutants.table import TABLE, render

TABLE.write_text(render(), encoding="utf-8")
print(f"Escrito {TABLE}")
