"""Notas a mano: criterios que declara el lab y CSV del instructor, con errores en español."""

from __future__ import annotations

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading.manual import (
    ManualCriterion,
    load_manual_criteria,
    manual_feedback,
    manual_points,
    read_manual_marks,
)

CRITERIA = {
    "interpretacion": ManualCriterion(2, "explica la curva"),
    "grafica": ManualCriterion(1, "la gráfica tiene ejes"),
}
IDS = {"1234", "87"}


def _csv(tmp_path, text):
    path = tmp_path / "manual.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_lab02_declares_manual_criteria():
    criteria = load_manual_criteria("02")
    assert criteria and all(c.points > 0 and c.description for c in criteria.values())


def test_reads_marks_with_header_comma_decimal_and_comments(tmp_path):
    path = _csv(
        tmp_path,
        "id;criterio;puntos;comentario\n1234;interpretacion;1,5;bien, pero sin números\n"
        "1234;grafica;1;\n87;grafica;0;sin ejes\n",
    )
    marks = read_manual_marks(path, CRITERIA, IDS)
    assert manual_points(marks, "1234") == 2.5
    assert manual_points(marks, "87") == 0
    text = manual_feedback(marks, CRITERIA, "87")
    assert "grafica (la gráfica tiene ejes): 0 de 1. sin ejes" in text
    assert "interpretacion" in text and "sin corregir" in text
    assert manual_feedback(marks, CRITERIA, "otro") == ""


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("999;grafica;1;", "no es de ninguna entrega"),
        ("1234;ortografia;1;", "no está declarado en el lab"),
        ("1234;grafica;2;", "deben ir de 0 a 1"),
        ("1234;grafica;-1;", "deben ir de 0 a 1"),
        ("1234;grafica;mucho;", "no es un número"),
        ("1234;grafica", "espero «id;criterio;puntos;comentario»"),
    ],
)
def test_bad_rows_are_refused_with_their_line(tmp_path, line, message):
    path = _csv(tmp_path, f"id;criterio;puntos;comentario\n87;grafica;1;ok\n{line}\n")
    with pytest.raises(CourseError, match=message) as error:
        read_manual_marks(path, CRITERIA, IDS)
    assert "línea 3" in str(error.value)


def test_repeated_pair_is_refused(tmp_path):
    path = _csv(tmp_path, "87,grafica,1,\n87,grafica,0,\n")
    with pytest.raises(CourseError, match="repetida"):
        read_manual_marks(path, CRITERIA, IDS)


def test_lab_without_criteria(tmp_path):
    with pytest.raises(CourseError, match="no declara criterios manuales"):
        read_manual_marks(_csv(tmp_path, "87;x;1\n"), {}, IDS)
