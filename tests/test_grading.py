"""Corrector del instructor, partes rápidas: formatos de entrega, lab de un notebook,
notas.csv, puntos y pistas, resumen.html y línea de comandos (sin ejecutar notebooks)."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

from coursekit.cli import build_parser
from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import ExecutionResult, _interpret, prepare
from coursekit.instructor.grading.grader import normalize_lab
from coursekit.instructor.grading.hidden import HiddenTest, LabTests, load_lab_tests
from coursekit.instructor.grading.layouts import (
    Submission,
    UnreadableNotebook,
    discover,
    identify_lab,
    open_submissions,
    read_notebook_json,
)
from coursekit.instructor.grading.reports import (
    failures_by_hint,
    feedback_text,
    write_grades_csv,
    write_summary_html,
)
from coursekit.instructor.grading.scoring import format_points, grade, judge_exercise

ROOT = Path(__file__).resolve().parents[1]


def _notebook(lab: str = "02") -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Lab {lab} · Algo\n"]},
        {"cell_type": "code", "metadata": {}, "source": f'check("{lab}-x", a=1)', "outputs": []},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# --- formatos de entrega -------------------------------------------------------------------


def test_moodle_zip_gives_name_and_id(tmp_path):
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Ana María Pérez_12345_assignsubmission_file_/02_trainer.ipynb", "{}")
        bundle.writestr("Luis Gómez_678_assignsubmission_file_/Copia de 02_trainer.ipynb", "{}")
        bundle.writestr("Sin Notebook_999_assignsubmission_file_/informe.pdf", "pdf")
        bundle.writestr("../fuera.ipynb", "{}")  # una ruta que se sale: se ignora
    subs = open_submissions(archive, tmp_path / "tmp")
    assert [(s.student_id, s.name, s.original_name, s.layout) for s in subs] == [
        ("12345", "Ana María Pérez", "02_trainer.ipynb", "moodle"),
        ("678", "Luis Gómez", "Copia de 02_trainer.ipynb", "moodle"),
        ("999", "Sin Notebook", "informe.pdf", "moodle"),
    ]
    assert subs[2].path is None
    assert not (tmp_path / "fuera.ipynb").exists()


def test_canvas_zip_gives_login_and_id(tmp_path):
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("submissions/perezana_12345_678_02_trainer.ipynb", "{}")
        bundle.writestr("submissions/gomezluis_LATE_222_333_Copia de 02_trainer.ipynb", "{}")
    subs = open_submissions(archive, tmp_path / "tmp")
    assert [(s.student_id, s.name, s.original_name, s.layout) for s in subs] == [
        ("12345", "perezana", "02_trainer.ipynb", "canvas"),
        ("222", "gomezluis", "Copia de 02_trainer.ipynb", "canvas"),
    ]


def test_flat_folder_uses_file_names_and_keeps_duplicates_apart(tmp_path):
    (tmp_path / "Copia de 02_trainer.ipynb").write_text("{}")
    (tmp_path / "copia_de_02_trainer.ipynb").write_text("{}")
    (tmp_path / "notas.txt").write_text("no es un notebook")
    subs = discover(tmp_path)
    assert [s.student_id for s in subs] == ["copia_de_02_trainer", "copia_de_02_trainer-2"]
    assert {s.layout for s in subs} == {"plano"}


def test_missing_or_empty_source_is_a_spanish_error(tmp_path):
    with pytest.raises(CourseError, match="No existe"):
        open_submissions(tmp_path / "nada.zip", tmp_path)
    with pytest.raises(CourseError, match="No encontré entregas"):
        open_submissions(tmp_path, tmp_path)
    (tmp_path / "roto.zip").write_bytes(b"no es un zip")
    with pytest.raises(CourseError, match="no es un zip válido"):
        open_submissions(tmp_path / "roto.zip", tmp_path / "x")


# --- qué lab es y si se puede leer -----------------------------------------------------------


def test_identify_lab_by_content_not_by_name():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert identify_lab(notebook) == path.name[:2]
    assert identify_lab({"cells": [{"cell_type": "code", "source": "print(1)"}]}) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vacío"),
        (b'{"cells": [', "JSON del notebook está roto"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "estructura de un notebook"),
    ],
)
def test_unreadable_notebooks_say_why(tmp_path, content, message):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    with pytest.raises(UnreadableNotebook, match=message):
        read_notebook_json(path)


def test_prepare_reports_other_lab_and_unreadable(tmp_path):
    other = tmp_path / "otro.ipynb"
    other.write_text(_notebook("01"))
    _, result = prepare(Submission("1", "A", other, "otro.ipynb", "plano"), "02")
    assert (result.status, result.reason) == (
        "otro lab",
        "este notebook es del lab 01, no del lab 02: no se corrige.",
    )
    empty = tmp_path / "vacio.ipynb"
    empty.write_bytes(b"")
    _, result = prepare(Submission("2", "B", empty, "vacio.ipynb", "plano"), "02")
    assert result.status == "vacía"
    notebook, result = prepare(Submission("3", "C", other, "x", "plano"), "01")
    assert result is None and notebook.cells[1].source == 'check("01-x", a=1)'


def test_normalize_lab():
    assert normalize_lab(2) == normalize_lab("02") == normalize_lab("02_trainer") == "02"
    with pytest.raises(CourseError, match="--lab"):
        normalize_lab("trainer")


# --- puntos ----------------------------------------------------------------------------------


def _probe(ns):
    return ns["x"]


def _judge(value):
    return {"a": None if value["a"] == 1 else "a mal.", "b": None if value["b"] == 2 else "b mal."}


TESTS = LabTests(
    "09",
    (
        HiddenTest("09-uno", {"a": 1, "b": 2}, _probe, _judge),
        HiddenTest("09-dos", {"todo": 1.5}, _probe, lambda value: {"todo": None}),
    ),
)


def _result(status="corregida", probes=None, name="Ana"):
    sub = Submission(name.lower(), name, Path("x.ipynb"), "x.ipynb", "plano")
    return ExecutionResult(sub, status, probes=probes or {})


def test_partial_credit_per_part_and_judge_errors_fail_safe():
    student = grade(
        _result(probes={"09-uno": {"ok": True, "value": {"a": 1, "b": 5}}, "09-dos": {"ok": True}}),
        TESTS,
    )
    assert [e.points for e in student.exercises] == [1.0, 1.5]
    assert (student.total, student.max_points) == (2.5, 4.5)
    assert student.exercises[0].parts[1].hint == "b mal."
    crashed = judge_exercise(TESTS.tests[0], {"ok": True, "value": "no es un dict"})
    assert crashed.points == 0 and "forma esperada" in crashed.parts[0].hint


def test_unsolved_and_not_run_exercises_score_zero_with_a_reason():
    unsolved = judge_exercise(
        TESTS.tests[0], {"ok": False, "error": "NameError: name 'x' is not defined"}
    )
    assert unsolved.points == 0 and "sin resolver" in unsolved.parts[0].hint
    not_run = grade(_result(status="ilegible"), TESTS)
    assert not_run.total == 0 and "no llegó a ejecutarse" in not_run.exercises[0].parts[0].hint


def test_interpret_kernel_death_and_pending_exercises():
    report = {
        "cells": [
            {"index": 3, "status": "error", "error": "ExerciseNotDone: «01-a» sin resolver"},
            {"index": 4, "status": "error", "error": "ExerciseNotDone: «01-a» sin resolver"},
            {"index": 5, "status": "error", "error": "NameError: name 'a' is not defined"},
        ],
        "kernel_died": None,
        "probes": {},
    }
    sub = Submission("1", "A", None, "x", "plano")
    result = _interpret(sub, report)
    assert result.reason == (
        "1 ejercicio sin resolver; 1 celda con error (la primera: celda 5: NameError: name 'a' "
        "is not defined)."
    )
    died = _interpret(sub, {**report, "kernel_died": 7})
    assert died.status == "kernel muerto" and "celda 7" in died.reason


def test_format_points_uses_decimal_comma():
    assert [format_points(v) for v in (2, 2.5, 1 / 3)] == ["2", "2,5", "0,33"]


# --- informes ----------------------------------------------------------------------------------


def _grades():
    good = {"09-uno": {"ok": True, "value": {"a": 1, "b": 2}}, "09-dos": {"ok": True}}
    bad = {"09-uno": {"ok": True, "value": {"a": 0, "b": 2}}, "09-dos": {"ok": True}}
    return [
        grade(_result(probes=good, name="Ana"), TESTS),
        grade(_result(probes=bad, name='Íñigo; "el raro"'), TESTS),
        grade(_result(status="vacía", name="Eva"), TESTS),
    ]


def test_grades_csv_opens_in_excel_and_has_an_lms_twin(tmp_path):
    write_grades_csv(_grades(), TESTS, tmp_path)
    raw = (tmp_path / "notas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel lo abre como UTF-8
    with (tmp_path / "notas.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == [
        "id", "nombre", "archivo", "09-uno", "09-dos", "total", "máximo", "estado", "motivo"
    ]  # fmt: skip
    assert rows[1][3:8] == ["3", "1,5", "4,5", "4,5", "corregida"]
    assert rows[2][1] == 'Íñigo; "el raro"' and rows[2][5] == "3,5"
    with (tmp_path / "notas_lms.csv").open(encoding="utf-8", newline="") as handle:
        lms = list(csv.reader(handle))
    assert lms[2][5] == "3.5" and lms[3][7] == "vacía"


def test_feedback_lists_passed_and_failed_parts_with_hints():
    text = feedback_text(_grades()[1], "09")
    assert "Nota: **3,5 de 4,5** puntos." in text
    assert "- ❌ a: a mal." in text and "- ✅ b" in text and "## ✅ 09-dos: 1,5 de 1,5" in text


def test_summary_html_has_plot_statuses_and_failures_by_hint(tmp_path):
    grades = _grades()
    assert failures_by_hint(grades) == [("09-uno", "a", "a mal.", 1)]
    html = write_summary_html(grades, TESTS, tmp_path, ["cuidado"]).read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "<td>vacía</td><td>1</td>" in html and "a mal." in html and "⚠️ cuidado" in html
    # Un nombre hostil que sí llega a la página (tabla de entregas con problemas): escapado.
    hostile = '<img src=x onerror=alert(1)> Íñigo "el raro"'
    weird = grade(_result(status="ilegible", name=hostile), TESTS)
    weird.result.reason = "no se pudo leer: <b>JSON</b> roto"
    page = write_summary_html([*grades, weird], TESTS, tmp_path, []).read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt; Íñigo &quot;el raro&quot;" in page
    assert "<img src=x" not in page and "&lt;b&gt;JSON&lt;/b&gt; roto" in page


# --- pruebas ocultas y CLI -----------------------------------------------------------------------


def test_hidden_tests_live_outside_the_package_and_declare_points():
    import coursekit

    package = Path(coursekit.__file__).parent
    defines = re.compile(r"^LAB_TESTS = ", re.MULTILINE)
    judges = [p for p in package.rglob("*.py") if defines.search(p.read_text(encoding="utf-8"))]
    assert judges == []  # los jueces no viajan con el paquete que instalan los estudiantes
    points_per_lab = {"01": 8, "02": 5, "03": 6, "04": 9, "05": 6, "06": 4, "07": 5}
    for lab, points in points_per_lab.items():
        tests = load_lab_tests(lab, ROOT / "hidden_tests")
        assert tests.lab == lab and tests.max_points == points
        for test in tests.tests:
            compile(test.probe_source(), "<sonda>", "exec")  # la sonda viaja sola al kernel
    with pytest.raises(CourseError, match="No hay pruebas ocultas para el lab 99"):
        load_lab_tests("99", ROOT / "hidden_tests")


def test_wheel_does_not_ship_hidden_tests():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["coursekit*"]


def test_cli_has_grade_subcommand():
    args = build_parser().parse_args(["grade", "entregas.zip", "--lab", "02", "--workers", "3"])
    assert (args.submissions, args.lab, args.workers, args.out) == (
        "entregas.zip",
        "02",
        3,
        "correccion",
    )


INSIDE = """
import os, sys
print('UID:', os.getuid())
print('CWD:', os.getcwd())
print('CHECKPOINTS:', os.environ['COURSE_CHECKPOINT_DIR'])
print('TMP:', os.environ['TMPDIR'], os.environ['IPYTHONDIR'], os.environ['MPLCONFIGDIR'])
try:
    import hidden_tests
    print('PRUEBAS: importables')
except ImportError:
    print('PRUEBAS: no')
"""


@pytest.mark.slow
def test_without_sandbox_grading_still_works_and_warns(tmp_path, capsys):
    """Con --no-sandbox se corrige igual, con un aviso de lo que expone, y cada entrega tiene
    su carpeta (trabajo, temporales, puntos de control), nunca corre como root y no puede
    importar las pruebas ocultas (antes: PYTHONPATH en la raíz del repositorio, la carpeta del
    corrector, /entrega/checkpoints compartida y, como root, el uid 0)."""
    import os
    import tempfile

    from coursekit.instructor.grading.grader import grade_class, no_sandbox_warning
    from coursekit.instructor.grading.sandbox import BASE_UID, Limits, unprivileged_python_problem

    if os.getuid() == 0 and (problem := unprivileged_python_problem(BASE_UID)):
        pytest.skip(f"como root sin aislamiento, el uid {BASE_UID} no puede usar este Python "
                    f"(el corrector se niega: test_grading_isolation.py): {problem}")  # fmt: skip

    code = "import torch\nbatch = {'input_ids': torch.zeros(4, 9)}\ndynamic_positions = 36\n"
    notebook = json.loads(_notebook("01"))
    notebook["cells"][1]["source"] = code + "max_length_positions = 4 * 512"
    notebook["cells"].append({**notebook["cells"][1], "source": INSIDE})
    (tmp_path / "entregas").mkdir()
    (tmp_path / "entregas" / "ana.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    limits = Limits(cell_timeout=60, total_timeout=120, probe_timeout=30)
    run = grade_class(tmp_path / "entregas", "01", tmp_path / "out", workers=1, limits=limits,
                      sandbox=False)  # fmt: skip
    assert run.warnings == [no_sandbox_warning()]
    assert "SIN aislamiento" in capsys.readouterr().out
    assert "SIN aislamiento" in (tmp_path / "out" / "resumen.html").read_text(encoding="utf-8")
    assert [e.points for e in run.grades[0].exercises] == [0, 0, 2]
    executed = json.loads((tmp_path / "out" / "ejecutados" / "ana.ipynb").read_text("utf-8"))
    text = "".join("".join(o.get("text", "")) for o in executed["cells"][2]["outputs"])
    seen = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    uid, cwd = int(seen["UID"]), seen["CWD"]
    assert uid != 0 and (uid >= 61000 if os.getuid() == 0 else uid == os.getuid())
    assert cwd.startswith(os.path.join(tempfile.gettempdir(), "coursekit-entrega-"))
    assert seen["CHECKPOINTS"] == f"{cwd}/checkpoints"
    assert all(path.startswith(f"{cwd}/tmp") for path in seen["TMP"].split())
    assert seen["PRUEBAS"] == "no" and not os.path.exists(cwd)  # y se borró al acabar


def test_skipped_cells_never_include_what_the_probes_read():
    """Lab 02 salta entrenamientos de exhibición, pero no una celda que defina lo que se corrige
    (aunque el estudiante haya juntado su respuesta con un ``trainer.train()``)."""
    from coursekit.instructor.grading.run_one import _defined_names

    tests = load_lab_tests("02", ROOT / "hidden_tests")
    merged = "def compute_metrics(p):\n    return {}\ntrainer.train()"
    assert "compute_metrics" in _defined_names(merged)
    assert _defined_names("trainer.train(compute_metrics=compute_metrics)") == set()
    assert set(tests.keep_names) == {"compute_metrics", "training_args", "other_lr_args"}


@pytest.mark.parametrize("lab", ["01", "02", "03", "04", "05", "06", "07"])
def test_probes_read_names_the_solution_defines(lab):
    """Las sondas leen variables del notebook del estudiante: si el lab cambia un nombre (el
    lab 02 pasó de seed_lr_args a other_lr_args), la corrección daría cero a todos."""
    import nbformat

    from coursekit.instructor.grading.run_one import _defined_names

    tests = load_lab_tests(lab, ROOT / "hidden_tests")
    solution = next((ROOT / "solutions").glob(f"{lab}_*.ipynb"))
    defined = set()
    for cell in nbformat.read(solution, as_version=4).cells:
        if cell.cell_type == "code":  # una magia sangrada (%pip dentro de un if) → pass
            lines = cell.source.splitlines()
            code = "\n".join(
                line[: len(line) - len(line.lstrip())] + "pass"
                if line.lstrip().startswith(("%", "!"))
                else line
                for line in lines
            )
            defined |= _defined_names(code)
    assert set(tests.keep_names) <= defined


def test_lab02_learning_rate_judge_accepts_the_profile_comparison_rate():
    from coursekit.profiles import get_profile

    tests = load_lab_tests("02", ROOT / "hidden_tests")
    test = next(t for t in tests.tests if t.exercise == "02-tasa-de-aprendizaje")
    judge, same_settings = test.judge, test.helpers[0]
    names = ("learning_rate", "output_dir", *same_settings())
    reference = {n: "1" for n in names}
    new = {**reference, "output_dir": "'otra'"}
    new["learning_rate"] = repr(get_profile("ci").comparison_learning_rate)
    seen = {"type": "TrainingArguments", "new": new, "reference": reference}
    verdict = judge(seen)
    assert verdict["learning_rate"] is None and verdict["otra carpeta"] is None
    seen["new"] = {**new, "learning_rate": repr(5e-5 if new["learning_rate"] != "5e-05" else 1e-3)}
    assert judge(seen)["learning_rate"] is not None


def test_lab03_compile_counts_only_when_the_student_compiled():
    """KerasHub ya compila el modelo con Adam, la pérdida y la métrica buenas (y su propia
    tasa): el notebook sin hacer no debe llevarse esos puntos."""
    from coursekit.profiles import get_profile

    test = load_lab_tests("03", ROOT / "hidden_tests").tests[1]
    rate = get_profile("ci").learning_rate
    seen = {
        "compiled": True,
        "optimizer": "Adam",
        "learning_rate": 5e-5 if rate != 5e-5 else 1e-3,
        "loss": {  # datos en bruto de loss_facts: el juez los interpreta
            "text": None,
            "class": "SparseCategoricalCrossentropy",
            "function": "",
            "config": True,
            "logits": True,
        },
        "metrics": ["sparsecategoricalaccuracy"],
    }
    assert judge_exercise(test, {"ok": True, "value": seen}).points == 0
    mine = {**seen, "learning_rate": rate, "metrics": ["mean"]}
    score = judge_exercise(test, {"ok": True, "value": mine})
    assert score.points == 2 and score.parts[2].hint == "falta la métrica de exactitud."


def test_python_mounts_come_after_the_empty_tmp(monkeypatch):
    """Un CI que clona en /tmp deja el entorno y el paquete bajo /tmp: si se montan antes del
    tmpfs de /tmp, el /tmp vacío los tapa y ninguna entrega arranca (falló en CI así)."""
    import sys as _sys

    from coursekit.instructor.grading import sandbox

    monkeypatch.setattr(_sys, "prefix", "/tmp/clon/.venv")
    command, _ = sandbox.build_command("/usr/bin/bwrap", sandbox.Limits())
    tmp_mount = next(
        i for i in range(len(command) - 1) if command[i] == "--tmpfs" and command[i + 1] == "/tmp"
    )
    venv_bind = next(
        i
        for i in range(len(command) - 2)
        if command[i] == "--ro-bind" and command[i + 2] == "/tmp/clon/.venv"
    )
    assert venv_bind > tmp_mount


# --- labs 06 y 07: las variantes de tests/mutants pierden puntos; las alternativas, no ---------


def _variant_scores(lab, exercise, observe):
    """Puntos de la solución y de cada variante de ``exercise``: ``observe(variant, test)``
    devuelve lo que la sonda vería en el kernel (la sonda se ejecuta aquí, en proceso)."""
    from mutants.runner import lab_module, solution

    test = next(
        t for t in load_lab_tests(lab, ROOT / "hidden_tests").tests if t.exercise == exercise
    )
    mine = [v for v in lab_module(lab).VARIANTS if v.exercise == exercise]
    variants = [solution(exercise), *mine]
    scores = {}
    for variant in variants:
        try:
            observation = {"ok": True, "value": observe(variant, test)}
        except Exception as error:  # lo mismo que la sonda en el kernel: error → sin puntos
            observation = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        observation = json.loads(json.dumps(observation, default=repr))  # como desde el kernel
        scores[variant] = judge_exercise(test, observation).points
    return test.points, scores


@pytest.mark.parametrize(
    "lab, exercise",
    [
        ("06", "06-tokens-virtuales"),
        ("06", "06-longitud-con-prompt"),
        ("07", "07-grupos-llrd"),
        ("07", "07-puntos-sobre-base"),
    ],
)
def test_hidden_tests_of_labs_06_07_take_points_from_every_mutant(lab, exercise):
    import nbformat
    from mutants.runner import exercise_cells, lab_notebook, replace_region, run_solution_cell

    notebook = nbformat.read(lab_notebook(lab), as_version=4)
    history = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    exercise_cell = exercise_cells(lab)[exercise][0]

    def observe(variant, test):
        names = run_solution_cell(variant)
        source = exercise_cell
        if variant.name != "solucion":
            source = replace_region(exercise_cell, variant.exercise, variant.code)
        # El historial del kernel: todas las celdas del notebook, con la de la variante (otras
        # celdas nombran lo mismo en comentarios o en la comprobación).
        names["In"] = [source if cell == exercise_cell else cell for cell in history]
        return test.probe(names)

    full, scores = _variant_scores(lab, exercise, observe)
    for variant, points in scores.items():
        if variant.correct:
            assert points == full, variant.id
        else:
            assert points < full, variant.id


def test_lab07_hidden_points_use_another_table_than_the_notebook():
    """La sonda vuelve a ejecutar la celda del estudiante con una tabla de 5 clases: una
    respuesta escrita a mano para la tabla del notebook no sirve."""
    test = load_lab_tests("07", ROOT / "hidden_tests").tests[1]
    typed = 'results["puntos sobre la línea base"] = [19.5, 26.0, 22.5, 5.0, -0.5, 14.0]'
    with pytest.raises(Exception, match="Length of values"):
        test.probe({"In": [typed]})
    score = judge_exercise(test, {"ok": False, "error": "ValueError: Length of values"})
    assert score.points == 0


# --- labs 04 y 05: las mismas variantes que las comprobaciones (tests/mutants/) --------------


def _hidden_score(variant, namespace=None):
    """Puntos de la prueba oculta: la celda de la variante, la sonda en este proceso (como en el
    kernel: viaja sola, ida y vuelta por JSON) y el juez. Si la celda o la sonda fallan con las
    entradas ocultas, cuenta como en el kernel: una observación fallida."""
    import warnings

    from mutants.runner import run_solution_cell

    tests = load_lab_tests(variant.exercise[:2], ROOT / "hidden_tests")
    test = next(t for t in tests.tests if t.exercise == variant.exercise)
    probe_namespace = {}
    exec(compile(test.probe_source(), "<sonda>", "exec"), probe_namespace)  # viaja sola
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            answers = run_solution_cell(variant, namespace)
            value = probe_namespace[test.probe.__name__](answers)
            observed = {"ok": True, "value": json.loads(json.dumps(value, default=repr))}
        except Exception as error:  # como la sonda en el kernel
            observed = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return judge_exercise(test, observed), test.points


def _variants(exercise):
    from mutants.runner import all_variants, solution

    return [solution(exercise)] + [v for v in all_variants() if v.exercise == exercise]


@pytest.mark.parametrize(
    "exercise", ["04-paso-de-entrenamiento", "04-bucle-de-evaluacion", "05-lora-config"]
)
def test_hidden_tests_take_points_from_every_mutant(exercise):
    """Solución y alternativas: nota completa; cada error plausible pierde puntos."""
    from mutants.runner import lab_module

    module = lab_module(exercise[:2])
    for variant in _variants(exercise):
        score, points = _hidden_score(variant, module.namespace(exercise))
        if variant.correct:
            assert score.points == points, (variant.id, [p.hint for p in score.parts])
        else:
            assert score.points < points, variant.id


@pytest.fixture(scope="module")
def lab05_count_namespace():
    """Lo que ve el ejercicio 1 del lab 05 en el perfil ``ci`` (MiniLM real, cabeza de 2)."""
    from peft import get_peft_model

    from coursekit import data
    from coursekit.method_settings import course_lora_config
    from coursekit.models import load_classifier

    class_names = data.label_names(data.load_course_dataset("ci"))
    model = load_classifier("ci", class_names)
    base_parameters = model.num_parameters()
    config = course_lora_config()
    lora_model = get_peft_model(model, config)
    return {"model": model, "lora_config": config, "class_names": class_names,
            "base_parameters": base_parameters, "lora_model": lora_model}  # fmt: skip


@pytest.mark.slow  # carga los datos y MiniLM del perfil ci (~30 s en la máquina compartida)
def test_lab05_count_judge_recounts_outside_the_kernel(lab05_count_namespace):
    for variant in _variants("05-parametros-a-mano"):
        score, points = _hidden_score(variant, dict(lab05_count_namespace))
        if variant.correct:
            assert score.points == points, (variant.id, [p.hint for p in score.parts])
        else:
            assert score.points < points, variant.id


def test_lab04_judges_give_partial_credit_per_part():
    """Un train_step que solo olvida el scheduler conserva los puntos del recorte y de la
    pérdida; una evaluación en modo entrenamiento pierde ese punto (y los de las métricas que
    cambian con el dropout), no el de los gradientes."""
    from mutants.runner import all_variants, lab_module

    variants = {v.id: v for v in all_variants()}
    module = lab_module("04")
    score, _ = _hidden_score(
        variants["04-paso-de-entrenamiento:sin-scheduler"],
        module.namespace("04-paso-de-entrenamiento"),
    )
    lost = {part.name for part in score.parts if part.hint}
    assert "avanza el scheduler" in lost
    assert not lost & {"devuelve la pérdida", "recorta antes de actualizar"}
    score, _ = _hidden_score(
        variants["04-bucle-de-evaluacion:sin-eval"], module.namespace("04-bucle-de-evaluacion")
    )
    lost = {part.name for part in score.parts if part.hint}
    assert "modo evaluación" in lost and "sin gradientes" not in lost


# --- labs 01 a 03: las pruebas ocultas frente a la tabla de mutantes de las comprobaciones ---

_MUTANT_LABS = ("01", "02", "03")


def _variants_with_hidden_tests():
    from mutants.runner import all_variants, solution

    variants = [v for v in all_variants() if v.exercise[:2] in _MUTANT_LABS]
    return [*(solution(e) for e in sorted({v.exercise for v in variants})), *variants]


@pytest.mark.slow  # ejecuta cada variante y su sonda (TensorFlow para el lab 03): ~1–3 min
@pytest.mark.parametrize("variant", _variants_with_hidden_tests(), ids=lambda v: v.id)
def test_hidden_tests_of_labs_01_03_take_points_from_every_mutant(variant):
    """Los mismos mutantes que rechaza la comprobación pública pierden puntos en la oculta, y
    la solución y las alternativas sacan todos los puntos (entradas distintas)."""
    score, _ = _hidden_score(variant)
    failed = [(part.name, part.hint) for part in score.parts if part.hint]
    if variant.correct:
        assert failed == [], failed
    else:
        assert score.points < score.max_points, f"{variant.mistake}: sin perder puntos"


def _loaded_names(source: str) -> set[str]:
    """Nombres que lee una celda (las líneas mágicas, ``%pip``, cuentan como ``pass``)."""
    import ast

    lines = [
        line[: len(line) - len(line.lstrip())] + "pass"
        if line.lstrip().startswith(("%", "!"))
        else line
        for line in source.splitlines()
    ]
    tree = ast.parse("\n".join(lines))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("lab", ["01", "02", "03", "04", "05", "06", "07"])
def test_cells_run_at_grading_time_do_not_need_skipped_cells(lab):
    """Al corregir se saltan las celdas que solo muestran (entrenar, dibujar, predecir): ninguna
    celda que sí se ejecuta puede usar un nombre que solo definen las saltadas. Si no, cada
    entrega correcta sale con «1 celda con error» (pasó con el widget del lab 02, que usa
    ``new_reviews`` de la celda de ``predict_texts``)."""
    import nbformat

    from coursekit.instructor.grading.run_one import _defined_names

    tests = load_lab_tests(lab, ROOT / "hidden_tests")
    skip = [re.compile(pattern) for pattern in tests.skip_cells]
    path = next((ROOT / "solutions").glob(f"{lab}_*.ipynb"))
    cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    skipped = [
        any(p.search(s) for p in skip) and not (_defined_names(s) & set(tests.keep_names))
        for s in cells
    ]
    kept_defs = set().union(
        *(_defined_names(s) for s, out in zip(cells, skipped, strict=True) if not out)
    )
    only_skipped = set().union(
        *(_defined_names(s) for s, out in zip(cells, skipped, strict=True) if out)
    )
    only_skipped -= kept_defs
    for source, out in zip(cells, skipped, strict=True):
        if not out:
            missing = _loaded_names(source) & only_skipped
            assert not missing, f"lab {lab}: {sorted(missing)} en:\n{source[:200]}"
