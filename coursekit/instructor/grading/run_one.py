"""Ejecuta UNA entrega dentro del aislamiento: ``python -m coursekit.instructor.grading.run_one``.

Lee la petición (JSON) de la entrada estándar, la lee entera *antes* de ceder privilegios,
se convierte en un usuario sin privilegios si arrancó como root, se pone límites, ejecuta las
celdas del notebook en un kernel propio con nbclient y, al final, las sondas de las pruebas
ocultas, cada una en su celda. Escribe el resultado (JSON) en la salida estándar, que solo
lee el corrector: el kernel arranca con la salida a /dev/null, y este proceso se marca como
no inspeccionable para que el kernel no pueda abrir sus descriptores en /proc.

Nada de lo que devuelve este proceso da puntos por sí mismo: el juez, fuera, decide.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from typing import Any

from coursekit.notebook_cells import cell_source

PROBE_MIME = "text/x-coursekit-probe"
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36


def _harden(uid: int | None, limits: dict) -> None:
    """Usuario sin privilegios, sin nuevos privilegios, no inspeccionable y con límites."""
    libc = ctypes.CDLL(None, use_errno=True)
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    mb = 1024**2
    for name, value in (
        ("RLIMIT_AS", limits.get("memory_mb", 0) * mb),
        ("RLIMIT_FSIZE", limits.get("file_mb", 0) * mb),
        ("RLIMIT_NPROC", limits.get("nproc", 0)),
        ("RLIMIT_NOFILE", limits.get("nofile", 0)),
        ("RLIMIT_CORE", 0),
    ):
        if value or name == "RLIMIT_CORE":
            resource.setrlimit(getattr(resource, name), (value, value))


def _defined_names(source: str) -> set[str]:
    """Nombres que una celda asigna o define (``x = ...``, ``def f``, ``import m``).

    Si la celda no es Python válido (magias de IPython...), devuelve un conjunto que interseca
    con todo: ante la duda, la celda no se salta."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return _Everything()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


class _Everything(set):
    """Conjunto que interseca con todo (celda ilegible: no se salta)."""

    def __and__(self, other):
        return set(other)


def _children_map() -> dict[int, list[int]]:
    """Padre → hijos de todos los procesos que se ven en /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # «pid (nombre) estado ppid ...»: el nombre puede llevar espacios y paréntesis.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _descendants(root: int) -> list[int]:
    children, found, pending = _children_map(), [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _kill_strays(spare: set[int]) -> int:
    """Mata los descendientes de este proceso salvo ``spare`` (el kernel), p. ej. los de una
    bomba de fork. Solo descendientes: este proceso es «subreaper» (ver :func:`main`), así que
    los huérfanos de la entrega quedan colgando de él y no de init; nunca toca procesos de
    otro trabajador ni del sistema, con aislamiento o sin él, como root o no."""
    killed = 0
    for _ in range(50):  # la bomba crea procesos mientras se recorren
        strays = [pid for pid in _descendants(os.getpid()) if pid not in spare]
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        if not strays:
            break
        _reap()
    return killed


def _reap() -> None:
    """Recoge los hijos muertos (como subreaper, los zombis huérfanos son nuestros)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _make_client(notebook, max_cell_output: int):
    from nbclient import NotebookClient

    class LimitedClient(NotebookClient):
        """NotebookClient que corta la salida de una celda al pasar de ``max_cell_output``."""

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            data = content.get("data", {})
            if PROBE_MIME not in data:
                size = len(str(content))
                total = self.sizes.get(cell_index, 0)
                self.sizes[cell_index] = total + size
                if total + size > max_cell_output:
                    if total <= max_cell_output:
                        outs.append(_truncation_note(max_cell_output))
                    return None
            return super().output(outs, msg, display_id, cell_index)

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out = True
            return await super()._async_handle_timeout(timeout, cell)

    client = LimitedClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        # Al pasar del tiempo, nbclient interrumpe el kernel (SIGINT, como el botón ■), da la
        # celda por fallida con este error y espera hasta iopub_timeout a que el kernel acabe:
        # así no queda ninguna tarea suya leyendo mensajes que son de la celda siguiente.
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CeldaSinTerminar", "evalue": "", "traceback": []},
        iopub_timeout=INTERRUPT_GRACE,
        raise_on_iopub_timeout=False,
        startup_timeout=120,
        record_timing=False,
    )
    client.sizes = {}  # bytes de salida por celda
    return client


def _note(text: str):
    from nbformat.v4 import new_output

    return new_output("stream", name="stderr", text=f"\n[corrector: {text}]\n")


def _truncation_note(limit: int):
    return _note(f"salida cortada al pasar de {limit // 1024} KB en esta celda")


class _KernelStopped(Exception):
    """La celda ``index`` no terminó, no respondió a la interrupción y se paró el kernel."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


INTERRUPT_GRACE = 10  # segundos que el kernel tiene para responder tras la interrupción


def _run_cell(client, cell, index: int, timeout: float) -> bool:
    """Ejecuta una celda; ``False`` si no terminó en ``timeout`` s (nbclient ya interrumpió el
    kernel, como el botón ■ de Jupyter, y esperó su respuesta hasta ``iopub_timeout``)."""
    client.timeout = max(1, int(timeout))
    client.timed_out = False
    client.execute_cell(cell, index)
    return not client.timed_out


def _interrupt(client, notebook, request: dict) -> bool:
    """Tras una celda que no terminó (y que nbclient interrumpió), mata los procesos que dejó y
    comprueba que el kernel vuelve a responder. ``False``: no respondió y se mató."""
    from nbformat.v4 import new_code_cell

    kernel = getattr(client.km.provisioner, "pid", None)
    _kill_strays({kernel} if kernel else set())
    ping = new_code_cell("pass")
    notebook.cells.append(ping)
    try:
        grace = request.get("interrupt_grace", INTERRUPT_GRACE)
        if _run_cell(client, ping, len(notebook.cells) - 1, grace):
            return True
    finally:
        notebook.cells.pop()
    _kill_strays(set())  # el kernel incluido
    return False


def _first_line(source: str) -> str:
    line = next((x.strip() for x in source.splitlines() if x.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _student_copy(notebook, max_cell_output: int):
    """Copia del notebook para devolver: solo las celdas del estudiante, sus salidas sin
    ``transient``/``display_id`` y, por celda, a lo sumo ``max_cell_output`` bytes de salida
    (``update_display_data`` cambia salidas ya recibidas saltándose el límite de
    ``LimitedClient``)."""
    import copy

    copied = copy.deepcopy(notebook)
    for cell in copied.cells:
        if cell.cell_type != "code":
            continue
        kept, size = [], 0
        for output in cell.get("outputs", []):
            output.pop("transient", None)
            output.get("metadata", {}).pop("display_id", None)
            size += len(json.dumps(output, default=str))
            if size > max_cell_output:
                kept.append(_truncation_note(max_cell_output))
                break
            kept.append(output)
        cell.outputs = kept
    return copied


def _error_of(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}"[:500]
    return ""


def _probe_code(probe: dict) -> str:
    return (
        probe["source"]
        + "\n\n\ndef __coursekit_run_probe():\n"
        + "    import json as _json\n"
        + "    from IPython.display import display as _display\n"
        + "    class _Names(dict):\n"
        + "        def __missing__(self, key):\n"
        + "            raise NameError(f'name {key!r} is not defined')\n"
        + "    try:\n"
        + f"        _result = {{'ok': True, 'value': {probe['function']}(_Names(globals()))}}\n"
        + "    except BaseException as _error:\n"
        + "        _result = {'ok': False, 'error': f'{type(_error).__name__}: {_error}'[:500]}\n"
        + f"    _display({{{PROBE_MIME!r}: _json.dumps(_result, default=repr)}}, raw=True)\n"
        + "\n\n__coursekit_run_probe()\n"
    )


def _probe_result(cell) -> dict:
    for output in cell.get("outputs", []):
        payload = output.get("data", {}).get(PROBE_MIME)
        if payload is not None:
            try:
                value = json.loads(payload if isinstance(payload, str) else "".join(payload))
            except (TypeError, ValueError):
                return {"ok": False, "error": "la sonda devolvió datos ilegibles"}
            return value if isinstance(value, dict) else {"ok": False, "error": "sonda rara"}
    error = _error_of(cell)
    return {"ok": False, "error": error or "la sonda no devolvió resultado"}


def execute(request: dict) -> dict:
    """Ejecuta el notebook y las sondas; devuelve el informe (sin juzgar nada)."""
    import nbformat
    from nbclient.exceptions import DeadKernelError

    start = time.monotonic()
    deadline = start + request["total_timeout"]
    # Tiempo reservado a las sondas (suelen tardar segundos): a lo sumo un cuarto del total.
    probe_budget = min(
        request["probe_timeout"] * len(request["probes"]), request["total_timeout"] / 4
    )
    notebook = nbformat.from_dict(request["notebook"])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    skip = [re.compile(pattern) for pattern in request.get("skip_cells", [])]
    # Una celda que define algo que las sondas usan nunca se salta, aunque encaje en un patrón.
    keep = set(request.get("keep_names", []))
    client = _make_client(notebook, request["max_cell_output"])
    client.iopub_timeout = request.get("interrupt_grace", INTERRUPT_GRACE)
    cells: list[dict[str, Any]] = []
    probes: dict[str, Any] = {}
    report: dict[str, Any] = {
        "cells": cells,
        "probes": probes,
        "kernel_died": None,
        "out_of_time": False,
    }

    def run(cell, index, timeout) -> str:
        if not _run_cell(client, cell, index, timeout):
            cell.outputs.append(_note(f"esta celda no terminó en {client.timeout} s"))
            if not _interrupt(client, notebook, request):
                raise _KernelStopped(index)
            return "tiempo"
        return "error" if _error_of(cell) else "ok"

    returned = None
    try:
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                cell.outputs, cell.execution_count = [], None
                source = cell_source(cell)
                if any(p.search(source) for p in skip) and not (_defined_names(source) & keep):
                    cells.append({"index": index, "status": "saltada", "error": ""})
                    continue
                remaining = deadline - probe_budget - time.monotonic()
                if remaining <= 1:
                    report["out_of_time"] = True
                    cells.append({"index": index, "status": "sin tiempo", "error": ""})
                    continue
                timeout = min(request["cell_timeout"], remaining)
                entry = {"index": index, "status": "en curso", "error": ""}
                cells.append(entry)
                entry["status"] = run(cell, index, timeout)
                entry["error"] = _error_of(cell) if entry["status"] != "tiempo" else ""
                if entry["status"] == "tiempo":
                    entry.update(seconds=int(timeout), source=_first_line(source))
            # Lo que se devuelve al estudiante se copia ANTES de las sondas: nada que hagan
            # después (p. ej. update_display_data sobre una salida anterior) llega a él.
            returned = _student_copy(notebook, request["max_cell_output"])
            for probe in request["probes"]:
                cell = nbformat.v4.new_code_cell(_probe_code(probe))
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    probes[probe["exercise"]] = {"ok": False, "error": "sin tiempo"}
                    continue
                notebook.cells.append(cell)  # nbclient busca la celda por su posición
                try:
                    status = run(
                        cell, len(notebook.cells) - 1, min(request["probe_timeout"], remaining)
                    )
                except _KernelStopped:
                    probes[probe["exercise"]] = {"ok": False, "error": "tiempo agotado"}
                    raise
                finally:
                    notebook.cells.pop()  # las sondas no quedan en el notebook ejecutado
                result = _probe_result(cell)
                if status == "tiempo":
                    result = {"ok": False, "error": "tiempo agotado"}
                probes[probe["exercise"]] = result
    except _KernelStopped as stopped:
        report["kernel_stopped"] = stopped.index
        for entry in cells:
            if entry["status"] == "en curso":  # una celda (no una sonda) que no terminó
                source = notebook.cells[entry["index"]].source
                timeout = int(min(request["cell_timeout"], request["total_timeout"]))
                entry.update(status="tiempo", seconds=timeout, source=_first_line(source))
    except DeadKernelError:
        running = [c for c in cells if c["status"] == "en curso"]
        done = {c["index"] for c in cells if c["status"] != "en curso"}
        cells[:] = [c for c in cells if c["status"] != "en curso"]
        pending = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
        report["kernel_died"] = (
            running[0]["index"]
            if running
            else next((i for i in pending if i not in done), len(notebook.cells))
        )
    except RuntimeError as error:  # el kernel no arrancó (p. ej. sin memoria)
        report["kernel_died"] = -1
        report["startup_error"] = str(error)[:300]
    finally:
        _kill_strays(set())  # nada de la entrega sobrevive a su ejecución
    limit = request["max_cell_output"]
    report["truncated"] = sorted(i for i, size in client.sizes.items() if size > limit)
    report["elapsed"] = round(time.monotonic() - start, 1)
    report["notebook"] = returned or _student_copy(notebook, limit)
    return report


def _on_sigterm(signum, frame) -> None:
    """El corrector se rinde (tiempo total agotado): nada de la entrega queda vivo."""
    _kill_strays(set())
    os._exit(1)


def main() -> int:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    # Subreaper: los huérfanos de la entrega (p. ej. los de una bomba de fork) pasan a ser
    # hijos de este proceso, no de init, y _kill_strays los encuentra entre sus descendientes.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _harden(request.get("uid"), request.get("limits", {}))
    try:
        report = execute(request)
    except Exception as error:  # un fallo del propio corrector: se informa, no se oculta
        report = {"runner_error": f"{type(error).__name__}: {error}"[:500]}
    sys.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
