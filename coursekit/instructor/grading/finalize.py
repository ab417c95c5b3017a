"""Después de corregir: notas a mano, retrasos, «revisar a mano», parecidos y archivos del LMS.

Trabaja solo con lo que dejó ``coursekit grade`` en su carpeta (``notas.csv``,
``retroalimentacion/``, ``ejecutados/``), así que se puede repetir sin volver a ejecutar
ninguna entrega: ``coursekit grade ... --marcas-manuales m.csv`` al corregir o, días después,
``coursekit finish-grades correccion --lab 02 --marcas-manuales m.csv``.

Escribe ``notas_finales.csv`` (puntos automáticos, a mano, días de retraso, penalización y nota
final en columnas separadas, y la columna «revisar»), completa cada retroalimentación y añade a
``resumen.html`` las secciones «Revisar a mano» y «Parecidos entre entregas».
"""

from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError
from coursekit.instructor.grading import lms
from coursekit.instructor.grading.late import (
    LatePolicy,
    LateResult,
    apply_late_policy,
    read_id_dates,
    zip_times,
)
from coursekit.instructor.grading.manual import (
    load_manual_criteria,
    manual_feedback,
    manual_points,
    read_manual_marks,
)
from coursekit.instructor.grading.review import (
    load_executed,
    notebooks_per_student,
    review_reasons,
)
from coursekit.instructor.grading.similarity import (
    DEFAULT_THRESHOLD,
    closest_pairs,
    exercise_regions,
    pairs_html,
)
from coursekit.instructor.grading.spreadsheet import FORMULA_STARTS, safe_row

FINAL_CSV = "notas_finales.csv"
# Lo que añade finish-grades a cada retroalimentación empieza aquí: al repetirlo se sustituye.
FEEDBACK_MARKER = "<!-- notas finales (coursekit finish-grades) -->"


@dataclass
class FinishOptions:
    """Qué hacer después de corregir (todo opcional)."""

    source: str | Path | None = None  # zip o carpeta de entregas (horas, varios notebooks)
    manual_csv: str | Path | None = None
    late: LatePolicy | None = None
    extensions_csv: str | Path | None = None
    times_csv: str | Path | None = None
    similarity: float | None = None  # umbral; None = no comparar
    template: str | Path | None = None  # notebook del estudiante (para la similitud)
    moodle_sheet: bool = False
    moodle_template: str | Path | None = None
    moodle_language: str = "es"
    moodle_zip: bool = False
    canvas_assignment: str | None = None
    canvas_id: str | None = None
    lms_scale: float | None = None
    tests_dir: str | Path | None = None


@dataclass
class FinalRow:
    student_id: str
    name: str
    file: str
    auto: float
    auto_max: float
    status: str
    reason: str
    manual: float = 0.0
    late: LateResult | None = None
    review: list[str] = field(default_factory=list)

    @property
    def final(self) -> float:
        raw = self.auto + self.manual
        return self.late.final if self.late else raw


def _unguard(value: str) -> str:
    """Deshace el apóstrofo que :func:`safe_cell` pone delante de una fórmula."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _number(text: str) -> float:
    return float(_unguard(text).replace(",", ".") or 0)


def read_grades(out_dir: Path) -> list[FinalRow]:
    """Lee ``notas.csv`` de una corrección (por nombre de columna)."""
    path = out_dir / "notas.csv"
    if not path.is_file():
        raise CourseError(f"No encuentro {path}: ¿es la carpeta --out de coursekit grade?")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        needed = {"id", "nombre", "archivo", "total", "máximo", "estado", "motivo"}
        if not needed <= set(reader.fieldnames or ()):
            raise CourseError(f"{path} no tiene las columnas de coursekit grade ({needed}).")
        return [
            FinalRow(
                _unguard(row["id"]),
                _unguard(row["nombre"]),
                _unguard(row["archivo"]),
                _number(row["total"]),
                _number(row["máximo"]),
                row["estado"],
                _unguard(row["motivo"] or ""),
            )
            for row in reader
        ]


def _feedback_path(out_dir: Path, student_id: str) -> Path:
    return out_dir / "retroalimentacion" / f"{student_id}.md"


def _late_section(row: FinalRow) -> str:
    late = row.late
    if late is None or (not late.days_late and not late.note):
        return ""
    lines = ["## Entrega fuera de plazo", ""]
    if late.days_late:
        lines.append(
            f"Entregada con {late.days_late} día(s) de retraso: −{_fmt(late.penalty)} puntos."
        )
    if late.note:
        lines.append(f"Nota: {late.note}.")
    return "\n".join(lines) + "\n"


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def finish(out_dir: str | Path, lab: str, options: FinishOptions) -> list[FinalRow]:
    """Aplica ``options`` a la corrección de ``out_dir`` y escribe los archivos finales."""
    out = Path(out_dir)
    rows = read_grades(out)
    ids = {row.student_id for row in rows}
    criteria = load_manual_criteria(lab, options.tests_dir)
    manual_max = sum(c.points for c in criteria.values()) if options.manual_csv else 0.0
    marks = read_manual_marks(options.manual_csv, criteria, ids) if options.manual_csv else []
    times: dict[str, Any] = {}
    late_marks: set[str] = set()
    if options.late and options.source and Path(options.source).is_file():
        times, late_marks = zip_times(options.source)
    late_marks |= _late_marks_from_probes(out)
    if options.times_csv:
        times.update(read_id_dates(options.times_csv, "horas de entrega"))
    extensions = (
        read_id_dates(options.extensions_csv, "prórrogas") if options.extensions_csv else {}
    )
    folders = notebooks_per_student(options.source) if options.source else {}
    for row in rows:
        row.manual = manual_points(marks, row.student_id)
        if options.late:
            row.late = apply_late_policy(
                options.late,
                row.student_id,
                row.auto + row.manual,
                row.auto_max + manual_max,
                times.get(row.student_id),
                row.student_id in late_marks,
                extensions.get(row.student_id),
            )
            if row.late.note.startswith("el LMS"):
                row.review.append(row.late.note)
        feedback_file = _feedback_path(out, row.student_id)
        feedback = feedback_file.read_text(encoding="utf-8") if feedback_file.is_file() else ""
        feedback = feedback.split(FEEDBACK_MARKER)[0].rstrip("\n") + "\n"
        row.review += review_reasons(
            row.status,
            row.reason,
            feedback,
            load_executed(out, row.student_id),
            folders.get(row.student_id, 1),
        )
        sections = (manual_feedback(marks, criteria, row.student_id), _late_section(row))
        extra = "\n".join(section for section in sections if section)
        if feedback_file.is_file():
            if extra:
                total = _fmt(row.final)
                maximum = _fmt(row.auto_max + manual_max)
                extra = f"\n{FEEDBACK_MARKER}\n{extra}\n**Nota final: {total} de {maximum}.**\n"
            feedback_file.write_text(feedback + extra, encoding="utf-8")
    _write_final_csv(out, rows, manual_max, bool(options.late))
    pairs_section = ""
    if options.similarity is not None:
        pairs_section = _similarity(out, lab, rows, options)
    _append_summary(out, rows, pairs_section)
    _write_lms(out, rows, manual_max, options)
    return rows


def _late_marks_from_probes(out: Path) -> set[str]:
    """Ids que el LMS marcó tarde (``_LATE_`` de Canvas), según las sondas guardadas."""
    marks = set()
    for path in (out / "sondas").glob("*.json"):
        try:
            entry = json.loads(path.read_text(encoding="utf-8")).get("entrega", {})
        except (OSError, ValueError):
            continue
        if entry.get("tarde"):
            marks.add(str(entry.get("id")))
    return marks


def _write_final_csv(out: Path, rows: list[FinalRow], manual_max: float, late: bool) -> Path:
    header = ["id", "nombre", "archivo", "puntos automáticos"]
    if manual_max:
        header.append("puntos a mano")
    if late:
        header += ["días de retraso", "penalización"]
    header += ["nota final", "máximo", "estado", "revisar"]
    table = [header]
    for row in rows:
        line = [row.student_id, row.name, row.file, _fmt(row.auto)]
        if manual_max:
            line.append(_fmt(row.manual))
        if late and row.late is not None:
            line += [str(row.late.days_late), _fmt(row.late.penalty)]
        line += [
            _fmt(row.final),
            _fmt(row.auto_max + manual_max),
            row.status,
            "; ".join(row.review),
        ]
        table.append(line)
    path = out / FINAL_CSV
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(safe_row(r) for r in table)
    return path


def _find_template(lab: str, template: str | Path | None) -> dict:
    if template:
        path = Path(template)
    else:
        root = Path(__file__).resolve().parents[3] / "notebooks"
        found = sorted(root.glob(f"{lab}_*.ipynb")) or sorted(Path("notebooks").glob(f"{lab}_*"))
        if not found:
            raise CourseError(
                f"No encuentro el notebook del estudiante del lab {lab} (notebooks/{lab}_*.ipynb):"
                " indícalo con --plantilla."
            )
        path = found[0]
    return json.loads(path.read_text(encoding="utf-8"))


def _similarity(out: Path, lab: str, rows: list[FinalRow], options: FinishOptions) -> str:
    template = _find_template(lab, options.template)
    regions = {}
    for row in rows:
        notebook = load_executed(out, row.student_id)
        if notebook is not None:
            regions[row.student_id] = exercise_regions(notebook, template)
    threshold = options.similarity if options.similarity is not None else DEFAULT_THRESHOLD
    pairs = closest_pairs(regions, threshold)
    with (out / "similitud.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["ejercicio", "entrega A", "entrega B", "parecido"])
        for pair in pairs:
            writer.writerow(safe_row([pair.exercise, pair.first, pair.second, _fmt(pair.score)]))
    return pairs_html(pairs, threshold)


def _append_summary(out: Path, rows: list[FinalRow], pairs_section: str) -> None:
    path = out / "resumen.html"
    if not path.is_file():
        return
    flagged = [r for r in rows if r.review]
    parts = ["<h2>Revisar a mano</h2>"]
    if flagged:
        parts.append("<table><thead><tr><th>id</th><th>nombre</th><th>por qué</th></tr></thead>")
        parts.append("<tbody>")
        for row in flagged:
            parts.append(
                f"<tr><td>{html.escape(row.student_id)}</td><td>{html.escape(row.name)}</td>"
                f"<td>{html.escape('; '.join(row.review))}</td></tr>"
            )
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Ninguna entrega necesita revisión a mano.</p>")
    if pairs_section:
        parts.append(pairs_section)
    text = path.read_text(encoding="utf-8")
    marker = "<!-- coursekit finish-grades -->"
    text = text.split(marker)[0].replace("</body></html>", "").rstrip()
    path.write_text(text + "\n" + marker + "\n" + "\n".join(parts) + "\n</body></html>", "utf-8")


def _write_lms(out: Path, rows: list[FinalRow], manual_max: float, options: FinishOptions):
    records = []
    for row in rows:
        feedback_file = _feedback_path(out, row.student_id)
        feedback = feedback_file.read_text(encoding="utf-8") if feedback_file.is_file() else ""
        feedback = feedback.replace(FEEDBACK_MARKER + "\n", "")
        records.append(
            lms.LmsRecord(row.student_id, row.name, row.final, row.auto_max + manual_max, feedback)
        )
    notes = []
    if options.moodle_sheet or options.moodle_template:
        left = lms.moodle_worksheet(
            records,
            out / "moodle_hoja_calificaciones.csv",
            template=options.moodle_template,
            language=options.moodle_language,
            scale_to=options.lms_scale,
        )
        notes.append(("moodle_hoja_calificaciones.csv", left))
    if options.moodle_zip:
        left = lms.moodle_feedback_zip(records, out / "moodle_retroalimentacion.zip")
        notes.append(("moodle_retroalimentacion.zip", left))
    if options.canvas_assignment:
        left = lms.canvas_gradebook_csv(
            records,
            out / "canvas_calificaciones.csv",
            options.canvas_assignment,
            options.canvas_id,
            options.lms_scale,
        )
        notes.append(("canvas_calificaciones.csv", left))
    for name, left in notes:
        message = f"  {name}"
        if left:
            message += f" (sin {len(left)} entrega(s) que no tienen el id del LMS: {left[:5]})"
        print(message, flush=True)


__all__ = ["FINAL_CSV", "FinishOptions", "finish", "read_grades"]
