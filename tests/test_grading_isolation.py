"""El corrector aísla o se niega, nunca ejecuta como root, corta las celdas que no terminan,
solo mata procesos suyos y no devuelve al estudiante nada de las sondas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading import sandbox
from coursekit.instructor.grading.execution import _interpret
from coursekit.instructor.grading.grader import no_sandbox_warning, require_sandbox

BLOCKED_BWRAP = "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n"


def _fake_path(tmp_path, monkeypatch, bwrap_script: str | None):
    folder = tmp_path / "bin"
    folder.mkdir()
    if bwrap_script is not None:
        (folder / "bwrap").write_text(bwrap_script)
        (folder / "bwrap").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


def test_missing_bwrap_stops_grading_with_the_install_command(tmp_path, monkeypatch):
    _fake_path(tmp_path, monkeypatch, None)
    check = sandbox.check_sandbox()
    assert (check.path, check.problem) == (None, "falta")
    with pytest.raises(CourseError) as error:
        require_sandbox()
    message = str(error.value)
    assert "no está instalado" in message and sandbox.INSTALL_BWRAP in message
    assert "--no-sandbox" in message


def test_blocked_bwrap_names_apparmor_and_the_sysctl_that_fixes_it(tmp_path, monkeypatch):
    """Ubuntu 24.04: bwrap instalado, pero AppArmor no deja crear espacios de usuario."""
    _fake_path(tmp_path, monkeypatch, BLOCKED_BWRAP)
    proc_sys = tmp_path / "sys"
    (proc_sys / "kernel").mkdir(parents=True)
    (proc_sys / "kernel" / "apparmor_restrict_unprivileged_userns").write_text("1\n")
    monkeypatch.setattr(sandbox, "PROC_SYS", proc_sys)
    check = sandbox.check_sandbox()
    assert (check.path, check.problem) == (None, "bloqueado")
    assert sandbox.bwrap_path() is None
    with pytest.raises(CourseError) as error:
        require_sandbox()
    message = str(error.value)
    assert "está instalado" in message and "no está instalado" not in message
    assert "AppArmor" in message and "setting up uid map" in message
    assert "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in message


def test_blocked_bwrap_without_a_known_sysctl_still_says_why(tmp_path, monkeypatch):
    _fake_path(tmp_path, monkeypatch, BLOCKED_BWRAP)
    monkeypatch.setattr(sandbox, "PROC_SYS", tmp_path / "nada")
    check = sandbox.check_sandbox()
    assert check.problem == "bloqueado" and "contenedor" in check.message


def test_no_sandbox_warning_says_what_it_exposes_and_who_runs_the_code(monkeypatch):
    monkeypatch.setattr(os, "getuid", lambda: 0)
    as_root = no_sandbox_warning()
    assert "la red" in as_root and "sin privilegios" in as_root and "TU usuario" not in as_root
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    assert "TU usuario" in no_sandbox_warning()


def test_without_sandbox_each_submission_has_its_own_folders(tmp_path):
    """Ni /entrega ni /tmp/ipython compartidos, y PYTHONPATH sin la raíz del repositorio."""
    workdir = sandbox.private_workdir(None)
    try:
        _, env = sandbox.build_command(None, sandbox.Limits(), workdir)
        for name in ("COURSE_CHECKPOINT_DIR", "TMPDIR", "HOME", "IPYTHONDIR", "MPLCONFIGDIR"):
            assert env[name].startswith(f"{workdir}/"), name
        root = str(sandbox.Path(sandbox.coursekit.__file__).resolve().parents[1])
        assert root not in env.get("PYTHONPATH", "").split(os.pathsep)
        assert (workdir / "checkpoints").is_dir() and oct(workdir.stat().st_mode)[-3:] == "700"
        other = sandbox.private_workdir(None)
        assert other != workdir
        sandbox.shutil.rmtree(other)
    finally:
        sandbox.shutil.rmtree(workdir)


def test_no_sandbox_as_root_refuses_if_the_unprivileged_user_cannot_run_python(
    tmp_path, monkeypatch
):
    """Como root y sin aislamiento, la entrega corre como uid 61000+n; si ese usuario no puede
    leer el Python (p. ej. bajo /root), el corrector se niega en lugar de ejecutar como root."""
    from coursekit.instructor.grading import grader

    monkeypatch.setattr(os, "getuid", lambda: 0)
    monkeypatch.setattr(grader, "unprivileged_python_problem", lambda uid: "ModuleNotFoundError")
    (tmp_path / "entregas").mkdir()
    with pytest.raises(CourseError) as error:
        grader.grade_class(tmp_path / "entregas", "01", tmp_path / "out", sandbox=False)
    message = str(error.value)
    assert "ModuleNotFoundError" in message and "nunca corren como root" in message


@pytest.mark.slow
def test_kill_strays_kills_only_its_own_descendants(tmp_path):
    """Un proceso ajeno del mismo usuario sobrevive; los de la entrega (también el nieto que
    se escapó con doble fork y setsid) mueren."""
    outsider = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    script = textwrap.dedent(
        """
        import ctypes, json, os, subprocess, sys, time
        from coursekit.instructor.grading import run_one
        ctypes.CDLL(None).prctl(run_one._PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        code = ("import os, time\\n"
                "if os.fork() == 0:\\n    os.setsid()\\n    time.sleep(120)\\n"
                "time.sleep(120)")
        child = subprocess.Popen([sys.executable, "-c", code])
        time.sleep(1)
        before = run_one._descendants(os.getpid())
        run_one._kill_strays(set())
        child.wait()
        alive = [p for p in before if os.path.exists(f"/proc/{p}")]
        print(json.dumps({"before": before, "alive": alive}))
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        report = json.loads(done.stdout)
        assert len(report["before"]) >= 2 and report["alive"] == []
        assert outsider.poll() is None
    finally:
        outsider.kill()
        outsider.wait()


def _execute(cells: list[str], probe: str = "def p(ns):\n    return ns['y']", **limits):
    from coursekit.instructor.grading.run_one import execute

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    request = {
        "notebook": notebook,
        "probes": [{"exercise": "e", "source": probe, "function": "p"}],
        "cell_timeout": 2,
        "total_timeout": 120,
        "probe_timeout": 20,
        "max_cell_output": 64 * 1024,
        "interrupt_grace": 3,
        **limits,
    }
    return execute(request)


@pytest.mark.slow
def test_a_cell_that_never_ends_is_interrupted_and_named():
    """Antes el kernel seguía girando: la celda siguiente y la sonda agotaban su tiempo y la
    nota culpaba a los ejercicios. Ahora se interrumpe, lo demás se ejecuta y el motivo
    nombra la celda."""
    report = _execute(["x = 1", "while True:\n    pass", "y = x + 1"])
    assert [c["status"] for c in report["cells"]] == ["ok", "tiempo", "ok"]
    assert report["probes"]["e"] == {"ok": True, "value": 2}
    reason = _interpret(None, report).reason
    assert "la celda 1" in reason and "«while True:»" in reason and "no terminó en 2 s" in reason
    assert "se interrumpió" in reason


@pytest.mark.slow
def test_a_cell_that_ignores_the_interrupt_stops_the_kernel_with_a_reason():
    stuck = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    report = _execute(["x = 1", stuck, "y = x + 1"], interrupt_grace=1)  # no va a responder
    assert report["kernel_stopped"] == 1 and report["probes"] == {}
    result = _interpret(None, report)
    assert "la celda 1" in result.reason and "no respondió a la interrupción" in result.reason


LEAK = """
from IPython.display import display, update_display
display('nada', display_id='fuga')
def _copia(result):
    update_display({'text/plain': result.info.raw_cell}, raw=True, display_id='fuga')
get_ipython().events.register('post_run_cell', _copia)
y = 2
"""


@pytest.mark.slow
def test_probe_source_never_reaches_the_returned_notebook():
    """update_display_data cambia salidas de celdas anteriores: un gancho post_run_cell podía
    copiar el código de cada sonda en una salida del notebook que se devuelve."""
    probe = "def p(ns):\n    secreto = 'SONDA-SECRETA'\n    return ns['y']"
    report = _execute([LEAK], probe=probe)
    assert report["probes"]["e"] == {"ok": True, "value": 2}  # la sonda sí se ejecutó
    saved = json.dumps(report["notebook"])
    assert "SONDA-SECRETA" not in saved and "__coursekit_run_probe" not in saved
    assert "'nada'" in saved  # la salida propia del estudiante sí está


def test_ci_has_a_working_sandbox():
    """En CI (CI=true) un bwrap que falta o no funciona es un fallo, no un salto: si no, las
    pruebas de la clase hostil desaparecen y el CI sale verde sin probar el aislamiento."""
    check = sandbox.check_sandbox()
    if check.path is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI sin aislamiento: {check.message}")
        pytest.skip(f"sin aislamiento aquí: {check.message}")


def test_without_root_bwrap_gives_the_submission_its_own_uid():
    """Sin root, bwrap pone a la entrega el uid 61000+n en su espacio de usuarios: desde dentro
    no se ve el uid del instructor. Como root cambia de uid ``run_one``, no bwrap."""
    command, _ = sandbox.build_command("/usr/bin/bwrap", sandbox.Limits(), uid=61001)
    at = command.index("--uid")
    assert command[at + 1] == "61001" and "--unshare-user" in command
    command, _ = sandbox.build_command("/usr/bin/bwrap", sandbox.Limits())
    assert "--uid" not in command


def test_two_graders_as_root_never_share_worker_uids(monkeypatch, tmp_path):
    """Dos correctores a la vez como root (dos clases; pruebas y CI en la misma máquina): antes
    los dos usaban los uids 61000 y 61001, y la bomba de fork de uno agotaba el RLIMIT_NPROC
    del otro (sus entregas salían con «BlockingIOError»)."""
    monkeypatch.setattr(os, "getuid", lambda: 0)
    monkeypatch.setattr(sandbox.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(sandbox, "_uids_in_use", lambda first, count: False)
    with sandbox.reserve_slots(2) as first, sandbox.reserve_slots(2) as second:
        assert first != second and abs(first - second) >= 2
    with sandbox.reserve_slots(2) as again:  # el bloque se suelta al acabar
        assert again == first
    # Un bloque con procesos de alguien que no reserva (un corrector antiguo) tampoco se usa.
    monkeypatch.setattr(sandbox, "_uids_in_use", lambda first, count: first == sandbox.BASE_UID)
    with sandbox.reserve_slots(2) as taken:
        assert taken == sandbox.UID_BLOCK
