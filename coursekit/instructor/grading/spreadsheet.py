"""Celdas seguras para hojas de cálculo: ningún texto de una entrega llega como fórmula.

Excel, LibreOffice y Google Sheets ejecutan como fórmula una celda de un CSV que empieza por
``=``, ``+``, ``-`` o ``@`` (y tratan igual un tabulador o un retorno de carro inicial). Un
estudiante controla el nombre de su carpeta y de su archivo, así que todo texto que sale de una
entrega pasa por :func:`safe_cell` antes de escribirse en un CSV (inyección CSV, OWASP).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]


def safe_cell(value: object) -> object:
    """Devuelve ``value`` listo para un CSV: un texto que empezaría una fórmula lleva delante un
    apóstrofo (``'=HYPERLINK(...)`` se ve como texto). Números y ``None`` no cambian."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: list) -> list:
    """:func:`safe_cell` aplicada a cada celda de una fila."""
    return [safe_cell(value) for value in row]
