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
import subprocess
import sys
import time

from coursekit.notebook_cells import cell_source

PROBE_MIME = "text/x-coursekit-probe"
_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38


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


def _kill_strays(keep: set[int]) -> int:
    """Mata los procesos del aislamiento que no son este ni el kernel (p. ej. los de una
    bomba de fork). Solo se llama dentro de bwrap: allí /proc es el del espacio de PID propio."""
    killed = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in keep and int(entry) != 1:
            try:
                os.kill(int(entry), 9)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


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

    client = LimitedClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=False,
        raise_on_iopub_timeout=False,
        startup_timeout=120,
        record_timing=False,
    )
    client.sizes = {}  # bytes de salida por celda
    return client


def _truncation_note(limit: int):
    from nbformat.v4 import new_output

    return new_output(
        "stream",
        name="stderr",
        text=f"\n[corrector: salida cortada al pasar de {limit // 1024} KB en esta celda]\n",
    )


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
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

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
    cells, probes = [], {}
    report = {"cells": cells, "probes": probes, "kernel_died": None, "out_of_time": False}

    def run(cell, index, timeout) -> str:
        client.timeout = max(1, int(timeout))
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            client.km.interrupt_kernel()
            if request.get("sandboxed"):
                kernel = getattr(client.km.provisioner, "pid", None)
                _kill_strays({os.getpid(), kernel} if kernel else {os.getpid()})
            return "tiempo"
        return "error" if _error_of(cell) else "ok"

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
                status = run(cell, index, min(request["cell_timeout"], remaining))
                cells.append({"index": index, "status": status, "error": _error_of(cell)})
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
                finally:
                    notebook.cells.pop()  # las sondas no quedan en el notebook ejecutado
                result = _probe_result(cell)
                if status == "tiempo":
                    result = {"ok": False, "error": "tiempo agotado"}
                probes[probe["exercise"]] = result
    except DeadKernelError:
        done = {c["index"] for c in cells}
        pending = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
        report["kernel_died"] = next((i for i in pending if i not in done), len(notebook.cells))
    except RuntimeError as error:  # el kernel no arrancó (p. ej. sin memoria)
        report["kernel_died"] = -1
        report["startup_error"] = str(error)[:300]
    limit = request["max_cell_output"]
    report["truncated"] = sorted(i for i, size in client.sizes.items() if size > limit)
    report["elapsed"] = round(time.monotonic() - start, 1)
    report["notebook"] = notebook
    return report


def main() -> int:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
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
