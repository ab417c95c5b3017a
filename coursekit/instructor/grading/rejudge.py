"""Volver a juzgar sin volver a ejecutar: lo que recogió cada sonda se guarda junto al notebook
ejecutado (``sondas/<id>.json``) y, tras corregir una prueba oculta o un juez, solo se repiten
los jueces (segundos para toda la clase, frente a minutos u horas de ejecución).

Sirve también para corregir de nuevo a uno o varios estudiantes (``coursekit grade ...
--solo 1234,87``): se ejecutan solo esas entregas, se guardan sus sondas y la tabla completa se
reconstruye desde las sondas de todos, sin perder las filas de los demás.

Si cambia la *sonda* (lo que se ejecuta en el kernel del estudiante) y no solo el juez, los
datos guardados ya no sirven: hay que volver a ejecutar. El archivo de sondas guarda el sha256
de la fuente de cada sonda para avisarlo.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.instructor.grading.execution import ExecutionResult
from coursekit.instructor.grading.hidden import LabTests, load_lab_tests
from coursekit.instructor.grading.layouts import Submission
from coursekit.instructor.grading.reports import (
    write_feedback,
    write_grades_csv,
    write_summary_html,
)
from coursekit.instructor.grading.scoring import StudentGrade, grade

PROBES_DIR = "sondas"
FORMAT_VERSION = 1


def probes_path(out_dir: Path, student_id: str) -> Path:
    return Path(out_dir) / PROBES_DIR / f"{student_id}.json"


def probe_digests(tests: LabTests) -> dict[str, str]:
    """sha256 del código de cada sonda (lo que se ejecutó en el kernel)."""
    return {
        test.exercise: hashlib.sha256(test.probe_source().encode("utf-8")).hexdigest()
        for test in tests.tests
    }


def save_probes(result: ExecutionResult, tests: LabTests, out_dir: Path) -> Path:
    """Guarda lo que observaron las sondas de una entrega y su estado."""
    sub = result.submission
    data = {
        "formato": FORMAT_VERSION,
        "lab": tests.lab,
        "entrega": {
            "id": sub.student_id,
            "nombre": sub.name,
            "archivo": sub.original_name,
            "formato_lms": sub.layout,
            "tarde": getattr(sub, "late", False),
        },
        "estado": result.status,
        "motivo": result.reason,
        "segundos": result.seconds,
        "errores_de_celda": result.cell_errors,
        "sondas": result.probes,
        "sondas_sha256": probe_digests(tests),
    }
    path = probes_path(out_dir, sub.student_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def load_results(out_dir: Path, lab: str) -> tuple[list[ExecutionResult], list[str]]:
    """Los resultados guardados de una corrección (ordenados por id) y los ids cuyas sondas
    eran de otra versión de la prueba."""
    folder = Path(out_dir) / PROBES_DIR
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise CourseError(
            f"No hay sondas guardadas en {folder}: corrige primero con coursekit grade (las "
            "correcciones anteriores a esta versión no las guardaban)."
        )
    results, stale = [], []
    digests = None
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("lab") != lab:
            raise CourseError(f"{path} es del lab {data.get('lab')}, no del {lab}.")
        entry = data["entrega"]
        sub = Submission(
            entry["id"], entry["nombre"], None, entry["archivo"], entry.get("formato_lms", "")
        )
        result = ExecutionResult(
            sub,
            data["estado"],
            data.get("motivo", ""),
            probes=data.get("sondas") or {},
            cell_errors=data.get("errores_de_celda") or [],
            seconds=float(data.get("segundos") or 0),
        )
        results.append(result)
        digests = digests or data.get("sondas_sha256")
        if data.get("sondas_sha256") != digests:
            stale.append(entry["id"])
    return sorted(results, key=lambda r: r.submission.student_id), stale


def rejudge(
    out_dir: str | Path,
    lab: str,
    tests_dir: str | Path | None = None,
    extra_warnings: list[str] | None = None,
) -> tuple[list[StudentGrade], list[str]]:
    """Repite los jueces sobre las sondas guardadas y reescribe notas, retroalimentación y
    resumen. Devuelve las notas y los avisos."""
    out = Path(out_dir)
    tests = load_lab_tests(lab, tests_dir)
    results, stale = load_results(out, lab)
    warnings = list(extra_warnings or [])
    current = probe_digests(tests)
    old = json.loads(probes_path(out, results[0].submission.student_id).read_text("utf-8"))
    changed = sorted(e for e, d in current.items() if old.get("sondas_sha256", {}).get(e) != d)
    if changed:
        warnings.append(
            "La sonda de " + ", ".join(changed) + " cambió desde que se ejecutaron las "
            "entregas: sus datos guardados son de la sonda anterior; para esos ejercicios hay "
            "que volver a ejecutar (coursekit grade)."
        )
    if stale:
        warnings.append(
            f"{len(stale)} entrega(s) se ejecutaron con otra versión de las sondas: {stale[:5]}."
        )
    grades = [grade(result, tests) for result in results]
    write_grades_csv(grades, tests, out)
    write_feedback(grades, lab, out)
    write_summary_html(grades, tests, out, warnings)
    return grades, warnings


__all__ = [
    "PROBES_DIR",
    "load_results",
    "probes_path",
    "rejudge",
    "save_probes",
    "select_submissions",
]


def select_submissions(submissions: list, only: set[str]) -> list:
    """Las entregas de ``only`` (ids); error si alguno no está en las entregas."""
    chosen = [sub for sub in submissions if sub.student_id in only]
    missing = sorted(only - {sub.student_id for sub in chosen})
    if missing:
        known = ", ".join(sorted(sub.student_id for sub in submissions)[:10])
        raise CourseError(f"No hay entregas con id {', '.join(missing)} (algunos ids: {known}...).")
    return chosen
