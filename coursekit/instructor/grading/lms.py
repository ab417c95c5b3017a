"""Archivos que Moodle y Canvas importan tal cual: hoja de calificaciones y zip de
retroalimentación de Moodle, CSV del libro de calificaciones de Canvas.

Formatos comprobados en el código publicado de cada LMS (fuentes en docs/decisions.md):

- **Hoja de calificaciones de Moodle** (tarea → «Descargar hoja de calificaciones» /
  «Subir hoja de calificaciones»; complemento ``assignfeedback_offline``). CSV UTF-8 con comas.
  El importador busca por su *texto* tres columnas obligatorias, en el idioma de quien sube la
  hoja: el identificador (``Identificador``/``Identifier``, valores «Participante 1234»: al
  valor le quita tantos caracteres como mide «Participante» y el resto es el número de
  participante de la tarea, el mismo de las carpetas de «Descargar todas las entregas»), la
  calificación (``Calificación``/``Grade``) y la última modificación de la calificación, que
  compara con la de Moodle (si Moodle tiene una posterior, la fila se salta salvo que se marque
  «Ignorar fecha de última modificación»). Los comentarios van en la columna del complemento
  «Comentarios de retroalimentación» (``Feedback comments``), como HTML.
- **Zip de archivos de retroalimentación de Moodle** («Subir varios archivos de
  retroalimentación en un zip»; ``assignfeedback_file``): cada carpeta se parte por «_» en
  ``nombre_participante_tipo_complemento[_resto]``; el nombre no puede llevar «_».
- **CSV de Canvas** (Calificaciones → Importar): ``Student, ID, SIS User ID, SIS Login ID,
  Section`` y una columna por tarea con el nombre ``Título (id de la tarea)``; la segunda fila
  es ``    Points Possible``. Canvas identifica al estudiante por ``ID`` (el número que va en el
  nombre de los archivos de su zip de entregas).

Lo mejor para Moodle es **rellenar la hoja que descarga el propio Moodle** (``template``): se
conservan su cabecera, su idioma y sus identificadores exactos; sin ella se genera una con las
cabeceras de Moodle en español o en inglés.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from coursekit.errors import CourseError
from coursekit.instructor.grading.spreadsheet import safe_row

# Cadenas de Moodle (mod/assign/lang/<idioma>/assign.php, lang/<idioma>/grades.php y
# assignfeedback_comments): el importador compara la cabecera con ellas, en el idioma de la
# interfaz de quien sube la hoja.
MOODLE_HEADERS = {
    "es": {
        "id": "Identificador",
        "participant": "Participante ",
        "fullname": "Nombre completo",
        "email": "Dirección de correo",
        "status": "Estado",
        "grade": "Calificación",
        "max": "Calificación máxima",
        "changeable": "La calificación puede ser cambiada",
        "modified_submission": "Última modificación (entrega)",
        "modified_grade": "Última modificación (calificación)",
        "comments": "Comentarios de retroalimentación",
    },
    "en": {
        "id": "Identifier",
        "participant": "Participant ",
        "fullname": "Full name",
        "email": "Email address",
        "status": "Status",
        "grade": "Grade",
        "max": "Maximum Grade",
        "changeable": "Grade can be changed",
        "modified_submission": "Last modified (submission)",
        "modified_grade": "Last modified (grade)",
        "comments": "Feedback comments",
    },
}
MOODLE_COLUMNS = (
    "id",
    "fullname",
    "email",
    "status",
    "grade",
    "max",
    "changeable",
    "modified_submission",
    "modified_grade",
    "comments",
)
MOODLE_FEEDBACK_SUFFIX = "assignfeedback_file_"
FEEDBACK_FILE_NAME = "retroalimentacion.txt"
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"


@dataclass(frozen=True)
class LmsRecord:
    """Lo que un LMS necesita de una entrega: quién, cuántos puntos y qué retroalimentación."""

    student_id: str
    name: str
    points: float
    max_points: float
    feedback: str = ""


def scaled(record: LmsRecord, scale_to: float | None) -> float:
    """Puntos del corrector llevados a la escala de la tarea en el LMS (p. ej. sobre 10 o
    100); sin escala, los puntos tal cual. Redondeados a 2 decimales."""
    if scale_to is None or record.max_points <= 0:
        return round(record.points, 2)
    return round(record.points / record.max_points * scale_to, 2)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def feedback_html(text: str) -> str:
    """La retroalimentación (texto/Markdown) como HTML sencillo para el editor de Moodle: cada
    línea escapada, separadas por ``<br>``."""
    return "<br>".join(html.escape(line) for line in text.strip().splitlines())


def participant_number(value: str) -> str | None:
    """El número de participante de un identificador de Moodle («Participante 1234» → «1234»)."""
    match = re.search(r"(\d+)\s*$", value or "")
    return match[1] if match else None


def _write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(safe_row(row) for row in rows)
    return path


def _moodle_stamp(now: datetime | None) -> str:
    # Moodle lee la fecha con strtotime: la forma ISO la entiende en cualquier idioma.
    return (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")


def moodle_worksheet(
    records: Iterable[LmsRecord],
    path: str | Path,
    template: str | Path | None = None,
    language: str = "es",
    scale_to: float | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Escribe la hoja de calificaciones de Moodle en ``path``; devuelve los ids que no
    encajaron (entregas sin número de participante o que no están en la plantilla).

    Con ``template`` (la hoja descargada de la misma tarea) se conserva todo y solo se
    rellenan calificación, comentarios y fecha de modificación de las filas encontradas."""
    records = list(records)
    by_number = {}
    unmatched = []
    for record in records:
        if record.student_id.isdigit():
            by_number[record.student_id] = record
        else:
            unmatched.append(record.student_id)
    stamp = _moodle_stamp(now)
    if template is not None:
        filled = _fill_template(Path(template), by_number, stamp, scale_to)
        unmatched += sorted(set(by_number) - filled.matched)
        _write_csv(Path(path), filled.rows)
        return unmatched
    if language not in MOODLE_HEADERS:
        raise CourseError(f"Idioma de Moodle {language!r} desconocido: usa «es» o «en».")
    names = MOODLE_HEADERS[language]
    rows: list[list] = [[names[key] for key in MOODLE_COLUMNS]]
    for number, record in sorted(by_number.items(), key=lambda kv: int(kv[0])):
        values = {
            "id": f"{names['participant']}{number}",
            "fullname": record.name,
            "grade": _number(scaled(record, scale_to)),
            "max": _number(scale_to if scale_to is not None else record.max_points),
            "changeable": "Sí" if language == "es" else "Yes",
            "modified_grade": stamp,
            "comments": feedback_html(record.feedback),
        }
        rows.append([values.get(key, "") for key in MOODLE_COLUMNS])
    _write_csv(Path(path), rows)
    return unmatched


@dataclass
class _Filled:
    rows: list[list]
    matched: set[str]


def _find_column(header: list[str], key: str) -> int | None:
    for language in MOODLE_HEADERS.values():
        if language[key] in header:
            return header.index(language[key])
    return None


def _fill_template(
    template: Path, by_number: dict[str, LmsRecord], stamp: str, scale_to: float | None
) -> _Filled:
    try:
        text = template.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CourseError(f"No pude leer la hoja de Moodle {template}: {error}") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if not rows:
        raise CourseError(f"La hoja de Moodle {template} está vacía.")
    header = rows[0]
    columns = {key: _find_column(header, key) for key in ("id", "grade", "modified_grade")}
    missing = [key for key, index in columns.items() if index is None]
    if missing:
        raise CourseError(
            f"La hoja {template} no tiene las columnas que Moodle necesita para importarla "
            "(identificador, calificación y última modificación de la calificación): ¿es la "
            "«hoja de calificaciones» de la tarea, descargada con «Descargar hoja de "
            "calificaciones»? Cabecera encontrada: " + ", ".join(header)
        )
    comments = _find_column(header, "comments")
    matched: set[str] = set()
    # Ninguna es None: ``missing`` ya lo comprobó.
    id_column, grade_column = cast(int, columns["id"]), cast(int, columns["grade"])
    modified_column = cast(int, columns["modified_grade"])
    for row in rows[1:]:
        row += [""] * (len(header) - len(row))
        number = participant_number(row[id_column])
        record = by_number.get(number or "")
        if record is None:
            continue
        matched.add(record.student_id)
        row[grade_column] = _number(scaled(record, scale_to))
        row[modified_column] = stamp
        if comments is not None:
            row[comments] = feedback_html(record.feedback)
    return _Filled(rows, matched)


def moodle_folder_name(record: LmsRecord) -> str:
    """Carpeta de un estudiante en el zip de retroalimentación: ``Nombre_1234_assignfeedback_
    file_``. Moodle parte por «_», así que el nombre no puede llevarlos."""
    name = re.sub(r"[_/\\]+", " ", record.name).strip() or "Participante"
    return f"{name}_{record.student_id}_{MOODLE_FEEDBACK_SUFFIX}"


def moodle_feedback_zip(records: Iterable[LmsRecord], path: str | Path) -> list[str]:
    """Zip para «Subir varios archivos de retroalimentación en un zip»; devuelve los ids que
    no tienen número de participante (no son de un zip de Moodle)."""
    skipped = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for record in records:
            if not record.student_id.isdigit():
                skipped.append(record.student_id)
                continue
            member = f"{moodle_folder_name(record)}/{FEEDBACK_FILE_NAME}"
            bundle.writestr(member, record.feedback)
    return skipped


def canvas_gradebook_csv(
    records: Iterable[LmsRecord],
    path: str | Path,
    assignment: str,
    assignment_id: str | None = None,
    points_possible: float | None = None,
) -> list[str]:
    """CSV para Calificaciones → Importar de Canvas; devuelve los ids que no son de Canvas.

    ``assignment``: el título de la tarea tal como aparece en Canvas; ``assignment_id``: su
    número (está en la dirección de la tarea, ``.../assignments/678``). Con los dos, la columna
    es ``Título (678)``, como en el CSV que exporta Canvas."""
    records = list(records)
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    possible = points_possible
    if possible is None:
        possible = max((r.max_points for r in records), default=0.0)
    rows: list[list] = [
        [*CANVAS_FIXED, column],
        [CANVAS_POINTS_ROW, "", "", "", "", _number(possible)],
    ]
    skipped = []
    for record in records:
        if not record.student_id.isdigit():
            skipped.append(record.student_id)
            continue
        points = scaled(record, points_possible)
        rows.append([record.name, record.student_id, "", "", "", _number(points)])
    _write_csv(Path(path), rows)
    return skipped


__all__ = [
    "CANVAS_FIXED",
    "LmsRecord",
    "MOODLE_HEADERS",
    "canvas_gradebook_csv",
    "feedback_html",
    "moodle_feedback_zip",
    "moodle_folder_name",
    "moodle_worksheet",
    "participant_number",
]
