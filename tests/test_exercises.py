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


def _unwritten(exercise_id):
    def function(*args, **kwargs):
        todo(exercise_id)

    return function


def test_check_of_an_unwritten_function_shows_the_friendly_notice():
    """La versión del estudiante conserva la firma de la función y pone todo(...) dentro: la
    comprobación debe dejar pasar el aviso amable, no convertirlo en una pista."""
    from coursekit.checks import check

    with pytest.raises(ExerciseNotDone):
        check("02-compute-metrics", compute_metrics=_unwritten("02-compute-metrics"), num_labels=3)


@pytest.mark.slow  # importa TensorFlow
def test_tf_data_check_of_an_unwritten_function_shows_the_friendly_notice(make_dataset):
    from coursekit.checks import check

    subset = make_dataset([0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1])
    with pytest.raises(ExerciseNotDone):
        check(
            "03-tf-data",
            make_tf_dataset=_unwritten("03-tf-data"),
            subset=subset,
            batch_size=4,
            sequence_length=16,
        )
