"""Corrige una clase de prueba del lab 01 (perfil ci) con el corrector aislado: la solución
saca todos los puntos, el notebook sin hacer cero, el parcial sus puntos exactos y cada
entrega hostil su fila, sin afectar a las demás. Todo en UNA llamada con 2 trabajadores."""

from __future__ import annotations

import csv
import ctypes
import errno
import hashlib
import json
import os
import sys
from pathlib import Path

import psutil
import pytest

from coursekit.instructor.grading.sandbox import Limits, check_sandbox

# tests/ no es un paquete: el ayudante se importa por su carpeta, con cualquier versión de pytest
# («from tests.helpers...» fallaba con pytest 8.4, el de Colab).
sys.path.insert(0, str(Path(__file__).parent / "helpers"))
from grading_class import ABSURD, EXECUTED, EXPECTED, ROOT, build_moodle_zip

SANDBOX = check_sandbox()
# En CI (CI=true) no se salta: sin aislamiento que funcione, grade_class se niega y estas
# pruebas fallan (ver también test_grading_isolation.py::test_ci_has_a_working_sandbox).
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SANDBOX.path is None and not IN_CI, reason=f"sin aislamiento: {SANDBOX.message}"
    ),
]
_PR_SET_CHILD_SUBREAPER = 36


def _tree_digest(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and ".git" not in path.parts and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from coursekit.instructor.grading.grader import grade_class

    folder = tmp_path_factory.mktemp("clase")
    archive = build_moodle_zip(folder / "entregas.zip")
    before = (
        _tree_digest(ROOT / "hidden_tests"),
        (ROOT / "README.md").read_bytes(),
        archive.read_bytes(),
    )
    out = folder / "salida"
    # 300 s por entrega: con 150 s, las tres entregas del lab 01 completas no terminaban en la
    # máquina de 2 núcleos compartida (carga 12–15); el bucle infinito lo corta cell_timeout.
    limits = Limits(cell_timeout=30, total_timeout=300, probe_timeout=30, memory_mb=4096)
    # Este proceso hace de «subreaper» mientras corrige: lo que una entrega dejara vivo (p. ej.
    # la bomba de fork) quedaría colgando de él, con cualquier usuario, y no de init.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        run = grade_class(archive, "01", out, workers=2, limits=limits)
        left = [
            p.pid
            for p in psutil.Process().children(recursive=True)
            if p.status() != psutil.STATUS_ZOMBIE
        ]
    finally:
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    after = (
        _tree_digest(ROOT / "hidden_tests"),
        (ROOT / "README.md").read_bytes(),
        archive.read_bytes(),
    )
    with (out / "notas.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["nombre"]: row for row in csv.DictReader(handle, delimiter=";")}
    run.left_behind = left
    return run, rows, out, before, after


def test_every_submission_has_its_expected_row(graded):
    _, rows, _, _, _ = graded
    assert set(rows) == set(EXPECTED)
    wrong = {}
    for student, (points, status, reason) in EXPECTED.items():
        row = rows[student]
        if (row["total"], row["estado"]) != (str(points), status) or reason not in row["motivo"]:
            wrong[student] = (row["total"], row["estado"], row["motivo"])
    assert wrong == {}


def test_partial_submission_gets_exactly_its_points(graded):
    _, rows, _, _, _ = graded
    row = rows["Entrega Parcial"]
    assert (row["01-tokenizar"], row["01-subconjunto-aleatorio"], row["01-tokens-por-batch"]) == (
        "3",
        "2",
        "2",
    )
    assert rows["Solución Completa"]["máximo"] == "8"
    assert rows["Solución Completa"]["id"] == "10001"


def _printed(out, rows, student) -> str:
    path = out / "ejecutados" / f"{rows[student]['id']}.ipynb"
    executed = json.loads(path.read_text(encoding="utf-8"))
    return "".join("".join(o.get("text", "")) for o in executed["cells"][1]["outputs"])


def test_hostile_submissions_cannot_see_or_touch_the_instructor_files(graded):
    _, rows, out, before, after = graded
    assert before == after  # grading/, README.md y el zip de entregas intactos
    text = _printed(out, rows, "Busca Pruebas")
    assert "HALLADOS:" in text
    assert str(ROOT / "hidden_tests") not in text and "hidden_tests/lab01.py" not in text
    assert "NO PUEDO ESCRIBIR" in _printed(out, rows, "Borra Todo")


def test_fork_bomb_left_no_process_behind(graded):
    run, _, _, _, _ = graded
    assert run.left_behind == []


def test_feedback_is_spanish_and_shows_hints_not_answers(graded):
    _, rows, out, _, _ = graded
    student_id = rows["Entrega Parcial"]["id"]
    feedback = (out / "retroalimentacion" / f"{student_id}.md").read_text(encoding="utf-8")
    assert "Nota: **7 de 8** puntos." in feedback
    assert "❌ reproducible con la semilla: la misma semilla no da" in feedback
    assert "shuffle(seed=" not in feedback  # la pista no dicta el código
    summary = (out / "resumen.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in summary and "Fallos agrupados por pista" in summary
    assert len(list((out / "ejecutados").glob("*.ipynb"))) == EXECUTED


def _seen_inside(out, rows) -> dict[str, str]:
    lines = _printed(out, rows, "Busca Pruebas").splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def test_submissions_run_isolated_as_seen_from_inside(graded):
    """Desde dentro de la entrega: otro usuario (ni root ni el del corrector), sin red y en
    su propio espacio de PID (pid 1 es bwrap y el proceso del corrector no se ve)."""
    _, rows, out, _, _ = graded
    seen = _seen_inside(out, rows)
    uid = int(seen["UID"])
    assert uid != 0 and uid != os.getuid() and uid >= 61000
    assert seen["INTERFACES"] == "['lo']"
    assert seen["RED"] == str(errno.ENETUNREACH)
    assert seen["PID1"] == "bwrap" and int(seen["PID"]) < 100
    assert seen["VE_CORRECTOR"] == "False"


def test_absurd_probe_data_scores_zero_with_a_reason_and_the_lms_file_is_safe(graded):
    """Datos absurdos de las sondas (listas enormes, textos larguísimos, NaN): cero en cada
    ejercicio con el motivo, sin llegar a los jueces; el resto de la clase sale como debe
    (test_every_submission_has_its_expected_row). Ninguna celda del CSV para el LMS empieza
    una fórmula, aunque un nombre de carpeta lo intente."""
    _, rows, out, _, _ = graded
    feedback = (out / "retroalimentacion" / f"{rows[ABSURD]['id']}.md").read_text("utf-8")
    assert feedback.count("datos de la sonda no válidos") == 8  # una por parte, 8 partes
    with (out / "notas_lms.csv").open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in list(csv.reader(handle))[1:] for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert any(c.startswith("'=HYPERLINK(") for c in cells)


def test_the_class_gives_lms_files_and_rejudges_from_stored_probes(graded, tmp_path):
    """La clase de prueba produce la hoja y el zip de Moodle y el CSV de Canvas con los ids del
    zip, y volver a juzgar con las sondas guardadas da la misma tabla sin ejecutar nada."""
    import shutil
    import zipfile

    from coursekit.instructor.grading.finalize import FinishOptions, finish
    from coursekit.instructor.grading.rejudge import rejudge

    _, rows, out, _, _ = graded
    copy = tmp_path / "correccion"
    shutil.copytree(out, copy)
    before = (copy / "notas.csv").read_bytes()
    rejudge(copy, "01")
    assert (copy / "notas.csv").read_bytes() == before
    options = FinishOptions(moodle_sheet=True, moodle_zip=True, canvas_assignment="Lab 01")
    finish(copy, "01", options)
    ids = {row["id"] for row in rows.values()}
    with (copy / "moodle_hoja_calificaciones.csv").open(encoding="utf-8", newline="") as handle:
        sheet = list(csv.reader(handle))
    assert sheet[0][0] == "Identificador" and "Última modificación (calificación)" in sheet[0]
    assert {row[0] for row in sheet[1:]} == {f"Participante {i}" for i in ids}
    with zipfile.ZipFile(copy / "moodle_retroalimentacion.zip") as bundle:
        folders = {name.split("/")[0].split("_", 4)[1] for name in bundle.namelist()}
    assert folders == ids
    with (copy / "canvas_calificaciones.csv").open(encoding="utf-8", newline="") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert {row[1] for row in canvas[2:]} == ids
