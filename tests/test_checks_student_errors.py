"""Cuando la función del estudiante lanza una excepción dentro de una comprobación, la pista
dice que el error es suyo (tipo, mensaje y línea) y no culpa a la comprobación; una firma
equivocada se señala como firma; un ejercicio sin escribir sigue dando su aviso."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coursekit.checks import CheckFailed, check
from coursekit.exercises import ExerciseNotDone, todo

ROOT = Path(__file__).resolve().parents[1]


def test_student_exception_is_reported_as_theirs():
    def compute_metrics(eval_pred):
        logits, labels = eval_pred
        return {"accuracy": 1 / 0}

    with pytest.raises(CheckFailed) as failure:
        check("02-compute-metrics", compute_metrics=compute_metrics, num_labels=3)
    hint = failure.value.hint
    line = compute_metrics.__code__.co_firstlineno + 2
    assert "tu función compute_metrics lanzó ZeroDivisionError: division by zero" in hint
    assert f"línea {line} de tu celda" in hint
    assert "no recibió lo que esperaba" not in hint


def test_exception_raised_by_a_library_called_by_the_student_points_to_their_line():
    def compute_metrics(eval_pred):
        return {"accuracy": {}["accuracy"]}

    with pytest.raises(CheckFailed) as failure:
        check("02-compute-metrics", compute_metrics=compute_metrics, num_labels=3)
    line = compute_metrics.__code__.co_firstlineno + 1
    assert "lanzó KeyError" in failure.value.hint and f"línea {line}" in failure.value.hint


def test_wrong_signature_is_reported_as_a_signature():
    def compute_metrics():
        return {"accuracy": 1.0, "f1_macro": 1.0}

    with pytest.raises(CheckFailed) as failure:
        check("02-compute-metrics", compute_metrics=compute_metrics, num_labels=3)
    assert "tu función compute_metrics no tiene la firma que se pide" in failure.value.hint


def test_unwritten_exercise_still_propagates():
    def compute_metrics(eval_pred):
        todo("02-compute-metrics")

    with pytest.raises(ExerciseNotDone):
        check("02-compute-metrics", compute_metrics=compute_metrics, num_labels=3)


@pytest.mark.slow
def test_student_exception_under_python_O():
    script = textwrap.dedent(
        """
        from coursekit.checks import CheckFailed, check

        def compute_metrics(eval_pred):
            return {"accuracy": [][0]}

        try:
            check("02-compute-metrics", compute_metrics=compute_metrics, num_labels=3)
        except CheckFailed as failure:
            print(failure.hint)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-O", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "tu función compute_metrics lanzó IndexError" in result.stdout
    assert "línea 5 de tu celda" in result.stdout
