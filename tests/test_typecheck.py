"""``scripts/typecheck.py``: la línea base de mypy solo puede bajar."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import typecheck  # noqa: E402  (el guion no es un paquete: se importa desde scripts/)

OUTPUT = """\
coursekit/a.py:3: error: Incompatible types in assignment  [assignment]
coursekit/a.py:9:5: error: Missing return statement  [return]
coursekit/a.py:9: note: See https://mypy.readthedocs.io
coursekit/b/c.py:1: error: Name "x" already defined  [no-redef]
Found 3 errors in 2 files (checked 60 source files)
"""


def test_errors_are_counted_per_file_and_notes_ignored():
    counts, lines = typecheck.error_counts(OUTPUT)
    assert counts == Counter({"coursekit/a.py": 2, "coursekit/b/c.py": 1})
    assert lines["coursekit/b/c.py"] == [OUTPUT.splitlines()[3]]


def test_more_errors_or_a_new_file_fail_and_fewer_ask_to_lower_the_baseline():
    counts, _ = typecheck.error_counts(OUTPUT)
    assert typecheck.compare(counts, {"coursekit/a.py": 2, "coursekit/b/c.py": 1}) == ([], [])
    assert typecheck.compare(counts, {"coursekit/a.py": 1, "coursekit/b/c.py": 1}) == (
        ["coursekit/a.py"],
        [],
    )
    assert typecheck.compare(counts, {"coursekit/a.py": 2}) == (["coursekit/b/c.py"], [])
    assert typecheck.compare(counts, {"coursekit/a.py": 3, "coursekit/b/c.py": 1, "x.py": 1}) == (
        [],
        ["coursekit/a.py", "x.py"],
    )


def test_baseline_names_files_that_exist():
    baseline = json.loads((ROOT / "mypy-baseline.json").read_text(encoding="utf-8"))
    assert all(isinstance(n, int) and n > 0 for n in baseline.values())
    missing = [name for name in baseline if not (ROOT / name).is_file()]
    assert missing == [], f"mypy-baseline.json nombra archivos que ya no existen: {missing}"
