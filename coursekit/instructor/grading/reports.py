"""Lo que recibe el instructor: ``notas.csv``, una retroalimentación por estudiante y
``resumen.html``.

``notas.csv``: UTF-8 con BOM, separador ``;`` y coma decimal (Excel en español lo abre
directamente; Moodle lo importa eligiendo «;» y UTF-8). ``notas_lms.csv``: la misma tabla
con ``,``, punto decimal y sin BOM (Canvas solo importa CSV con comas).

Toda celda pasa por :func:`~coursekit.instructor.grading.spreadsheet.safe_cell`: un nombre de
carpeta como ``=HYPERLINK(...)`` llega a Excel como texto, no como fórmula. Las dos tablas se
reescriben (de forma atómica) cada vez que termina una entrega: si la corrección se corta, lo
corregido ya está en ellas.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import os
from collections import Counter
from pathlib import Path

from coursekit.instructor.grading.execution import GRADED
from coursekit.instructor.grading.hidden import LabTests
from coursekit.instructor.grading.scoring import StudentGrade, format_points
from coursekit.instructor.grading.spreadsheet import safe_row

FIXED_COLUMNS = ("id", "nombre", "archivo")
TAIL_COLUMNS = ("total", "máximo", "estado", "motivo")


def grade_rows(grades: list[StudentGrade], tests: LabTests, decimal_comma: bool) -> list[list]:
    """Filas de la tabla de notas (la primera, la cabecera), con cada celda segura para una
    hoja de cálculo."""

    def number(value: float) -> str:
        text = format_points(value)
        return text if decimal_comma else text.replace(",", ".")

    rows: list[list] = [[*FIXED_COLUMNS, *tests.exercises, *TAIL_COLUMNS]]
    for grade in grades:
        sub = grade.result.submission
        rows.append(
            safe_row(
                [
                    sub.student_id,
                    sub.name,
                    sub.original_name,
                    *(number(e.points) for e in grade.exercises),
                    number(grade.total),
                    number(grade.max_points),
                    grade.result.status,
                    grade.result.reason,
                ]
            )
        )
    return rows


def write_grades_csv(grades: list[StudentGrade], tests: LabTests, out_dir: Path) -> Path:
    """Escribe ``notas.csv`` (Excel/Moodle) y ``notas_lms.csv`` (Canvas); devuelve el primero."""
    path = out_dir / "notas.csv"
    _write_csv(path, grade_rows(grades, tests, decimal_comma=True), "utf-8-sig", ";")
    lms = grade_rows(grades, tests, decimal_comma=False)
    _write_csv(out_dir / "notas_lms.csv", lms, "utf-8", ",")
    return path


def _write_csv(path: Path, rows: list[list], encoding: str, delimiter: str) -> None:
    """Escribe en un archivo temporal y lo pone en su sitio: nunca queda una tabla a medias."""
    partial = path.with_name(path.name + ".parcial")
    with partial.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def feedback_text(grade: StudentGrade, lab: str) -> str:
    """Retroalimentación en español para el estudiante: qué está bien, qué falla y la pista."""
    sub, result = grade.result.submission, grade.result
    lines = [
        f"# Lab {lab}: corrección de {sub.name}",
        "",
        f"Archivo: `{sub.original_name}`",
        f"Nota: **{format_points(grade.total)} de {format_points(grade.max_points)}** puntos.",
        "",
    ]
    if result.status != GRADED:
        lines += [f"Estado: {result.status}. {result.reason}".rstrip(), ""]
    elif result.reason:
        lines += [f"Aviso: {result.reason}", ""]
    for exercise in grade.exercises:
        mark = "✅" if exercise.points == exercise.max_points else "❌"
        lines.append(
            f"## {mark} {exercise.exercise}: {format_points(exercise.points)} de "
            f"{format_points(exercise.max_points)}"
        )
        lines.append("")
        for part in exercise.parts:
            if part.hint:
                lines.append(f"- ❌ {part.name}: {part.hint}")
            else:
                lines.append(f"- ✅ {part.name}")
        lines.append("")
    lines.append(
        "Las pruebas de corrección usan entradas distintas de las comprobaciones del notebook: "
        "una pista te dice qué revisar, no la respuesta."
    )
    return "\n".join(lines) + "\n"


def write_feedback(grades: list[StudentGrade], lab: str, out_dir: Path) -> None:
    for grade in grades:
        write_one_feedback(grade, lab, out_dir)


def write_one_feedback(grade: StudentGrade, lab: str, out_dir: Path) -> Path:
    """``retroalimentacion/<id>.md`` de una entrega."""
    folder = out_dir / "retroalimentacion"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{grade.result.submission.student_id}.md"
    path.write_text(feedback_text(grade, lab), encoding="utf-8")
    return path


def failures_by_hint(grades: list[StudentGrade]) -> list[tuple[str, str, str, int]]:
    """(ejercicio, parte, pista, cuántos) de los fallos, de más a menos frecuente."""
    counter: Counter = Counter()
    for grade in grades:
        if grade.result.status not in (GRADED, "kernel muerto"):
            continue
        for exercise in grade.exercises:
            for part in exercise.parts:
                if part.hint:
                    counter[(exercise.exercise, part.name, part.hint)] += 1
    return [(*key, count) for key, count in counter.most_common()]


def _figure_png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(grades: list[StudentGrade], tests: LabTests) -> str:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    totals = [g.total for g in grades]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    maximum = tests.max_points
    left.hist(totals, bins=[x - 0.5 for x in range(int(maximum) + 2)], color="#4c72b0")
    left.set_xlabel(f"puntos (de {format_points(maximum)})")
    left.set_ylabel("estudiantes")
    left.set_title("Distribución de notas")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Solo las entregas que se ejecutaron: un archivo vacío o de otro lab no «falla» ejercicios.
    ran = [g for g in grades if g.result.status in (GRADED, "kernel muerto")] or grades
    shares = []
    for index in range(len(tests.exercises)):
        scores = [g.exercises[index] for g in ran]
        lost = sum(s.max_points - s.points for s in scores)
        shares.append(100 * lost / max(1e-9, sum(s.max_points for s in scores)))
    order = sorted(range(len(shares)), key=lambda i: -shares[i])
    right.barh([tests.exercises[i] for i in order], [shares[i] for i in order], color="#dd8452")
    right.invert_yaxis()
    right.set_xlim(0, 100)
    right.set_xlabel(f"% de puntos perdidos ({len(ran)} entregas ejecutadas)")
    right.set_title("Ejercicios más fallados")
    fig.tight_layout()
    encoded = _figure_png(fig)
    plt.close(fig)
    alt = "Distribución de notas y ejercicios más fallados"
    return f'<img alt="{alt}" src="data:image/png;base64,{encoded}">'


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_summary_html(
    grades: list[StudentGrade], tests: LabTests, out_dir: Path, warnings: list[str]
) -> Path:
    """``resumen.html``: gráfica de notas y de ejercicios fallados, estados y fallos por pista."""
    statuses = Counter(g.result.status for g in grades)
    totals = sorted(g.total for g in grades)
    mean = sum(totals) / len(totals) if totals else 0.0
    median = totals[len(totals) // 2] if totals else 0.0
    parts = [
        "<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'>",
        f"<title>Resumen de la corrección del lab {tests.lab}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left;vertical-align:top}.aviso{background:#fff3cd;"
        "padding:8px;border:1px solid #e0c060}</style></head><body>",
        f"<h1>Lab {tests.lab}: resumen de la corrección</h1>",
    ]
    parts += [f"<p class='aviso'>⚠️ {html.escape(w)}</p>" for w in warnings]
    parts.append(
        f"<p>{len(grades)} entregas · media {format_points(mean)} · mediana "
        f"{format_points(median)} de {format_points(tests.max_points)} puntos.</p>"
    )
    if grades:
        parts.append(_plots(grades, tests))
    parts.append("<h2>Estados</h2>")
    parts.append(_table(["estado", "entregas"], sorted(statuses.items(), key=lambda kv: -kv[1])))
    parts.append("<h2>Fallos agrupados por pista</h2>")
    parts.append(_table(["ejercicio", "parte", "pista", "estudiantes"], failures_by_hint(grades)))
    problems = [
        [g.result.submission.student_id, g.result.submission.name, g.result.status, g.result.reason]
        for g in grades
        if g.result.status != GRADED or g.result.reason
    ]
    parts.append("<h2>Entregas con problemas</h2>")
    parts.append(_table(["id", "nombre", "estado", "motivo"], problems))
    parts.append("</body></html>")
    path = out_dir / "resumen.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
