"""Pruebas del generador de notebooks del estudiante (``coursekit.maintainer.notebook_builder``)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit import cli
from coursekit.errors import CourseError
from coursekit.maintainer.notebook_builder import (
    build_notebooks,
    exercise_ids,
    find_stale_notebooks,
    make_student_notebook,
    solutions_with_outputs,
    strip_outputs,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = 'from coursekit.exercises import todo; todo("{}")'


def comment(exercise_id: str, indent: str = "") -> str:
    return (
        f"{indent}# ✏️ TU CÓDIGO AQUÍ (ejercicio {exercise_id}): sustituye la línea todo(...)\n"
        f"{indent}# por tu código."
    )


def nb_with(*cells):
    nb = new_notebook()
    nb.cells.extend(cells)
    return nb


def code(source, **kwargs):
    return new_code_cell(source, **kwargs)


def write_nb(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def solution_nb():
    return nb_with(
        new_markdown_cell("# Lab 1\nCompleta los ejercicios."),
        code("import math\n# BEGIN SOLUTION ej1\nx = math.sqrt(4)\n# END SOLUTION\nprint(x)"),
        code("# BEGIN SOLUTION\ny = 2\n# END SOLUTION"),
    )


# --- transformación -----------------------------------------------------------


def test_region_replaced_and_surrounding_code_kept():
    student = make_student_notebook(solution_nb(), "lab01.ipynb")
    assert student.cells[1].source == (
        f"import math\n{comment('ej1')}\n{PLACEHOLDER.format('ej1')}\nprint(x)"
    )
    assert "sqrt" not in nbformat.writes(student)
    assert "y = 2" not in nbformat.writes(student)
    assert student.cells[0].source == "# Lab 1\nCompleta los ejercicios."


def test_default_ids_use_notebook_stem_and_position():
    nb = solution_nb()
    assert exercise_ids(nb, "lab01.ipynb") == ["ej1", "lab01-2"]
    student = make_student_notebook(nb, "lab01.ipynb")
    assert student.cells[2].source == (f"{comment('lab01-2')}\n{PLACEHOLDER.format('lab01-2')}")


def test_indentation_is_kept():
    nb = nb_with(
        code("def f(x):\n    # BEGIN SOLUTION ej2\n    return x * 2\n    # END SOLUTION\n\nf(1)")
    )
    student = make_student_notebook(nb, "lab.ipynb")
    assert student.cells[0].source == (
        f"def f(x):\n{comment('ej2', '    ')}\n    {PLACEHOLDER.format('ej2')}\n\nf(1)"
    )
    compile(student.cells[0].source, "<celda>", "exec")  # sigue siendo Python válido


@pytest.mark.parametrize(
    "signature",
    [
        "def compute_metrics(eval_pred):",
        "def make(\n    subset,\n    shuffle: bool = False,\n) -> dict:",
        '@decorator\ndef f(x):\n    """Devuelve el doble de x."""',
    ],
)
def test_function_exercise_keeps_its_signature(signature):
    """Un ejercicio que pide escribir una función conserva su firma (y su docstring): el
    estudiante escribe solo el cuerpo, en lugar de la línea todo(...)."""
    solution = f"{signature}\n    # el truco está aquí\n    return secret(x)"
    nb = nb_with(code(f"x = 1\n# BEGIN SOLUTION ej3\n{solution}\n# END SOLUTION\nprint(x)"))
    student = make_student_notebook(nb, "lab.ipynb").cells[0].source
    assert student == (
        f"x = 1\n{signature}\n{comment('ej3', '    ')}\n    {PLACEHOLDER.format('ej3')}\nprint(x)"
    )
    assert "secret" not in student and "truco" not in student
    compile(student.replace("@decorator\n", ""), "<celda>", "exec")


@pytest.mark.parametrize(
    "region",
    [
        "def f(x):\n    return x\ndef g(x):\n    return x",  # dos funciones
        "y = 2",  # no es una función
        'def f(x):\n    """solo docstring"""',
        "def roto(:\n    pass",  # no es Python válido
    ],
)
def test_other_regions_get_the_plain_placeholder(region):
    nb = nb_with(code(f"# BEGIN SOLUTION ej4\n{region}\n# END SOLUTION"))
    student = make_student_notebook(nb, "lab.ipynb").cells[0].source
    assert student == f"{comment('ej4')}\n{PLACEHOLDER.format('ej4')}"


def test_several_regions_in_one_cell():
    nb = nb_with(
        code(
            "# BEGIN SOLUTION a\n1\n# END SOLUTION\nmid = 0\n# BEGIN SOLUTION b\n2\n# END SOLUTION"
        )
    )
    assert exercise_ids(nb) == ["a", "b"]
    assert "mid = 0" in make_student_notebook(nb, "x.ipynb").cells[0].source


def test_outputs_and_execution_metadata_removed():
    cell = code("print(1)", execution_count=3)
    cell.outputs = [new_output("stream", name="stdout", text="1\n")]
    cell.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    cell.metadata["tags"] = ["keep-me"]
    nb = nb_with(cell)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}

    for result in (strip_outputs(nb), make_student_notebook(nb, "x.ipynb")):
        out = result.cells[0]
        assert out.outputs == []
        assert out.execution_count is None
        assert "execution" not in out.metadata
        assert out.metadata["tags"] == ["keep-me"]
        assert out.id == cell.id
        assert "widgets" not in result.metadata
        assert result.metadata["kernelspec"]["name"] == "python3"
    # el original no se toca
    assert nb.cells[0].outputs and nb.cells[0].execution_count == 3


def test_solution_only_cells_dropped_and_ids_kept():
    hidden = code("# BEGIN SOLUTION\nsecreto = 1\n# END SOLUTION\nassert secreto")
    hidden.metadata["tags"] = ["solution-only"]
    hidden_md = new_markdown_cell("Notas para el profesor")
    hidden_md.metadata["tags"] = ["solution-only"]
    visible = code("z = 1")
    nb = nb_with(hidden, hidden_md, visible)
    student = make_student_notebook(nb, "x.ipynb")
    assert [c.id for c in student.cells] == [visible.id]
    assert "secreto" not in nbformat.writes(student)


# --- errores de marcadores -----------------------------------------------------


def _error_for(*cells, name="lab07.ipynb") -> str:
    with pytest.raises(CourseError) as info:
        make_student_notebook(nb_with(*cells), name)
    return str(info.value)


@pytest.mark.parametrize(
    "bad_line",
    [
        "# BEGIN SOLUTON",
        "#BEGIN SOLUTION",
        "# begin solution",
        "# END SOLUTIONS",
        "# BEGIN  SOLUTION",
        "# BEGIN_SOLUTION",
        "## BEGIN SOLUTION",
        "# BEIGN SOLUTION",
        "# BEGNI SOLUCOIN",
        "# INICIO SOLUCIÓN",
        "# begin sol",
        "# BEGIN SOLUTION: ej1",
        "x = 1  # END SOLUTION",
        "BEGIN SOLUTION",
    ],
)
def test_mistyped_marker_is_an_error(bad_line):
    message = _error_for(code("a = 1"), code(f"setup = 0\n{bad_line}\nsolucion = 42"))
    assert "lab07.ipynb" in message
    assert "celda 2" in message
    assert "línea 2" in message
    assert "# BEGIN SOLUTION" in message  # explica la sintaxis correcta


def test_mistyped_end_marker_inside_region_is_an_error():
    message = _error_for(code("# BEGIN SOLUTION\nsolucion = 42\n# END SOLUTON\n# END SOLUTION"))
    assert "celda 1" in message and "línea 3" in message


def test_begin_without_end():
    message = _error_for(code("# BEGIN SOLUTION\nsolucion = 42"))
    assert "celda 1" in message and "END SOLUTION" in message


def test_end_without_begin():
    message = _error_for(code("x = 1"), code("y = 2\n# END SOLUTION"))
    assert "celda 2" in message and "línea 2" in message and "BEGIN SOLUTION" in message


def test_region_cannot_span_cells():
    message = _error_for(code("# BEGIN SOLUTION\nx = 1"), code("# END SOLUTION"))
    assert "celda 1" in message


def test_nested_begin():
    message = _error_for(code("# BEGIN SOLUTION a\n# BEGIN SOLUTION b\n# END SOLUTION"))
    assert "celda 1" in message and "línea 2" in message and "anidado" in message


@pytest.mark.parametrize("text", ["# BEGIN SOLUTION", "Mira:\n\n    # end solution"])
def test_marker_in_markdown_is_an_error(text):
    message = _error_for(code("x = 1"), new_markdown_cell(text))
    assert "celda 2" in message and "markdown" in message


def test_duplicate_exercise_ids():
    message = _error_for(
        code("# BEGIN SOLUTION ej1\n1\n# END SOLUTION"),
        code("# BEGIN SOLUTION ej1\n2\n# END SOLUTION"),
    )
    assert "ej1" in message and "celda 2" in message and "celda 1" in message


def test_explicit_id_clashing_with_default_id():
    message = _error_for(
        code("# BEGIN SOLUTION\n1\n# END SOLUTION"),
        code("# BEGIN SOLUTION lab07-1\n2\n# END SOLUTION"),
    )
    assert "lab07-1" in message


def test_ordinary_comments_are_not_markers():
    nb = nb_with(
        code(
            "# Fin de la solución del paso anterior\n# Inicio solicitud HTTP\n"
            "# Esto soluciona el caso vacío\nx = 1"
        ),
        new_markdown_cell("## Solución final\nEl fin de la solución está abajo."),
    )
    student = make_student_notebook(nb, "x.ipynb")
    assert student.cells[0].source.startswith("# Fin de la solución")


# --- archivos ------------------------------------------------------------------------


def test_build_writes_student_notebooks_deterministically(tmp_path):
    solutions = tmp_path / "solutions"
    notebooks = tmp_path / "notebooks"
    write_nb(solutions / "lab01.ipynb", solution_nb())

    written = build_notebooks(solutions, notebooks)
    target = notebooks / "lab01.ipynb"
    assert written == [target]
    first = target.read_bytes()
    assert first.endswith(b"\n")
    assert b"sqrt" not in first

    target.unlink()
    build_notebooks(solutions, notebooks)
    assert target.read_bytes() == first
    # una segunda pasada no tiene nada que cambiar
    assert build_notebooks(solutions, notebooks) == []
    assert build_notebooks(solutions, notebooks, check=True) == []


def test_cell_ids_copied_to_file(tmp_path):
    sol = write_nb(tmp_path / "solutions" / "lab01.ipynb", solution_nb())
    build_notebooks(tmp_path / "solutions", tmp_path / "notebooks")
    original = [c.id for c in nbformat.read(sol, as_version=4).cells]
    built = nbformat.read(tmp_path / "notebooks" / "lab01.ipynb", as_version=4)
    assert [c.id for c in built.cells] == original


def test_check_finds_modified_missing_and_extra(tmp_path):
    solutions = tmp_path / "solutions"
    notebooks = tmp_path / "notebooks"
    write_nb(solutions / "lab01.ipynb", solution_nb())
    write_nb(solutions / "lab02.ipynb", nb_with(code("print('hola')")))
    build_notebooks(solutions, notebooks)
    assert find_stale_notebooks(solutions, notebooks) == []

    # modificado a mano
    edited = nbformat.read(notebooks / "lab01.ipynb", as_version=4)
    edited.cells[0].source += "\nedición a mano"
    nbformat.write(edited, notebooks / "lab01.ipynb")
    # falta
    (notebooks / "lab02.ipynb").unlink()
    # sobra
    write_nb(notebooks / "lab99.ipynb", nb_with(code("1")))
    before = {p.name: p.read_bytes() for p in notebooks.glob("*.ipynb")}

    stale = build_notebooks(solutions, notebooks, check=True)
    assert sorted(p.name for p in stale) == ["lab01.ipynb", "lab02.ipynb", "lab99.ipynb"]
    # check no escribe nada
    assert {p.name: p.read_bytes() for p in notebooks.glob("*.ipynb")} == before

    changed = build_notebooks(solutions, notebooks)
    assert sorted(p.name for p in changed) == ["lab01.ipynb", "lab02.ipynb", "lab99.ipynb"]
    assert sorted(p.name for p in notebooks.glob("*.ipynb")) == ["lab01.ipynb", "lab02.ipynb"]
    assert find_stale_notebooks(solutions, notebooks) == []


def test_check_detects_changed_solution(tmp_path):
    solutions = tmp_path / "solutions"
    notebooks = tmp_path / "notebooks"
    write_nb(solutions / "lab01.ipynb", solution_nb())
    build_notebooks(solutions, notebooks)
    nb = solution_nb()
    nb.cells[0].source = "# Lab 1 (v2)"
    write_nb(solutions / "lab01.ipynb", nb)
    assert find_stale_notebooks(solutions, notebooks) == [notebooks / "lab01.ipynb"]


def test_bad_solution_writes_nothing(tmp_path):
    solutions = tmp_path / "solutions"
    notebooks = tmp_path / "notebooks"
    write_nb(solutions / "lab01.ipynb", solution_nb())
    write_nb(solutions / "lab02.ipynb", nb_with(code("# BEGIN SOLUTON\nsecreto = 1")))
    with pytest.raises(CourseError, match="lab02.ipynb"):
        build_notebooks(solutions, notebooks)
    assert not notebooks.exists() or not list(notebooks.glob("*.ipynb"))


def test_missing_solutions_dir(tmp_path):
    with pytest.raises(CourseError, match="soluciones"):
        build_notebooks(tmp_path / "no-existe", tmp_path / "notebooks")


def test_solutions_with_outputs(tmp_path):
    clean = write_nb(tmp_path / "a.ipynb", nb_with(code("1")))
    dirty_cell = code("1", execution_count=1)
    dirty_cell.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    dirty = write_nb(tmp_path / "b.ipynb", nb_with(dirty_cell))
    counted = write_nb(tmp_path / "c.ipynb", nb_with(code("1", execution_count=5)))
    assert solutions_with_outputs(tmp_path) == [dirty, counted]
    assert clean not in solutions_with_outputs(tmp_path)


# --- línea de comandos ----------------------------------------------------------


def test_cli_build_and_check_exit_codes(tmp_path, capsys):
    solutions = tmp_path / "solutions"
    notebooks = tmp_path / "notebooks"
    write_nb(solutions / "lab01.ipynb", solution_nb())
    args = ["--solutions", str(solutions), "--notebooks", str(notebooks)]

    assert cli.main(["build-notebooks", *args, "--check"]) == 1
    out = capsys.readouterr().out
    assert "lab01.ipynb" in out and "no están al día" in out
    assert not notebooks.exists()

    assert cli.main(["build-notebooks", *args]) == 0
    assert (notebooks / "lab01.ipynb").is_file()
    assert cli.main(["build-notebooks", *args, "--check"]) == 0
    assert "al día" in capsys.readouterr().out


def test_cli_course_error_exit_code_2(tmp_path, capsys):
    code_ = cli.main(["build-notebooks", "--solutions", str(tmp_path / "nada"), "--check"])
    assert code_ == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "Traceback" not in err


def test_cli_strip_outputs(tmp_path, capsys):
    cell = code("print(1)", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text="1\n")]
    path = write_nb(tmp_path / "sucio.ipynb", nb_with(cell))
    assert cli.main(["strip-outputs", str(path)]) == 0
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert solutions_with_outputs(tmp_path) == []
    assert cli.main(["strip-outputs", str(tmp_path / "falta.ipynb")]) == 2


# --- ejecución real del notebook del estudiante -------------------------------------


@pytest.mark.slow
def test_student_placeholder_shows_friendly_error_in_kernel():
    nbclient = pytest.importorskip("nbclient")
    nb = nb_with(
        code("base = 10\n# BEGIN SOLUTION ej1\nresultado = base * 2\n# END SOLUTION"),
        code("print('sigue')"),
    )
    student = make_student_notebook(nb, "lab01.ipynb")
    client = nbclient.NotebookClient(
        student,
        kernel_name="python3",
        timeout=60,
        allow_errors=True,
        resources={"metadata": {"path": str(REPO_ROOT)}},
    )
    client.execute()

    errors = [o for o in student.cells[0].outputs if o.output_type == "error"]
    assert len(errors) == 1
    error = errors[0]
    assert error.ename == "ExerciseNotDone"
    text = "\n".join(error.traceback)
    assert "«ej1»" in text and "sin resolver" in text
    assert "Traceback" not in text
    assert 'File "' not in text
    assert len(error.traceback) == 1
    # las demás celdas se siguen ejecutando
    assert student.cells[1].outputs[0].text == "sigue\n"
