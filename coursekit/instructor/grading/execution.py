"""Lanzar una entrega en el aislamiento y traducir lo que pasó a un estado en español."""

from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursekit.instructor.grading.hidden import LabTests
from coursekit.instructor.grading.layouts import (
    Submission,
    UnreadableNotebook,
    identify_lab,
    read_notebook_json,
)
from coursekit.instructor.grading.sandbox import (
    BASE_UID,
    Limits,
    build_command,
    kill_user_processes,
    private_workdir,
    run_sandboxed,
)

GRADED = "corregida"


@dataclass
class ExecutionResult:
    """Qué pasó al ejecutar una entrega (todavía sin juzgar)."""

    submission: Submission
    status: str
    reason: str = ""
    probes: dict = field(default_factory=dict)
    cell_errors: list[str] = field(default_factory=list)
    notebook: dict | None = None
    seconds: float = 0.0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _own_processes() -> int:
    """Procesos (e hilos) de este usuario: sin root, RLIMIT_NPROC también cuenta los suyos."""
    import psutil

    uid = os.getuid()
    total = 0
    for process in psutil.process_iter(["uids", "num_threads"]):
        try:
            if process.info["uids"] and process.info["uids"].real == uid:
                total += process.info["num_threads"] or 1
        except psutil.Error:
            continue
    return total


def prepare(submission: Submission, lab: str) -> tuple[dict | None, ExecutionResult | None]:
    """Lee y valida el notebook; si no se puede corregir, devuelve ya su resultado."""
    if submission.path is None:
        return None, ExecutionResult(
            submission, "sin notebook", f"no entregó ningún .ipynb ({submission.original_name})."
        )
    try:
        notebook = read_notebook_json(submission.path)
    except UnreadableNotebook as error:
        status = "vacía" if "vacío" in str(error) else "ilegible"
        return None, ExecutionResult(submission, status, f"no se pudo leer: {error}")
    found = identify_lab(notebook)
    if found != lab:
        what = f"es del lab {found}" if found else "no parece de ningún lab del curso"
        return None, ExecutionResult(
            submission, "otro lab", f"este notebook {what}, no del lab {lab}: no se corrige."
        )
    try:  # formato actual (nbformat 4) con el código de cada celda como un solo texto
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # p. ej. celdas sin id (notebooks antiguos)
            notebook = nbformat.reads(json.dumps(notebook), as_version=4)
    except Exception as error:
        return None, ExecutionResult(
            submission, "ilegible", f"no es un notebook válido: {str(error)[:200]}"
        )
    return notebook, None


def execute_submission(
    submission: Submission,
    tests: LabTests,
    limits: Limits,
    bwrap: str | None,
    slot: int = 0,
) -> ExecutionResult:
    """Ejecuta la entrega aislada y recoge las sondas. Como root, con el uid sin privilegios
    propio del trabajador ``slot``, con aislamiento o sin él: nunca como root. Sin aislamiento,
    en una carpeta propia que se borra al acabar."""
    notebook, early = prepare(submission, tests.lab)
    if early:
        return early
    as_root = os.getuid() == 0
    uid = BASE_UID + slot if as_root else None
    if uid is not None:  # restos de una entrega anterior de este trabajador (bomba de fork)
        kill_user_processes(uid)
    workdir = None if bwrap else private_workdir(uid)
    try:
        return _execute(submission, notebook, tests, limits, bwrap, uid, workdir, slot)
    finally:
        if uid is not None:
            kill_user_processes(uid)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def _execute(submission, notebook, tests, limits, bwrap, uid, workdir, slot) -> ExecutionResult:
    request = {
        "notebook": notebook,
        "probes": [
            {"exercise": t.exercise, "source": t.probe_source(), "function": t.probe.__name__}
            for t in tests.tests
        ],
        "skip_cells": list(tests.skip_cells),
        "keep_names": list(tests.keep_names),
        "sandboxed": bwrap is not None,
        "cell_timeout": limits.cell_timeout,
        "total_timeout": limits.total_timeout,
        "probe_timeout": limits.probe_timeout,
        "max_cell_output": limits.max_cell_output_kb * 1024,
        "uid": uid,
        "limits": {
            "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb,
            "nproc": limits.nproc if uid is not None else _own_processes() + limits.nproc,
            "nofile": limits.nofile,
        },
    }
    inner_uid = BASE_UID + slot if uid is None else None  # sin root: uid propio en bwrap
    command, env = build_command(bwrap, limits, workdir, inner_uid)
    completed = run_sandboxed(
        command,
        env,
        json.dumps(request).encode("utf-8"),
        timeout=limits.total_timeout + 90,  # arranque del kernel y margen
        max_bytes=limits.max_result_mb * 1024**2,
        cwd=workdir,
    )
    if completed.too_much_output:
        return ExecutionResult(
            submission, "salida excesiva", "el notebook produjo demasiada salida y se detuvo."
        )
    if completed.timed_out:
        return ExecutionResult(
            submission,
            "tiempo agotado",
            f"no terminó en {limits.total_timeout} s (¿un bucle infinito?).",
        )
    try:
        report = json.loads(completed.stdout.decode("utf-8"))
        if not isinstance(report, dict):
            raise ValueError("no es un objeto")
    except (UnicodeDecodeError, ValueError):
        detail = completed.stderr_tail.strip().splitlines()[-1:] or [""]
        return ExecutionResult(
            submission,
            "error de ejecución",
            "la ejecución terminó sin resultado legible (¿el notebook mató el proceso o agotó "
            f"la memoria?). {detail[0][:200]}".strip(),
        )
    if "runner_error" in report:
        return ExecutionResult(
            submission, "error del corrector", f"fallo del corrector: {report['runner_error']}"
        )
    return _interpret(submission, report)


def _stuck(cell: dict) -> str:
    """«la celda 3 («while True: pass») no terminó en 20 s»."""
    source = f" (la que empieza por «{cell['source']}»)" if cell.get("source") else ""
    seconds = f" en {cell['seconds']} s" if cell.get("seconds") else ""
    return f"la celda {cell.get('index')}{source} no terminó{seconds}"


def _interpret(submission: Submission, report: dict) -> ExecutionResult:
    cells = report.get("cells") or []
    errors = [
        f"celda {c.get('index')}: {c.get('error') or c.get('status')}"
        for c in cells
        if c.get("status") in ("error", "tiempo") and "ExerciseNotDone" not in str(c.get("error"))
    ]
    result = ExecutionResult(
        submission,
        GRADED,
        probes=report.get("probes") or {},
        cell_errors=errors,
        notebook=report.get("notebook"),
        seconds=float(report.get("elapsed") or 0),
    )
    timeouts = [c for c in cells if c.get("status") == "tiempo"]
    died = report.get("kernel_died")
    stopped = report.get("kernel_stopped")
    if died is not None:
        result.status = "kernel muerto"
        result.reason = (
            f"el kernel de Python terminó en la celda {died} (os._exit, exit(), un fallo de "
            "segmentación o falta de memoria): lo que venía después no se ejecutó."
            if died >= 0
            else f"el kernel no pudo arrancar: {report.get('startup_error', '')}"
        )
    elif stopped is not None and timeouts:
        result.reason = (
            f"{_stuck(timeouts[0])} y no respondió a la interrupción: se detuvo el kernel y "
            "no se ejecutó nada más (ni las pruebas)."
        )
    elif stopped is not None:
        result.reason = (
            "una prueba no terminó y el kernel no respondió a la interrupción: se detuvo y no "
            "se comprobó nada más."
        )
    elif report.get("out_of_time"):
        result.reason = "se acabó el tiempo total: algunas celdas no se ejecutaron."
    elif timeouts:
        more = f" (y {_plural(len(timeouts) - 1, 'celda')} más)" if len(timeouts) > 1 else ""
        result.reason = (
            f"{_stuck(timeouts[0])}{more}: se interrumpió (¿un bucle infinito?) y el resto "
            "del notebook se ejecutó igualmente."
        )
    else:
        pending = len(
            {
                (re.findall(r"«([^»]+)»", str(c.get("error"))) or [c.get("index")])[0]
                for c in cells
                if "ExerciseNotDone" in str(c.get("error"))
            }
        )  # ejercicios distintos: la celda del ejercicio y la de su comprobación cuentan uno
        notes = [f"{_plural(pending, 'ejercicio')} sin resolver"] if pending else []
        if errors:
            notes.append(f"{_plural(len(errors), 'celda')} con error (la primera: {errors[0]})")
        truncated = report.get("truncated") or []
        if truncated:
            notes.append(f"salida cortada por excesiva en la celda {truncated[0]}")
        result.reason = "; ".join(notes)[:300] + ("." if notes else "")
    return result


def executed_notebook_path(out_dir: Path, submission: Submission) -> Path:
    return out_dir / "ejecutados" / f"{submission.student_id}.ipynb"
