"""Notas a mano: preguntas de interpretación, gráficas y correcciones tras una reclamación.

Cada lab declara sus criterios manuales en ``hidden_tests/labNN.py``::

    MANUAL_CRITERIA = {
        "interpretacion-tasa": ManualCriterion(1, "Explica con sus números qué tasa aprendió más"),
    }

y el instructor los puntúa en un CSV ``id;criterio;puntos;comentario`` (cabecera opcional,
``;`` o ``,``, coma o punto decimal). Se comprueba todo antes de tocar ninguna nota: un id que
no es de la clase, un criterio que el lab no declara, puntos fuera de 0..máximo o una pareja
(id, criterio) repetida son errores con su línea.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.instructor.grading.hidden import _import_file, default_tests_dir
from coursekit.instructor.grading.spreadsheet import read_csv_rows


@dataclass(frozen=True)
class ManualCriterion:
    """Un criterio que corrige una persona: puntos máximos y qué se evalúa."""

    points: float
    description: str


@dataclass(frozen=True)
class ManualMark:
    """La nota de un criterio para un estudiante."""

    student_id: str
    criterion: str
    points: float
    comment: str = ""


def load_manual_criteria(lab: str, tests_dir: str | Path | None = None) -> dict:
    """``MANUAL_CRITERIA`` de ``hidden_tests/labNN.py`` (vacío si el lab no declara ninguno)."""
    folder = Path(tests_dir) if tests_dir else default_tests_dir()
    path = folder / f"lab{lab}.py"
    if not path.is_file():
        raise CourseError(f"No encuentro {path}: ¿es el número del lab y la carpeta --tests?")
    module = _import_file(path, f"_coursekit_hidden_lab{lab}")
    criteria = getattr(module, "MANUAL_CRITERIA", {}) or {}
    for name, criterion in criteria.items():
        if not isinstance(criterion, ManualCriterion) or criterion.points <= 0:
            raise CourseError(
                f"{path}: el criterio manual {name!r} debe ser ManualCriterion(puntos > 0, "
                "descripción)."
            )
    return dict(criteria)


def _points(text: str) -> float:
    return float(text.strip().replace(",", "."))


def read_manual_marks(
    path: str | Path, criteria: dict[str, ManualCriterion], student_ids: set[str]
) -> list[ManualMark]:
    """Lee y valida el CSV de notas a mano; los errores, en español y con su línea."""
    path = Path(path)
    if not criteria:
        raise CourseError(
            "Este lab no declara criterios manuales (MANUAL_CRITERIA en hidden_tests/labNN.py): "
            "no hay dónde poner notas a mano."
        )
    marks: list[ManualMark] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for number, cells in read_csv_rows(path, "notas a mano"):
        if number == 1 and cells[0].lower() in ("id", "identificador"):
            continue
        where = f"línea {number}"
        if len(cells) < 3:
            errors.append(f"{where}: espero «id;criterio;puntos;comentario», hay {len(cells)}.")
            continue
        student, criterion, points_text = cells[:3]
        comment = cells[3] if len(cells) > 3 else ""
        if student not in student_ids:
            errors.append(f"{where}: el id {student!r} no es de ninguna entrega corregida.")
            continue
        if criterion not in criteria:
            errors.append(
                f"{where}: el criterio {criterion!r} no está declarado en el lab (hay: "
                f"{', '.join(sorted(criteria))})."
            )
            continue
        try:
            points = _points(points_text)
        except ValueError:
            errors.append(f"{where}: {points_text!r} no es un número de puntos.")
            continue
        maximum = criteria[criterion].points
        if not 0 <= points <= maximum:
            errors.append(
                f"{where}: {points:g} puntos en «{criterion}» para {student}: deben ir de 0 a "
                f"{maximum:g}."
            )
            continue
        if (student, criterion) in seen:
            errors.append(f"{where}: {student} ya tiene nota en «{criterion}» (fila repetida).")
            continue
        seen.add((student, criterion))
        marks.append(ManualMark(student, criterion, points, comment))
    if errors:
        raise CourseError(f"El CSV de notas a mano {path} tiene errores:\n- " + "\n- ".join(errors))
    return marks


def manual_points(marks: list[ManualMark], student_id: str) -> float:
    """Suma de los puntos a mano de un estudiante."""
    return sum(mark.points for mark in marks if mark.student_id == student_id)


def manual_feedback(
    marks: list[ManualMark], criteria: dict[str, ManualCriterion], student_id: str
) -> str:
    """Sección de la retroalimentación con los criterios corregidos a mano (vacía si no hay)."""
    own = {mark.criterion: mark for mark in marks if mark.student_id == student_id}
    if not own:
        return ""
    lines = ["## Corregido a mano", ""]
    for name, criterion in criteria.items():
        mark = own.get(name)
        if mark is None:
            lines.append(f"- ⏳ {name} ({criterion.description}): sin corregir todavía.")
            continue
        line = f"- {name} ({criterion.description}): {mark.points:g} de {criterion.points:g}"
        lines.append(line + (f". {mark.comment}" if mark.comment else "."))
    return "\n".join(lines) + "\n"


__all__ = [
    "ManualCriterion",
    "ManualMark",
    "load_manual_criteria",
    "manual_feedback",
    "manual_points",
    "read_manual_marks",
]
