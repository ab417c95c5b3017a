"""El flujo completo de ``coursekit grade``: entregas → ejecución aislada → notas e informes."""

from __future__ import annotations

import json
import queue
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import (
    ExecutionResult,
    execute_submission,
    executed_notebook_path,
)
from coursekit.instructor.grading.hidden import LabTests, load_lab_tests
from coursekit.instructor.grading.layouts import open_submissions
from coursekit.instructor.grading.rejudge import rejudge, save_probes, select_submissions
from coursekit.instructor.grading.reports import (
    write_feedback,
    write_grades_csv,
    write_summary_html,
)
from coursekit.instructor.grading.sandbox import Limits, bwrap_path
from coursekit.instructor.grading.scoring import StudentGrade, format_points, grade

NO_SANDBOX_WARNING = (
    "bubblewrap (bwrap) no está disponible: las entregas se ejecutaron SIN aislamiento (con "
    "límites de tiempo, memoria y archivos, pero con acceso al disco y a la red). Instálalo "
    "(Debian/Ubuntu: apt-get install bubblewrap) antes de corregir entregas en las que no confíes."
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
    only: set[str] | None = None,
) -> GradeRun:
    """Corrige todas las entregas de ``source`` (carpeta o zip) y escribe los informes.

    ``only``: ids que se ejecutan; la tabla se rehace con las sondas guardadas de todos
    (ver ``rejudge``)."""
    start = time.monotonic()
    lab = normalize_lab(lab)
    tests = load_lab_tests(lab, tests_dir)
    limits = limits or Limits()
    if workers < 1:
        raise CourseError("--workers debe ser 1 o más.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    bwrap = bwrap_path() if sandbox else None
    if bwrap is None:
        warnings.append(NO_SANDBOX_WARNING)
        print(f"⚠️  {NO_SANDBOX_WARNING}", flush=True)
    with tempfile.TemporaryDirectory(prefix="coursekit-grade-") as scratch:
        submissions = open_submissions(source, Path(scratch), lab)
        if only is not None:
            submissions = select_submissions(submissions, only)
        print(f"{len(submissions)} entregas del lab {lab}; {workers} a la vez.", flush=True)
        slots: queue.Queue[int] = queue.Queue()
        for slot in range(workers):
            slots.put(slot)

        def run(submission) -> ExecutionResult:
            slot = slots.get()
            try:
                return execute_submission(submission, tests, limits, bwrap, slot)
            finally:
                slots.put(slot)

        grades = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(run, submissions):
                student = grade(result, tests)
                grades.append(student)
                _save_notebook(result, out)
                save_probes(result, tests, out)  # para volver a juzgar sin ejecutar
                print(
                    f"  {result.submission.student_id} ({result.submission.name}): "
                    f"{format_points(student.total)}/{format_points(student.max_points)} "
                    f"[{result.status}] {result.reason}".rstrip(),
                    flush=True,
                )
    if only is not None:
        grades, warnings = rejudge(out, lab, tests_dir, warnings)
    else:
        write_grades_csv(grades, tests, out)
        write_feedback(grades, lab, out)
        write_summary_html(grades, tests, out, warnings)
    return GradeRun(grades, tests, out, warnings, time.monotonic() - start)


def _save_notebook(result: ExecutionResult, out: Path) -> None:
    if result.notebook is None:
        return
    path = executed_notebook_path(out, result.submission)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.notebook, ensure_ascii=False, indent=1) + "\n", "utf-8")
