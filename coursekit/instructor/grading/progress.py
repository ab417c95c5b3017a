"""Corregir sin perder nada: cada entrega se anota al terminar y una nueva ejecución retoma.

``<salida>/progreso.jsonl`` guarda, una línea por entrega corregida, su identificador, el hash de
su archivo y su nota (estado, motivo y puntos por parte; ni sondas ni notebook). Si el mismo
comando se vuelve a lanzar con la misma ``--out`` (p. ej. tras un corte de luz o un Ctrl+C),
las entregas con el mismo identificador y el mismo archivo no se ejecutan de nuevo. Con otras
pruebas ocultas (o de otro lab) el registro no vale y se corrige todo. Para empezar de cero,
basta con borrar el archivo (o usar otra carpeta de salida).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from dataclasses import asdict
from pathlib import Path

from coursekit.instructor.grading.execution import ExecutionResult
from coursekit.instructor.grading.hidden import LabTests
from coursekit.instructor.grading.layouts import Submission
from coursekit.instructor.grading.scoring import ExerciseScore, PartScore, StudentGrade

JOURNAL_NAME = "progreso.jsonl"
# Lo que no se retoma: un fallo del propio corrector puede no repetirse.
RETRY_STATUSES = ("error del corrector",)


def submission_digest(submission: Submission) -> str:
    """Hash del archivo entregado (o de por qué no lo hay)."""
    digest = hashlib.sha256()
    if submission.path is not None and submission.path.is_file():
        with submission.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    else:
        digest.update(f"sin archivo:{submission.original_name}:{submission.problem}".encode())
    return digest.hexdigest()


def tests_fingerprint(tests: LabTests) -> str:
    """Huella de las pruebas ocultas: otro lab, otros puntos u otras sondas o jueces la cambian."""
    digest = hashlib.sha256(tests.lab.encode())
    for test in tests.tests:
        digest.update(json.dumps([test.exercise, test.parts], sort_keys=True).encode())
        for function in (test.probe, test.judge, *test.helpers):
            try:
                digest.update(inspect.getsource(function).encode())
            except (OSError, TypeError):
                digest.update(repr(function).encode())
    return digest.hexdigest()


def _grade_to_dict(grade: StudentGrade) -> dict:
    result = grade.result
    return {
        "status": result.status,
        "reason": result.reason,
        "cell_errors": result.cell_errors,
        "seconds": result.seconds,
        "exercises": [
            {"exercise": e.exercise, "parts": [asdict(p) for p in e.parts]} for e in grade.exercises
        ],
    }


def _grade_from_dict(data: dict, submission: Submission) -> StudentGrade:
    result = ExecutionResult(
        submission,
        data["status"],
        data["reason"],
        cell_errors=list(data.get("cell_errors") or []),
        seconds=float(data.get("seconds") or 0),
    )
    exercises = [
        ExerciseScore(e["exercise"], [PartScore(**p) for p in e["parts"]])
        for e in data["exercises"]
    ]
    return StudentGrade(result, exercises)


class Journal:
    """El registro de ``progreso.jsonl`` de una carpeta de salida."""

    def __init__(self, out_dir: Path, tests: LabTests):
        self.path = Path(out_dir) / JOURNAL_NAME
        self.fingerprint = tests_fingerprint(tests)
        self.exercises = tests.exercises
        self._done: dict[tuple[str, str], dict] = {}
        if self.path.is_file():
            self._load()
        if not self._done:  # registro ausente, de otras pruebas o vacío: se empieza de cero
            self.path.write_text("", encoding="utf-8")

    def _load(self) -> None:
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                if entry.get("tests") != self.fingerprint:
                    continue
                key = (str(entry["id"]), str(entry["sha256"]))
                exercises = [e["exercise"] for e in entry["grade"]["exercises"]]
                if exercises == self.exercises:
                    self._done[key] = entry["grade"]
            except (ValueError, KeyError, TypeError):
                continue  # una línea cortada (el proceso murió escribiéndola): se ignora

    def previous(self, submission: Submission, digest: str) -> StudentGrade | None:
        """La nota ya guardada de esta entrega (mismo id y mismo archivo), si la hay."""
        data = self._done.get((submission.student_id, digest))
        if data is None or data.get("status") in RETRY_STATUSES:
            return None
        try:
            return _grade_from_dict(data, submission)
        except (KeyError, TypeError, ValueError):
            return None

    def record(self, grade: StudentGrade, digest: str) -> None:
        """Anota una entrega corregida y la lleva al disco antes de seguir."""
        entry = {
            "tests": self.fingerprint,
            "id": grade.result.submission.student_id,
            "sha256": digest,
            "grade": _grade_to_dict(grade),
        }
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
