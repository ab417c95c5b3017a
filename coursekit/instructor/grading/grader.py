"""El flujo completo de ``coursekit grade``: entregas → ejecución aislada → notas e informes."""

from __future__ import annotations

import json
import os
import queue
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import (
    ExecutionResult,
    execute_submission,
    executed_notebook_path,
)
from coursekit.instructor.grading.hidden import LabTests, load_lab_tests
from coursekit.instructor.grading.layouts import Submission, open_submissions
from coursekit.instructor.grading.progress import Journal, submission_digest
from coursekit.instructor.grading.rejudge import rejudge, save_probes, select_submissions
from coursekit.instructor.grading.reports import (
    write_grades_csv,
    write_one_feedback,
    write_summary_html,
)
from coursekit.instructor.grading.sandbox import (
    BASE_UID,
    UID_BLOCK,
    Limits,
    check_sandbox,
    reserve_slots,
    unprivileged_python_problem,
)
from coursekit.instructor.grading.scoring import StudentGrade, format_points, grade, zero_grade

GRADER_ERROR = "error del corrector"

NO_SANDBOX_FLAG = "--no-sandbox"
NO_SANDBOX_WARNING = (
    f"corrección SIN aislamiento ({NO_SANDBOX_FLAG}): cada entrega tiene su carpeta de trabajo, "
    "sus carpetas temporales y de puntos de control y límites de tiempo, memoria y archivos, "
    "pero puede leer todo archivo que su usuario pueda leer (otras entregas, las pruebas "
    "ocultas si sus permisos lo dejan, tu $HOME), usar la red y ver los demás procesos. "
)
NO_SANDBOX_AS_ROOT = (
    "Corre como un usuario sin privilegios (uid 61000 y siguientes), nunca como root."
)
NO_SANDBOX_AS_USER = (
    "Corre con TU usuario: puede además borrar o cambiar tus archivos. Úsalo solo con entregas "
    "de confianza."
)


def no_sandbox_warning() -> str:
    """Qué expone corregir sin aislamiento, según quién corre el corrector."""
    return NO_SANDBOX_WARNING + (NO_SANDBOX_AS_ROOT if os.getuid() == 0 else NO_SANDBOX_AS_USER)


def require_sandbox() -> str:
    """Ruta de bwrap si aísla de verdad aquí; si no, para con el motivo y la orden que lo
    arregla (o la opción para corregir sin aislamiento, solo con entregas de confianza)."""
    check = check_sandbox()
    if check.path is None:
        raise CourseError(
            f"no se corrige sin aislamiento: {check.message}\nSi confías en las entregas, "
            f"puedes corregir sin aislamiento con {NO_SANDBOX_FLAG} (se avisa de lo que expone)."
        )
    return check.path


def _require_unprivileged_python() -> None:
    """Sin aislamiento y como root, las entregas corren como el uid 61000+n: si ese usuario no
    puede usar este Python, se para aquí (nunca se ejecuta una entrega como root)."""
    if os.getuid() != 0:
        return
    problem = unprivileged_python_problem(BASE_UID)
    if problem:
        raise CourseError(
            f"sin aislamiento y como root, cada entrega corre como el usuario sin privilegios "
            f"{BASE_UID}+n, y ese usuario no puede usar este Python ({sys.prefix}, con base en "
            f"{sys.base_prefix}): {problem}. Instala bubblewrap y corrige sin {NO_SANDBOX_FLAG} "
            "(el aislamiento le monta Python), o usa un Python y un entorno que otros usuarios "
            "puedan leer (p. ej. bajo /opt o /usr/local). Las entregas nunca corren como root."
        )


@dataclass
class GradeRun:
    """Resultado de corregir una clase."""

    grades: list[StudentGrade]
    tests: LabTests
    out_dir: Path
    warnings: list[str]
    seconds: float


def normalize_lab(lab: str | int) -> str:
    """``2``, ``"02"`` o ``"02_trainer"`` → ``"02"``."""
    match = re.match(r"^\s*(\d{1,2})", str(lab))
    if not match:
        raise CourseError(f"--lab debe ser el número del lab (p. ej. 02), no {lab!r}.")
    return f"{int(match[1]):02d}"


def grade_class(
    source: str | Path,
    lab: str | int,
    out_dir: str | Path,
    workers: int = 2,
    tests_dir: str | Path | None = None,
    limits: Limits | None = None,
    sandbox: bool = True,
    zip_encoding: str | None = None,
    only: set[str] | None = None,
) -> GradeRun:
    """Corrige todas las entregas de ``source`` (carpeta o zip) y escribe los informes.

    Cada entrega se corrige dentro de su propia barrera de errores (lo que falle al leerla,
    ejecutarla, juzgarla o escribir sus archivos le da a su fila un estado y un motivo, y la
    clase sigue) y se anota en ``notas.csv`` al terminar. Relanzar el mismo comando con la
    misma ``out_dir`` retoma: no se vuelve a ejecutar lo ya corregido (ver ``progress``).
    ``only``: ids que se ejecutan; la tabla se rehace con las sondas guardadas de todos
    (ver ``rejudge``)."""
    start = time.monotonic()
    lab = normalize_lab(lab)
    tests = load_lab_tests(lab, tests_dir)
    limits = limits or Limits()
    if not 1 <= workers <= UID_BLOCK:
        raise CourseError(f"--workers debe estar entre 1 y {UID_BLOCK}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    bwrap = require_sandbox() if sandbox else None
    if bwrap is None:
        _require_unprivileged_python()
        warnings.append(no_sandbox_warning())
        print(f"⚠️  {warnings[-1]}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="coursekit-grade-") as scratch,
        reserve_slots(workers) as first_slot,  # uids propios si hay otro corrector a la vez
    ):
        submissions = open_submissions(source, Path(scratch), zip_encoding, lab)
        if only is not None:
            submissions = select_submissions(submissions, only)
        journal = Journal(out, tests)
        digests = [submission_digest(sub) for sub in submissions]
        done: dict[int, StudentGrade] = {}
        for index, sub in enumerate(submissions):
            previous = journal.previous(sub, digests[index])
            if previous is not None:
                done[index] = previous
        pending = [i for i in range(len(submissions)) if i not in done]
        print(f"{len(submissions)} entregas del lab {lab}; {workers} a la vez.", flush=True)
        if done:
            print(
                f"Retomo la corrección de {out}: {len(done)} entregas ya corregidas no se "
                f"vuelven a ejecutar; quedan {len(pending)}.",
                flush=True,
            )
            write_grades_csv([done[k] for k in sorted(done)], tests, out)
        slots: queue.Queue[int] = queue.Queue()
        for slot in range(workers):
            slots.put(first_slot + slot)

        def run(submission: Submission) -> ExecutionResult:
            slot = slots.get()
            try:
                if submission.problem:
                    return ExecutionResult(
                        submission, "ilegible", f"no se pudo leer: {submission.problem}"
                    )
                return execute_submission(submission, tests, limits, bwrap, slot)
            except Exception as error:  # barrera de errores de una entrega
                return ExecutionResult(
                    submission, GRADER_ERROR, f"fallo del corrector al ejecutarla: {_brief(error)}"
                )
            finally:
                slots.put(slot)

        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = {pool.submit(run, submissions[i]): i for i in pending}
            for future in as_completed(futures):
                index = futures[future]
                student = _finish(future.result(), tests, lab, out)
                done[index] = student
                write_grades_csv([done[k] for k in sorted(done)], tests, out)
                journal.record(student, digests[index])
                result = student.result
                print(
                    f"  {result.submission.student_id} ({result.submission.name}): "
                    f"{format_points(student.total)}/{format_points(student.max_points)} "
                    f"[{result.status}] {result.reason}".rstrip(),
                    flush=True,
                )
        finally:  # Ctrl+C o un fallo grave: lo que no empezó no se ejecuta
            pool.shutdown(wait=True, cancel_futures=True)
    grades = [done[k] for k in sorted(done)]
    if only is not None:
        grades, warnings = rejudge(out, lab, tests_dir, warnings)
    else:
        write_grades_csv(grades, tests, out)
        write_summary_html(grades, tests, out, warnings)
    return GradeRun(grades, tests, out, warnings, time.monotonic() - start)


def _brief(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _finish(result: ExecutionResult, tests: LabTests, lab: str, out: Path) -> StudentGrade:
    """Juzga una entrega y guarda su notebook y su retroalimentación; lo que falle aquí queda
    en el estado y el motivo de su fila, sin detener la clase."""
    try:
        student = grade(result, tests)
    except Exception as error:  # barrera de errores: el juicio de una entrega
        failed = ExecutionResult(
            result.submission, GRADER_ERROR, f"fallo del corrector al juzgarla: {_brief(error)}"
        )
        student = zero_grade(failed, tests)
    try:
        _save_notebook(result, out)
        save_probes(result, tests, out)  # para volver a juzgar sin ejecutar
        write_one_feedback(student, lab, out)
    except Exception as error:  # p. ej. disco lleno: la nota se conserva y se avisa
        note = f"no se pudieron guardar sus archivos: {_brief(error)}"
        student.result.reason = f"{student.result.reason} {note}".strip()
    return student


def _save_notebook(result: ExecutionResult, out: Path) -> None:
    if result.notebook is None:
        return
    path = executed_notebook_path(out, result.submission)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.notebook, ensure_ascii=False, indent=1) + "\n", "utf-8")
