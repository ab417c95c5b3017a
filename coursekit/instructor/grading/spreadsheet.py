"""Celdas seguras para hojas de cálculo: ningún texto de una entrega llega como fórmula.

Excel, LibreOffice y Google Sheets ejecutan como fórmula una celda de un CSV que empieza por
``=``, ``+``, ``-`` o ``@`` (y tratan igual un tabulador o un retorno de carro inicial). Un
estudiante controla el nombre de su carpeta y de su archivo, así que todo texto que sale de una
entrega pasa por :func:`safe_cell` antes de escribirse en un CSV (inyección CSV, OWASP).
"""

from __future__ import annotations

import csv
from pathlib import Path

from coursekit.errors import CourseError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["FORMULA_STARTS", "read_csv_rows", "safe_cell", "safe_row"]


def safe_cell(value: object) -> object:
    """Devuelve ``value`` listo para un CSV: un texto que empezaría una fórmula lleva delante un
    apóstrofo (``'=HYPERLINK(...)`` se ve como texto). Números y ``None`` no cambian."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: list) -> list:
    """:func:`safe_cell` aplicada a cada celda de una fila."""
    return [safe_cell(value) for value in row]


def read_csv_rows(path: str | Path, what: str) -> list[tuple[int, list[str]]]:
    """Filas no vacías de un CSV que escribió el instructor, como ``(línea, celdas)``.

    Acepta lo que guarda Excel: UTF-8 con o sin BOM y Windows-1252 (la misma detección que los
    datos de los labs, ``coursekit.data.detect_csv_encoding``), separado por ``;`` o ``,`` (el
    que más aparezca en la primera línea). ``what`` nombra el archivo en los errores."""
    from coursekit.data import detect_csv_encoding

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CourseError(f"No pude leer el CSV de {what} {path}: {error}") from None
    text = raw.decode(detect_csv_encoding(raw))
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = []
    for number, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if any(cells):
            rows.append((number, cells))
    return rows
