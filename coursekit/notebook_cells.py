"""El texto de una celda de notebook, sea cual sea su forma en el JSON.

El formato ``.ipynb`` guarda ``source`` como una cadena o como una lista de líneas; nbformat
lo devuelve como cadena, pero un notebook leído con ``json`` (el corrector) puede traer
cualquiera de las dos. Solo usa la biblioteca estándar: lo importan también el constructor de
notebooks y ``run_one``, que corre dentro del aislamiento del corrector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["cell_source"]


def cell_source(cell: Mapping[str, Any]) -> str:
    """El código o texto de ``cell`` como una sola cadena (``""`` si no tiene)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
