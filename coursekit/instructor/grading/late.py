"""Entregas tardías: fecha límite, penalización por día (con tope) y prórrogas.

La hora de entrega sale, por orden: de un CSV de horas (``id;fecha``, p. ej. exportado del
LMS), de la fecha de cada archivo dentro del zip de entregas, o solo de la marca ``_LATE_`` que
Canvas pone en el nombre (sin hora: cuenta como un día y se pide revisarla). Las prórrogas
(``id;nueva_fecha``) sustituyen la fecha límite de ese estudiante.

La penalización es un porcentaje de los puntos máximos por cada día (o fracción) de retraso,
con un tope; la nota nunca baja de 0. Puntos brutos, penalización y nota final van en columnas
separadas.
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from coursekit.errors import CourseError
from coursekit.instructor.grading.spreadsheet import read_csv_rows

_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_DATE_ONLY = ("%Y-%m-%d", "%d/%m/%Y")
_MOODLE_DIR_RE = re.compile(r"^.+?_(?P<id>\d+)_assign(?:submission|feedback)_\w+_?$")
_CANVAS_FILE_RE = re.compile(r"^[a-z0-9]+?(?P<late>_LATE)?_(?P<id>\d+)_\d+_.+$")


def parse_datetime(text: str) -> datetime:
    """Fecha y hora local: ``2026-12-01 23:59``, ``2026-12-01T23:59`` o ``01/12/2026 23:59``.
    Una fecha sin hora vale hasta el final de ese día (23:59:59)."""
    value = text.strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    for fmt in _DATE_ONLY:
        try:
            return datetime.strptime(value, fmt).replace(hour=23, minute=59, second=59)
        except ValueError:
            continue
    raise CourseError(
        f"No entiendo la fecha {text!r}: escríbela como 2026-12-01 23:59 (o 01/12/2026 23:59)."
    )


@dataclass(frozen=True)
class LatePolicy:
    """Fecha límite, porcentaje de los puntos máximos que se pierde por día y tope."""

    deadline: datetime
    percent_per_day: float = 10.0
    max_percent: float = 100.0
    grace_minutes: int = 0

    def __post_init__(self):
        if self.percent_per_day < 0 or not 0 <= self.max_percent <= 100:
            raise CourseError(
                "La penalización por día no puede ser negativa y el tope va de 0 a 100 (%)."
            )


@dataclass(frozen=True)
class LateResult:
    """Una fila de la política de retrasos."""

    student_id: str
    raw: float
    days_late: int
    penalty: float
    final: float
    note: str = ""


def read_id_dates(path: str | Path, what: str) -> dict[str, datetime]:
    """Lee un CSV ``id;fecha`` (o con comas; cabecera opcional). ``what`` nombra el archivo en
    los errores («prórrogas», «horas de entrega»)."""
    path = Path(path)
    dates: dict[str, datetime] = {}
    for number, cells in read_csv_rows(path, what):
        if len(cells) < 2:
            raise CourseError(f"{path}, línea {number}: espero «id;fecha», encontré {cells!r}.")
        if number == 1 and cells[0].lower() in ("id", "identificador", "estudiante"):
            continue  # cabecera
        try:
            when = parse_datetime(cells[1])
        except CourseError as error:
            raise CourseError(f"{path}, línea {number}: {error}") from None
        if cells[0] in dates:
            raise CourseError(f"{path}, línea {number}: el id {cells[0]!r} aparece dos veces.")
        dates[cells[0]] = when
    return dates


def zip_times(archive: str | Path) -> tuple[dict[str, datetime], set[str]]:
    """De un zip de Moodle o de Canvas: la hora más reciente de los archivos de cada estudiante
    (la que guarda el zip) y los ids que Canvas marcó con ``_LATE_``."""
    times: dict[str, datetime] = {}
    late: set[str] = set()
    try:
        bundle = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as error:
        raise CourseError(f"{archive} no es un zip válido ({error}).") from None
    with bundle:
        for member in bundle.infolist():
            if member.is_dir():
                continue
            parts = PurePosixPath(member.filename.replace("\\", "/")).parts
            student = None
            for part in parts[:-1]:
                moodle = _MOODLE_DIR_RE.match(part)
                if moodle:
                    student = moodle["id"]
            canvas = _CANVAS_FILE_RE.match(parts[-1]) if parts else None
            if student is None and canvas:
                student = canvas["id"]
                if canvas["late"]:
                    late.add(student)
            if student is None:
                continue
            when = datetime(*member.date_time)
            times[student] = max(times.get(student, when), when)
    return times, late


def days_late(submitted: datetime, deadline: datetime, grace_minutes: int = 0) -> int:
    """Días (o fracción) después de la fecha límite; 0 si llegó a tiempo."""
    delay = submitted - deadline - timedelta(minutes=grace_minutes)
    if delay <= timedelta(0):
        return 0
    return math.ceil(delay / timedelta(days=1))


def apply_late_policy(
    policy: LatePolicy,
    student_id: str,
    raw: float,
    max_points: float,
    submitted: datetime | None = None,
    marked_late: bool = False,
    extension: datetime | None = None,
) -> LateResult:
    """Penalización de una entrega con su nota bruta ``raw`` (de ``max_points``)."""
    deadline = extension or policy.deadline
    note = f"prórroga hasta {extension:%Y-%m-%d %H:%M}" if extension else ""
    if submitted is not None:
        days = days_late(submitted, deadline, policy.grace_minutes)
    elif marked_late and extension is None:
        days = 1
        note = "el LMS la marca tarde sin hora de entrega: se aplica 1 día (revísala)"
    else:
        days = 0
    percent = min(policy.max_percent, days * policy.percent_per_day)
    penalty = round(min(raw, max_points * percent / 100), 2)
    return LateResult(student_id, raw, days, penalty, round(raw - penalty, 2), note)


__all__ = [
    "LatePolicy",
    "LateResult",
    "apply_late_policy",
    "days_late",
    "parse_datetime",
    "read_id_dates",
    "zip_times",
]
