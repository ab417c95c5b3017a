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
