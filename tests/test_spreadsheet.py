"""Celdas seguras para CSV: un nombre que empieza por un signo de fórmula llega como texto."""

import pytest

from coursekit.instructor.grading.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x";"ver")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_starts_become_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ana Pérez", "10001", 3.5, 0, None, "", "a=b"])
def test_other_values_unchanged(value):
    assert safe_cell(value) == value


def test_safe_row_applies_to_every_cell():
    assert safe_row(["=1", "Ana", 2]) == ["'=1", "Ana", 2]


def test_read_csv_rows_reads_what_excel_writes(tmp_path):
    """Excel en Windows guarda Windows-1252 con «;»: antes, las notas a mano y las prórrogas
    solo se leían en UTF-8 y un comentario con tildes paraba con «No pude leer»."""
    from coursekit.instructor.grading.spreadsheet import read_csv_rows

    path = tmp_path / "notas.csv"
    path.write_bytes("id;criterio;puntos;comentario\n10001;c;1;Muy bien, José\n\n".encode("cp1252"))
    assert read_csv_rows(path, "notas a mano") == [
        (1, ["id", "criterio", "puntos", "comentario"]),
        (2, ["10001", "c", "1", "Muy bien, José"]),
    ]
    utf8 = tmp_path / "prorrogas.csv"
    utf8.write_text("\ufeffid,fecha\n10001,2026-12-01\n", encoding="utf-8")
    assert read_csv_rows(utf8, "prórrogas") == [(1, ["id", "fecha"]), (2, ["10001", "2026-12-01"])]


def test_read_csv_rows_missing_file_is_a_spanish_error(tmp_path):
    from coursekit.errors import CourseError
    from coursekit.instructor.grading.spreadsheet import read_csv_rows

    with pytest.raises(CourseError, match="No pude leer el CSV de prórrogas"):
        read_csv_rows(tmp_path / "no.csv", "prórrogas")
