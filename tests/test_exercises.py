"""Pruebas del marcador de ejercicios sin resolver (``coursekit.exercises``)."""

from __future__ import annotations

import pickle

import pytest

from coursekit.errors import CourseError
from coursekit.exercises import ExerciseNotDone, todo


def test_todo_raises_exercise_not_done():
    with pytest.raises(ExerciseNotDone) as info:
        todo("ej1")
    assert info.value.exercise_id == "ej1"
    assert isinstance(info.value, CourseError)
    assert isinstance(info.value, ValueError)
    assert "ej1" in str(info.value)


def test_render_traceback_is_one_short_spanish_line():
    with pytest.raises(ExerciseNotDone) as info:
        todo("lab01-2")
    lines = info.value._render_traceback_()
    assert len(lines) == 1
    line = lines[0]
    assert "«lab01-2»" in line
    assert "sin resolver" in line
    assert "TU CÓDIGO AQUÍ" in line
    assert "\n" not in line
    assert "Traceback" not in line
    assert len(line) < 200


def test_exercise_not_done_pickles():
    exc = pickle.loads(pickle.dumps(ExerciseNotDone("ej3")))
    assert exc.exercise_id == "ej3"
    assert str(exc) == str(ExerciseNotDone("ej3"))
