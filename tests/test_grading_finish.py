"""Después de corregir (sin ejecutar ninguna entrega): una clase de mentira del lab 02 con
notas a mano, retrasos, prórroga, «revisar a mano», parecidos y los tres archivos del LMS; y el
manifiesto de una corrida."""

from __future__ import annotations

import copy
import csv
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import GRADED, ExecutionResult
from coursekit.instructor.grading.finalize import FinishOptions, finish
from coursekit.instructor.grading.hidden import load_lab_tests
from coursekit.instructor.grading.late import LatePolicy
from coursekit.instructor.grading.layouts import Submission
from coursekit.instructor.grading.manifest import build_manifest, write_manifest
from coursekit.instructor.grading.reports import (
    write_feedback,
    write_grades_csv,
    write_summary_html,
)
from coursekit.instructor.grading.scoring import grade

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = json.loads((ROOT / "notebooks" / "02_trainer.ipynb").read_text(encoding="utf-8"))
METRICS = "02-compute-metrics"
SOLVED = (
    "    predictions = np.argmax(eval_pred[0], axis=-1)\n"
    "    labels = eval_pred[1]\n"
    '    acc = accuracy_metric.compute(predictions=predictions, references=labels)["accuracy"]\n'
    '    f1 = f1_metric.compute(predictions=predictions, references=labels, average="macro")\n'
    '    return {"accuracy": acc, "f1_macro": f1["f1"]}\n'
)


def _solved_notebook(code: str) -> dict:
    notebook = copy.deepcopy(TEMPLATE)
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if f'todo("{METRICS}")' in source:
            kept = [line for line in source.splitlines() if 'todo("' not in line]
            cell["source"] = "\n".join(kept) + "\n" + code
    return notebook


@pytest.fixture
def graded_class(tmp_path):
    """notas.csv, retroalimentación, resumen.html y ejecutados/ como los deja coursekit grade."""
    tests = load_lab_tests("02")
    out = tmp_path / "correccion"
    (out / "ejecutados").mkdir(parents=True)
    people = {
        "1234": ("Ana Pérez", GRADED, {}),
        "87": ("Luis Gil", GRADED, {METRICS: {"ok": False, "error": "NameError: compute"}}),
        "55": ("Eva Sanz", "kernel muerto", {}),
        "66": ("Copia Sanz", GRADED, {}),
    }
    grades = []
    for student, (name, status, probes) in people.items():
        sub = Submission(student, name, None, "02_trainer.ipynb", "moodle")
        grades.append(grade(ExecutionResult(sub, status, probes=probes), tests))
    write_grades_csv(grades, tests, out)
    write_feedback(grades, "02", out)
    write_summary_html(grades, tests, out, [])
    for student in ("1234", "87"):
        notebook = _solved_notebook(SOLVED)
        (out / "ejecutados" / f"{student}.ipynb").write_text(json.dumps(notebook), "utf-8")
    copied = SOLVED.replace("acc", "exactitud").replace("predictions =", "p =")
    copied = copied.replace("predictions=predictions", "predictions=p").replace(
        "(predictions", "(p"
    )
    (out / "ejecutados" / "66.ipynb").write_text(json.dumps(_solved_notebook(copied)), "utf-8")
    archive = tmp_path / "entregas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for student, when in (("1234", (2026, 12, 1, 20, 0, 0)), ("87", (2026, 12, 3, 9, 0, 0))):
            folder = f"{people[student][0]}_{student}_assignsubmission_file_"
            bundle.writestr(zipfile.ZipInfo(f"{folder}/02_trainer.ipynb", when), "{}")
        folder = "Eva Sanz_55_assignsubmission_file_"
        for name in ("02_trainer.ipynb", "copia.ipynb"):
            bundle.writestr(zipfile.ZipInfo(f"{folder}/{name}", (2026, 12, 1, 8, 0, 0)), "{}")
    return out, archive


def _rows(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle, delimiter=";")}


def test_finish_merges_manual_late_review_similarity_and_lms(graded_class, tmp_path):
    out, archive = graded_class
    manual = tmp_path / "manual.csv"
    manual.write_text(
        "id;criterio;puntos;comentario\n1234;interpretacion-tasa;1;bien razonado\n"
        "87;linea-base;0,5;falta la cifra\n",
        encoding="utf-8",
    )
    extensions = tmp_path / "prorrogas.csv"
    extensions.write_text("87;2026-12-02 23:59\n", encoding="utf-8")
    options = FinishOptions(
        source=archive,
        manual_csv=manual,
        late=LatePolicy(datetime(2026, 12, 1, 23, 59), percent_per_day=10),
        extensions_csv=extensions,
        similarity=0.9,
        moodle_sheet=True,
        moodle_zip=True,
        canvas_assignment="Lab 02",
        canvas_id="678",
    )
    finish(out, "02", options)
    rows = _rows(out / "notas_finales.csv")
    assert list(rows["1234"])[:6] == [
        "id",
        "nombre",
        "archivo",
        "puntos automáticos",
        "puntos a mano",
        "días de retraso",
    ]
    assert rows["1234"]["puntos a mano"] == "1" and rows["1234"]["días de retraso"] == "0"
    assert rows["1234"]["nota final"] == "1" and rows["1234"]["máximo"] == "7"
    # 87: entregó el 3 con prórroga hasta el 2 → un día: 10 % de 7 = 0,7, pero solo tiene 0,5.
    assert rows["87"]["días de retraso"] == "1" and rows["87"]["penalización"] == "0,5"
    assert rows["87"]["nota final"] == "0"
    assert "renombró" in rows["87"]["revisar"]
    assert "kernel" in rows["55"]["revisar"] and "2 notebooks" in rows["55"]["revisar"]
    assert rows["1234"]["revisar"] == ""

    feedback = (out / "retroalimentacion" / "1234.md").read_text(encoding="utf-8")
    assert "interpretacion-tasa" in feedback and "bien razonado" in feedback
    finish(out, "02", options)  # repetirlo no duplica nada
    again = (out / "retroalimentacion" / "1234.md").read_text(encoding="utf-8")
    assert again == feedback
    summary = (out / "resumen.html").read_text(encoding="utf-8")
    assert summary.count("<h2>Revisar a mano</h2>") == 1 and summary.endswith("</body></html>")
    assert "Parecidos entre entregas" in summary and "exactitud" in summary
    similar = (out / "similitud.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any("1234" in line and "66" in line for line in similar[1:])

    sheet = list(csv.reader((out / "moodle_hoja_calificaciones.csv").open(encoding="utf-8")))
    assert sheet[0][0] == "Identificador"
    assert {r[0] for r in sheet[1:]} == {f"Participante {i}" for i in ("1234", "87", "55", "66")}
    with zipfile.ZipFile(out / "moodle_retroalimentacion.zip") as bundle:
        names = bundle.namelist()
        text = bundle.read("Ana Pérez_1234_assignfeedback_file_/retroalimentacion.txt").decode()
    assert len(names) == 4 and "bien razonado" in text and "<!--" not in text
    canvas = list(csv.reader((out / "canvas_calificaciones.csv").open(encoding="utf-8")))
    assert canvas[0][-1] == "Lab 02 (678)" and canvas[1][-1] == "7"


def test_canvas_late_mark_saved_with_the_probes_counts_one_day(graded_class):
    from coursekit.instructor.grading.rejudge import save_probes

    out, _ = graded_class
    sub = Submission("1234", "perezana", None, "02.ipynb", "canvas", late=True)
    save_probes(ExecutionResult(sub, GRADED), load_lab_tests("02"), out)
    policy = LatePolicy(datetime(2026, 12, 1, 23, 59), percent_per_day=10)
    finish(out, "02", FinishOptions(late=policy))
    rows = _rows(out / "notas_finales.csv")
    assert rows["1234"]["días de retraso"] == "1" and "revísala" in rows["1234"]["revisar"]
    assert rows["87"]["días de retraso"] == "0"


def test_finish_refuses_a_bad_manual_csv_before_writing(graded_class, tmp_path):
    out, _ = graded_class
    manual = tmp_path / "manual.csv"
    manual.write_text("1234;interpretacion-tasa;5;\n", encoding="utf-8")
    with pytest.raises(CourseError, match="deben ir de 0 a 1"):
        finish(out, "02", FinishOptions(manual_csv=manual))
    assert not (out / "notas_finales.csv").exists()


def test_manifest_records_versions_hashes_limits_and_times(tmp_path):
    from coursekit.instructor.grading.sandbox import Limits

    tests_file = ROOT / "hidden_tests" / "lab02.py"
    archive = tmp_path / "entregas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Ana_1_assignsubmission_file_/02.ipynb", '{"cells": []}')
    manifest = build_manifest(
        lab="02",
        tests_file=tests_file,
        submissions=[{"id": "1", "estado": GRADED, "segundos": 3.2}],
        limits=Limits(),
        isolated=True,
        started=datetime(2026, 12, 6, 10, 0).astimezone(),
        seconds=12.34,
        source=archive,
    )
    path = write_manifest(tmp_path, manifest)
    data = json.loads(path.read_text(encoding="utf-8"))
    import hashlib

    import coursekit

    assert data["coursekit"] == coursekit.__version__
    assert data["pruebas_ocultas"]["sha256"] == hashlib.sha256(tests_file.read_bytes()).hexdigest()
    assert len(data["entorno_sha256"]) == 64 and data["aislamiento"] is True
    assert data["limites"]["cell_timeout"] == Limits().cell_timeout
    notebook = data["origen"]["notebooks"]["Ana_1_assignsubmission_file_/02.ipynb"]
    assert notebook == hashlib.sha256(b'{"cells": []}').hexdigest()
    assert data["segundos"] == 12.3 and data["entregas"][0]["id"] == "1"
    assert data["git"] is None or len(data["git"]["commit"]) == 40


def test_finish_grades_command(graded_class, capsys):
    from coursekit.cli import main

    out, archive = graded_class
    args = ["finish-grades", str(out), "--lab", "2", "--entregas", str(archive)]
    assert main([*args, "--moodle-hoja", "--canvas-tarea", "Lab 02", "--lms-escala", "10"]) == 0
    assert "para revisar a mano" in capsys.readouterr().out
    canvas = (out / "canvas_calificaciones.csv").read_text(encoding="utf-8").splitlines()
    assert canvas[1].endswith(",10")
    assert main([*args, "--fecha-limite", "mañana"]) == 2
    assert "No entiendo la fecha" in capsys.readouterr().err
