"""``coursekit.maintainer.lab_runner`` y ``coursekit run-labs``: ejecutar labs y guardar
copias ejecutadas."""

import json
import os

import nbformat
import pytest

from coursekit.cli import main
from coursekit.errors import CourseError, MissingPathError
from coursekit.maintainer.lab_runner import find_labs, kernel_environment, run_labs


def test_find_labs_orders_and_filters(tmp_path, write_notebook):
    write_notebook(tmp_path, "02_b.ipynb", "1")
    write_notebook(tmp_path, "01_a.ipynb", "1")
    assert [p.name for p in find_labs(tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]
    assert [p.name for p in find_labs(tmp_path, ["02"])] == ["02_b.ipynb"]


def test_find_labs_bad_inputs(tmp_path, write_notebook):
    with pytest.raises(MissingPathError, match="No existe la carpeta"):
        find_labs(tmp_path / "nada")
    with pytest.raises(CourseError, match="No hay notebooks"):
        find_labs(tmp_path)
    write_notebook(tmp_path, "01_a.ipynb", "1")
    with pytest.raises(CourseError, match="Labs disponibles: 01_a"):
        find_labs(tmp_path, ["07"])


@pytest.mark.slow
def test_run_labs_writes_executed_copies_and_timings(tmp_path, monkeypatch, write_notebook):
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    solutions = tmp_path / "solutions"
    write_notebook(solutions, "01_ok.ipynb", "import os\nprint(os.environ['COURSE_PROFILE'])")
    write_notebook(solutions, "02_falla.ipynb", "raise ValueError('roto')", "print('no llega')")
    results = run_labs(solutions, tmp_path / "out", profile="quick", timeout=60)
    assert [(r["lab"], r["status"], r["profile"]) for r in results] == [
        ("01_ok", "ok", "quick"),
        ("02_falla", "error", "quick"),
    ]
    assert "roto" in results[1]["detail"]
    executed = nbformat.read(tmp_path / "out" / "quick" / "01_ok.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "quick"  # el kernel ve el perfil
    saved = json.loads((tmp_path / "out" / "quick" / "timings.json").read_text())
    assert [r["lab"] for r in saved] == ["01_ok", "02_falla"]
    assert os.environ["COURSE_PROFILE"] == "ci"  # el proceso que llama no cambia


@pytest.mark.slow
def test_executed_copies_keep_plots_even_with_agg_backend(tmp_path, monkeypatch, write_notebook):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # lo define conftest.py para las pruebas
    solutions = tmp_path / "solutions"
    write_notebook(
        solutions, "01_plot.ipynb", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
    )
    run_labs(solutions, tmp_path / "out", profile="ci", timeout=60)
    executed = nbformat.read(tmp_path / "out" / "ci" / "01_plot.ipynb", as_version=4)
    assert any("image/png" in o.get("data", {}) for o in executed.cells[0].outputs)
    assert os.environ["MPLBACKEND"] == "Agg"


def test_kernel_environment_leaves_the_base_alone():
    base = {"MPLBACKEND": "agg", "PATH": "/bin", "COURSE_PROFILE": "ci"}
    env = kernel_environment("quick", base)
    assert env == {"PATH": "/bin", "COURSE_PROFILE": "quick"}
    assert base == {"MPLBACKEND": "agg", "PATH": "/bin", "COURSE_PROFILE": "ci"}


@pytest.mark.slow
def test_cli_run_labs_exit_codes(tmp_path, monkeypatch, capsys, write_notebook):
    monkeypatch.setenv("COURSE_PROFILE", "ci")
    solutions = tmp_path / "solutions"
    write_notebook(solutions, "01_ok.ipynb", "x = 1")
    args = ["run-labs", "--solutions", str(solutions), "--output", str(tmp_path / "out")]
    assert main([*args, "--profile", "ci"]) == 0
    assert "1/1 labs sin errores" in capsys.readouterr().out
    assert main([*args, "--profile", "nada"]) == 2
    assert "Perfil desconocido" in capsys.readouterr().err


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch, write_notebook):
    """Antes, un kernel muerto al arrancar dejaba el lab sin ejecutar (un RuntimeError suelto)."""
    import nbclient

    real_execute = nbclient.NotebookClient.execute
    attempts = []

    def flaky_execute(self, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real_execute(self, **kwargs)

    monkeypatch.setattr(nbclient.NotebookClient, "execute", flaky_execute)
    solutions = tmp_path / "solutions"
    write_notebook(solutions, "01_ok.ipynb", "print(6 * 7)")
    results = run_labs(solutions, tmp_path / "out", profile="ci", timeout=60)
    assert [r["status"] for r in results] == ["ok"] and len(attempts) == 2
    executed = nbformat.read(tmp_path / "out" / "ci" / "01_ok.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "42"
