"""Los notebooks del repositorio: soluciones sin salidas, notebooks/ al día y versiones del
estudiante que se detienen con un aviso amable en el primer ejercicio.

La ejecución completa de cada lab de ``solutions/`` la hace nbval (ver pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from coursekit.maintainer.notebook_builder import (
    exercise_ids,
    find_stale_notebooks,
    solutions_with_outputs,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
REQUIRED_HEADER = (
    "Duración",
    "Objetivo",
    "Metas de aprendizaje",
    "Formato",
    "Público",
    "Requisitos previos",
)
CLOSING_SECTIONS = ("## Qué has aprendido", "## Siguiente", "## Para ir más allá")
QUIZ_HEADING = "## Comprueba lo que has aprendido"


def test_there_are_labs():
    assert SOLUTIONS, "solutions/ no tiene ningún notebook"


def test_student_notebooks_are_up_to_date():
    stale = find_stale_notebooks(ROOT / "solutions", ROOT / "notebooks")
    assert stale == [], f"notebooks/ no está al día; ejecuta `coursekit build-notebooks`: {stale}"


def test_solutions_are_committed_without_outputs():
    assert solutions_with_outputs(ROOT / "solutions") == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_structure(path):
    nb = nbformat.read(path, as_version=4)
    header = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown"
    for field in REQUIRED_HEADER:
        assert f"**{field}" in header, f"falta «{field}» en la cabecera de {path.name}"
    assert "colab.research.google.com" in header and f"notebooks/{path.name}" in header
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert 'find_spec("coursekit")' in first_code.source, "la primera celda instala coursekit"
    assert "detect_environment" in first_code.source
    ids = exercise_ids(nb, path.stem)
    assert len(ids) >= 2, "cada lab tiene al menos dos ejercicios"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for exercise in ids:
        assert f'check("{exercise}"' in sources, f"el ejercicio {exercise} no tiene comprobación"
    assert "Nota" in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _headings(cell) -> list[str]:
    return [line.strip() for line in cell.source.splitlines() if line.startswith("## ")]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_ends_with_closing_sections(path):
    """Cada lab cierra con lo aprendido, lo siguiente y tareas abiertas, justo antes del resumen
    de ejercicios (lo último, salvo el cuestionario que lo sigue), y con 3 a 5 puntos en «Qué has
    aprendido»."""
    nb = nbformat.read(path, as_version=4)
    if QUIZ_HEADING in nb.cells[-2].source:  # el cuestionario va después (tests/test_quiz.py)
        nb.cells = nb.cells[:-2]
    assert "resumen(" in nb.cells[-1].source, "la última celda es el resumen de ejercicios"
    tail = [h for cell in nb.cells[:-2] if cell.cell_type == "markdown" for h in _headings(cell)]
    found = [h for h in tail if h in CLOSING_SECTIONS]
    assert found == list(CLOSING_SECTIONS), f"{path.name}: secciones de cierre {found}"
    closing_at = max(
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and CLOSING_SECTIONS[0] in c.source
    )
    after = [c for c in nb.cells[closing_at + 1 : -2]]
    assert all(c.cell_type == "markdown" for c in after), (
        "nada de código entre el cierre y el resumen"
    )
    learned = nb.cells[closing_at].source.split(CLOSING_SECTIONS[0], 1)[1].split("\n## ", 1)[0]
    bullets = [line for line in learned.splitlines() if line.startswith("- ")]
    assert 3 <= len(bullets) <= 5, f"{path.name}: «Qué has aprendido» tiene {len(bullets)} puntos"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
@pytest.mark.slow
def test_student_notebook_stops_kindly_at_first_exercise(path):
    student = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    first_exercise = exercise_ids(nbformat.read(path, as_version=4), path.stem)[0]
    target = next(i for i, c in enumerate(student.cells) if f'todo("{first_exercise}")' in c.source)
    # Si el ejercicio está dentro de una función, el aviso sale al llamarla: en su comprobación.
    check_cell = next(
        i
        for i, c in enumerate(student.cells)
        if i > target and f'check("{first_exercise}"' in c.source
    )
    student.cells = student.cells[: check_cell + 1]  # no hace falta ejecutar el resto
    client = NotebookClient(
        student,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    errors = [
        (i, o)
        for i, c in enumerate(student.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert len(errors) == 1
    index, error = errors[0]
    assert index in (target, check_cell), (
        "el notebook del estudiante falló antes del primer ejercicio"
    )
    assert error.ename == "ExerciseNotDone"
    assert len(error.traceback) == 1 and "sin resolver" in error.traceback[0]
    assert "Traceback" not in error.traceback[0]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_cell_shows_a_torch_generator(path):
    """``seed_everything`` devuelve un ``torch.Generator``: como última línea de una celda,
    Jupyter mostraría ``<torch._C.Generator object at 0x...>`` (lo vio la prueba de navegador)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip():
            last = cell.source.rstrip().splitlines()[-1]
            assert not last.startswith("seed_everything("), f"{path.name}: {last}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_seed_prefixed_names_for_the_tutorial_code(path):
    """«seed_» junto a ``seed_everything(profile.seed)`` parece «semilla»: el código del tutorial
    original se nombra ``tutorial_*``, para que nadie lo tome por la semilla del curso."""
    import re

    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    names = set(re.findall(r"\bseed_[a-z_]+", code)) - {"seed_everything"}
    assert not names, f"{path.name}: {sorted(names)}"
