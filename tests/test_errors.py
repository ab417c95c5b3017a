"""Jerarquía de errores del curso y su presentación corta en Jupyter."""

from __future__ import annotations

import pytest

from coursekit.errors import CourseError, MissingPackageError, MissingPathError


def test_course_error_is_value_error():
    assert issubclass(CourseError, ValueError)
    with pytest.raises(ValueError, match="prueba"):
        raise CourseError("prueba")


def test_missing_package_is_import_error_and_course_error():
    assert issubclass(MissingPackageError, ImportError)
    assert issubclass(MissingPackageError, CourseError)
    with pytest.raises(ImportError, match="Instálalo"):
        raise MissingPackageError("Falta x. Instálalo con pip install x")


def test_missing_path_is_file_not_found_and_course_error():
    assert issubclass(MissingPathError, FileNotFoundError)
    assert issubclass(MissingPathError, CourseError)
    with pytest.raises(FileNotFoundError, match="Revisa la ruta"):
        raise MissingPathError("No encuentro a.csv. Revisa la ruta.")


@pytest.mark.parametrize("cls", [CourseError, MissingPackageError, MissingPathError])
def test_render_traceback_is_one_line(cls):
    lines = cls("algo falló: haz esto")._render_traceback_()
    assert len(lines) == 1
    assert lines[0] == f"❌ {cls.__name__}: algo falló: haz esto"
    assert "\n" not in lines[0]
