"""Volver a juzgar sin ejecutar: las sondas guardadas bastan para rehacer la tabla, y cambiar un
juez solo cambia su columna."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import GRADED, ExecutionResult
from coursekit.instructor.grading.hidden import load_lab_tests
from coursekit.instructor.grading.layouts import Submission
from coursekit.instructor.grading.rejudge import rejudge, save_probes, select_submissions
from coursekit.instructor.grading.reports import write_grades_csv
from coursekit.instructor.grading.scoring import grade

ROOT = Path(__file__).resolve().parents[1]
WRONG_METRICS = {"ok": True, "value": [{"accuracy": 0.0, "f1_macro": 0.0}] * 2}


def _class(out: Path) -> None:
    tests = load_lab_tests("02")
    people = {
        "1": {"02-compute-metrics": WRONG_METRICS},
        "2": {"02-compute-metrics": WRONG_METRICS, "02-tasa-de-aprendizaje": {"ok": False}},
        "3": {},
    }
    grades = []
    for student, probes in people.items():
        result = ExecutionResult(
            Submission(student, f"E{student}", None, "x.ipynb", "moodle"), GRADED, probes=probes
        )
        save_probes(result, tests, out)
        grades.append(grade(result, tests))
    write_grades_csv(grades, tests, out)


def _table(out: Path) -> dict[str, dict]:
    with (out / "notas.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle, delimiter=";")}


def _tests_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "pruebas"
    folder.mkdir()
    shutil.copy(ROOT / "hidden_tests" / "lab02.py", folder / "lab02.py")
    text = (folder / "lab02.py").read_text(encoding="utf-8")
    assert old in text
    (folder / "lab02.py").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_rejudge_reproduces_the_table(tmp_path):
    _class(tmp_path)
    before = (tmp_path / "notas.csv").read_bytes()
    grades, warnings = rejudge(tmp_path, "02")
    assert warnings == [] and len(grades) == 3
    assert (tmp_path / "notas.csv").read_bytes() == before
    assert (tmp_path / "retroalimentacion" / "2.md").is_file()


def test_changing_a_judge_changes_only_its_column(tmp_path):
    _class(tmp_path)
    before = _table(tmp_path)
    judge = "def judge_compute_metrics(seen) -> dict:\n"
    folder = _tests_copy(
        tmp_path, judge, judge + '    return {"exactitud": None, "F1 macro": None}\n'
    )
    _, warnings = rejudge(tmp_path, "02", folder)
    after = _table(tmp_path)
    assert warnings == []
    for student in ("1", "2"):
        assert before[student]["02-compute-metrics"] == "0"
        assert after[student]["02-compute-metrics"] == "2"
    for student in before:
        changed = {k for k in before[student] if before[student][k] != after[student][k]}
        assert changed <= {"02-compute-metrics", "total"}
    assert after["3"] == before["3"]  # sin datos de la sonda: no cambia


def test_a_changed_probe_is_reported(tmp_path):
    _class(tmp_path)
    probe = "def probe_compute_metrics(ns):\n"
    folder = _tests_copy(tmp_path, probe, probe + "    # otra versión\n")
    _, warnings = rejudge(tmp_path, "02", folder)
    assert any("02-compute-metrics" in w and "volver a ejecutar" in w for w in warnings)


def test_rejudge_without_probes_and_unknown_ids(tmp_path):
    with pytest.raises(CourseError, match="No hay sondas guardadas"):
        rejudge(tmp_path, "02")
    subs = [Submission("1", "A", None, "a", "plano"), Submission("2", "B", None, "b", "plano")]
    assert select_submissions(subs, {"2"}) == subs[1:]
    with pytest.raises(CourseError, match="No hay entregas con id 9"):
        select_submissions(subs, {"9"})


def test_grading_only_some_students_keeps_the_other_rows(tmp_path, monkeypatch):
    """grade_class(only=...) ejecuta solo esas entregas y rehace la tabla con las sondas de
    todas (la ejecución se sustituye por una falsa: aquí importa la fusión, no el kernel)."""
    import json

    from coursekit.instructor.grading import grader

    seen = []
    metrics = {"02-compute-metrics": WRONG_METRICS}

    def fake(submission, tests, limits, bwrap, slot=0):
        seen.append(submission.student_id)
        return ExecutionResult(submission, GRADED, probes=dict(metrics))

    monkeypatch.setattr(grader, "execute_submission", fake)
    # Sin aislamiento y como root el corrector comprueba que el uid sin privilegios puede usar
    # este Python; la ejecución es falsa, así que esa comprobación no viene al caso.
    monkeypatch.setattr(grader, "_require_unprivileged_python", lambda: None)
    folder = tmp_path / "entregas"
    folder.mkdir()
    notebook = {"cells": [{"cell_type": "markdown", "source": "# Lab 02", "metadata": {}}]}
    for name in ("ana", "luis", "eva"):
        (folder / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    out = tmp_path / "out"
    grader.grade_class(folder, "02", out, workers=1, sandbox=False)
    assert sorted(seen) == ["ana", "eva", "luis"] and len(list((out / "sondas").iterdir())) == 3
    judge = "def judge_compute_metrics(seen) -> dict:\n"
    folder_tests = _tests_copy(
        tmp_path, judge, judge + '    return {"exactitud": None, "F1 macro": None}\n'
    )
    seen.clear()
    metrics.clear()  # la nueva ejecución de luis no trae datos de la sonda
    grader.grade_class(
        folder, "02", out, workers=1, sandbox=False, only={"luis"}, tests_dir=folder_tests
    )
    assert seen == ["luis"]
    table = _table(out)
    assert set(table) == {"ana", "eva", "luis"}
    assert table["luis"]["02-compute-metrics"] == "0"  # ejecutada de nuevo, sin datos
    assert table["ana"]["02-compute-metrics"] == "2"  # sus sondas guardadas, con el juez nuevo


def test_rejudge_command(tmp_path, capsys):
    from coursekit.cli import main

    _class(tmp_path)
    assert main(["rejudge", str(tmp_path), "--lab", "02"]) == 0
    assert "3 entregas juzgadas de nuevo" in capsys.readouterr().out
    assert (tmp_path / "notas_finales.csv").is_file()
