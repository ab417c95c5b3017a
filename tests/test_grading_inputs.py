"""Corrector: lo que entra y lo que sale sin ejecutar notebooks (rápidas).

Nombres del zip bien decodificados, archivos rotos del zip que no tumban la clase, barrera de
errores por entrega, notas.csv escrito fila a fila, reanudar una corrección cortada y celdas
del CSV que no se ejecutan como fórmula. La ejecución aislada se sustituye por una falsa.
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading import grader
from coursekit.instructor.grading.execution import GRADED, ExecutionResult
from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.layouts import open_submissions
from coursekit.instructor.grading.progress import JOURNAL_NAME

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
from grading_class import corrupt_member, write_raw_zip

NAME = "José Álvarez"
FOLDER = "{name}_{id}_assignsubmission_file_/01_preparar_datos.ipynb"


def _notebook(lab: str = "09") -> bytes:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": f"# Lab {lab} · Prueba"},
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


# --- nombres del zip -------------------------------------------------------------------------


def _name_zip(path: Path) -> Path:
    """El mismo nombre guardado de tres formas: UTF-8 sin marca, cp850 sin marca, con marca."""
    entries = [
        (FOLDER.format(name=NAME, id=1).encode("utf-8"), b"{}", False),
        (FOLDER.format(name=NAME, id=2).encode("cp850"), b"{}", False),
        (FOLDER.format(name=NAME, id=3).encode("utf-8"), b"{}", True),
    ]
    return write_raw_zip(path, entries)


def test_zip_names_decoded_as_utf8_or_the_spanish_oem_code_page(tmp_path):
    subs = open_submissions(_name_zip(tmp_path / "clase.zip"), tmp_path / "tmp")
    assert [(s.student_id, s.name) for s in subs] == [("1", NAME), ("2", NAME), ("3", NAME)]


def test_instructor_can_force_the_zip_encoding(tmp_path):
    archive = _name_zip(tmp_path / "clase.zip")
    subs = open_submissions(archive, tmp_path / "a", encoding="cp437")
    # Forzada, se aplica a todo nombre sin marca (el de cp850 sale con la «Á» de cp437);
    # el nombre con la marca UTF-8 no cambia.
    assert [s.name for s in subs] == [
        NAME.encode("utf-8").decode("cp437"),
        NAME.encode("cp850").decode("cp437"),
        NAME,
    ]
    with pytest.raises(CourseError, match="--zip-encoding"):
        open_submissions(archive, tmp_path / "b", encoding="klingon")


# --- archivos rotos del zip --------------------------------------------------------------------


def _broken_zip(path: Path) -> Path:
    good = _notebook()
    entries = [
        (FOLDER.format(name="Ana Buena", id=1).encode(), good, False),
        (FOLDER.format(name="Crc Roto", id=2).encode(), b"MARCA-CRC" + good, False),
        # Un archivo «a» y una carpeta «a/» en la misma entrega.
        (b"Dos Nombres_3_assignsubmission_file_/a", b"texto", False),
        (b"Dos Nombres_3_assignsubmission_file_/a/b.ipynb", good, False),
        # Un nombre de carpeta más largo de lo que admite el sistema de archivos (255 bytes).
        (FOLDER.format(name="Largo" + "o" * 300, id=4).encode(), good, False),
    ]
    return corrupt_member(write_raw_zip(path, entries), b"MARCA-CRC")


def test_broken_zip_members_give_their_submission_a_reason(tmp_path):
    subs = {s.student_id: s for s in open_submissions(_broken_zip(tmp_path / "c.zip"), tmp_path)}
    assert set(subs) == {"1", "2", "3", "4"}
    assert subs["1"].path is not None and subs["1"].problem == ""
    assert subs["2"].path is None and "CRC" in subs["2"].problem
    assert subs["3"].path is None and "mismo nombre" in subs["3"].problem
    assert subs["3"].original_name == "b.ipynb"
    assert subs["4"].path is None and "demasiado largo" in subs["4"].problem


# --- la clase entera con una ejecución falsa -------------------------------------------------


def _probe(ns):
    return ns["x"]


def _judge(value):
    return {"bien": None if value == 1 else "x no vale 1."}


TESTS = LabTests("09", (HiddenTest("09-x", {"bien": 2}, _probe, _judge),))


class FakeRunner:
    """Sustituye a la ejecución aislada: cuenta llamadas y hace lo que pida cada estudiante."""

    def __init__(self, explode: dict[str, BaseException] | None = None):
        self.explode = explode or {}
        self.calls: list[str] = []

    def __call__(self, submission, tests, limits, bwrap, slot=0):
        self.calls.append(submission.name)
        if submission.name in self.explode:
            raise self.explode[submission.name]
        probes = {"09-x": {"ok": True, "value": 1}}
        return ExecutionResult(submission, GRADED, probes=probes, notebook={"cells": []})


@pytest.fixture
def fake(monkeypatch):
    def install(runner: FakeRunner) -> FakeRunner:
        monkeypatch.setattr(grader, "execute_submission", runner)
        # La ejecución es falsa: no hace falta (ni se comprueba) el aislamiento de esta máquina.
        monkeypatch.setattr(grader, "require_sandbox", lambda: "bwrap-falso")
        monkeypatch.setattr(grader, "load_lab_tests", lambda lab, tests_dir=None: TESTS)
        return runner

    return install


def _rows(out: Path) -> dict[str, dict]:
    with (out / "notas.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle, delimiter=";")}


def _class_zip(path: Path, names: list[str], changed: str = "") -> Path:
    """Una entrega de Moodle por nombre; la de ``changed``, con otro archivo."""
    with zipfile.ZipFile(path, "w") as bundle:
        for number, name in enumerate(names, start=1):
            content = _notebook() + (b" " if name == changed else b"")
            bundle.writestr(FOLDER.format(name=name, id=number), content)
    return path


def _grade(source, out, **kwargs):
    return grader.grade_class(source, "09", out, workers=1, **kwargs)


def test_one_failing_submission_never_loses_the_class(tmp_path, fake, monkeypatch):
    runner = fake(FakeRunner({"Rompe Corrector": RuntimeError("fallo interno")}))
    archive = _class_zip(tmp_path / "c.zip", ["Ana", "Rompe Corrector", "Juez Roto", "Eva"])
    real_grade = grader.grade

    def grade_or_fail(result, tests):
        if result.submission.name == "Juez Roto":
            raise ValueError("juez roto")
        return real_grade(result, tests)

    monkeypatch.setattr(grader, "grade", grade_or_fail)
    _grade(archive, tmp_path / "out")
    rows = _rows(tmp_path / "out")
    assert [(r["nombre"], r["total"], r["estado"]) for r in rows.values()] == [
        ("Ana", "2", "corregida"),
        ("Rompe Corrector", "0", "error del corrector"),
        ("Juez Roto", "0", "error del corrector"),
        ("Eva", "2", "corregida"),
    ]
    assert "al ejecutarla: RuntimeError: fallo interno" in rows["2"]["motivo"]
    assert "al juzgarla: ValueError: juez roto" in rows["3"]["motivo"]
    assert len(runner.calls) == 4


def test_broken_zip_members_are_rows_and_the_rest_is_graded(tmp_path, fake):
    runner = fake(FakeRunner())
    _grade(_broken_zip(tmp_path / "c.zip"), tmp_path / "out")
    rows = _rows(tmp_path / "out")
    assert {i: (r["total"], r["estado"]) for i, r in rows.items()} == {
        "1": ("2", "corregida"),
        "2": ("0", "ilegible"),
        "3": ("0", "ilegible"),
        "4": ("0", "ilegible"),
    }
    assert "CRC" in rows["2"]["motivo"] and runner.calls == ["Ana Buena"]


def test_rows_are_written_as_they_complete_and_a_rerun_resumes(tmp_path, fake):
    names = ["Ana", "Luis", "Corte", "Eva"]
    archive = _class_zip(tmp_path / "c.zip", names)
    out = tmp_path / "out"
    first = fake(FakeRunner({"Corte": KeyboardInterrupt()}))  # el instructor pulsa Ctrl+C
    with pytest.raises(KeyboardInterrupt):
        _grade(archive, out)
    assert first.calls[:3] == ["Ana", "Luis", "Corte"]
    assert [r["nombre"] for r in _rows(out).values()] == ["Ana", "Luis"]
    assert (out / "retroalimentacion" / "2.md").is_file()

    second = fake(FakeRunner())
    run = _grade(archive, out)
    assert second.calls == ["Corte", "Eva"]  # las ya corregidas no se vuelven a ejecutar
    assert [(r["nombre"], r["total"]) for r in _rows(out).values()] == [
        (name, "2") for name in names
    ]
    assert len(run.grades) == 4 and len((out / JOURNAL_NAME).read_text().splitlines()) == 4

    # Otro archivo con el mismo id (el estudiante volvió a entregar): se corrige de nuevo.
    _class_zip(archive, names, changed="Eva")
    third = fake(FakeRunner())
    _grade(archive, out)
    assert third.calls == ["Eva"]


def test_over_long_flat_names_still_get_a_row_and_feedback(tmp_path, fake):
    """Un notebook suelto con un nombre de 300 caracteres: no se puede extraer, pero su fila
    sale con el motivo y su retroalimentación se escribe (el id se acorta)."""
    fake(FakeRunner())
    long_name = "Entrega " + "larga " * 50 + ".ipynb"
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as bundle:
        bundle.writestr("ana.ipynb", _notebook())
        bundle.writestr(long_name, _notebook())
    _grade(tmp_path / "c.zip", tmp_path / "out")
    rows = _rows(tmp_path / "out")
    assert rows["ana"]["total"] == "2"
    (long_id,) = set(rows) - {"ana"}
    assert len(long_id) <= 80 and rows[long_id]["estado"] == "ilegible"
    assert "demasiado largo" in rows[long_id]["motivo"]
    assert (tmp_path / "out" / "retroalimentacion" / f"{long_id}.md").is_file()


def test_cli_accepts_a_zip_encoding():
    from coursekit.cli import build_parser

    args = build_parser().parse_args(["grade", "c.zip", "--lab", "01", "--zip-encoding", "cp437"])
    assert args.zip_encoding == "cp437"


def test_csv_cells_from_submissions_never_start_a_formula(tmp_path, fake):
    fake(FakeRunner({"@Rompe": RuntimeError("-1 no vale")}))
    hostile = '=HYPERLINK("evil.example";"ver")'
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as bundle:
        bundle.writestr(f"{hostile}_1_assignsubmission_file_/+1.ipynb", _notebook())
        bundle.writestr("@Rompe_2_assignsubmission_file_/-x.ipynb", _notebook())
    _grade(tmp_path / "c.zip", tmp_path / "out")
    rows = _rows(tmp_path / "out")
    assert (rows["1"]["nombre"], rows["1"]["archivo"]) == (f"'{hostile}", "'+1.ipynb")
    assert (rows["2"]["nombre"], rows["2"]["archivo"]) == ("'@Rompe", "'-x.ipynb")
    with (tmp_path / "out" / "notas_lms.csv").open(encoding="utf-8", newline="") as handle:
        lms = list(csv.reader(handle))
    cells = [cell for row in lms[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
