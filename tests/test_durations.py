"""La duración de cada lab tiene una sola fuente (su cabecera) y el README la copia."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursekit.errors import CourseError
from coursekit.maintainer.durations import (
    header_duration,
    lab_durations,
    readme_duration,
    sync_readme_durations,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def test_readme_table_copies_the_lab_headers():
    """Antes decían cosas distintas (lab 01: 50–70 min en la cabecera y 30–45 en el README)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    durations = lab_durations(ROOT / "solutions")
    assert sorted(durations) == [p.name[:2] for p in SOLUTIONS]
    assert sync_readme_durations(readme, durations) == readme, (
        "La columna Duración del README no coincide con las cabeceras de los labs: "
        "python -m coursekit sync-release"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_header_says_the_full_part_is_an_estimate(path):
    """La parte de `full` no se ha medido en una GPU: la cabecera lo dice con «estimación»."""
    header = nbformat.read(path, as_version=4).cells[0].source
    line = re.search(r"\*\*Duración:\*\*.*", header).group(0)
    assert "`full`" in line and "estimación" in line, line


def test_sync_rewrites_only_the_duration_column():
    readme = "intro 10–20 min\n| Lab | Tema | Duración | Abrir |\n|---|---|---|---|\n" + (
        "| 01 | Datos: a, b | 30–45 min | [x](y) |\n| 02 | Trainer | 60–90 min | [z](w) |\n"
    )
    synced = sync_readme_durations(readme, {"01": (50, 70), "02": (60, 90)})
    assert "| 01 | Datos: a, b | 50–70 min | [x](y) |" in synced
    assert "| 02 | Trainer | 60–90 min | [z](w) |" in synced
    assert synced.startswith("intro 10–20 min\n| Lab | Tema | Duración |")
    with pytest.raises(CourseError, match="03"):
        sync_readme_durations(readme, {"01": (50, 70), "03": (10, 20)})


def test_header_duration_parsing():
    assert header_duration("**Duración:** 45 a 85 minutos: unos 25 de lectura") == (45, 85)
    assert readme_duration(45, 85) == "45–85 min"
    with pytest.raises(CourseError, match="Duración"):
        header_duration("**Duración:** una tarde")
    with pytest.raises(CourseError, match="al revés"):
        header_duration("**Duración:** 90 a 60 minutos")
