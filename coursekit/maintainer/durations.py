"""La duración de cada lab: una sola fuente, la línea «**Duración:**» de la cabecera del lab.

La columna «Duración» de la tabla de labs del README se genera desde ahí
(``python -m coursekit sync-release``) y una prueba falla si no coinciden. La parte de ``full``
de cada cabecera es una estimación mientras no se mida en una GPU: la cabecera lo dice.
"""

from __future__ import annotations

import re
from pathlib import Path

from coursekit.errors import CourseError

#: «**Duración:** 50 a 70 minutos: ...» en la primera celda del lab.
HEADER_DURATION = re.compile(r"\*\*Duración:\*\*\s*(\d+)\s+a\s+(\d+)\s+minutos")
#: Una fila de la tabla de labs del README: «| 01 | tema | 30–45 min | insignias |».
README_ROW = re.compile(r"^(\|\s*(\d\d)\s*\|[^|\n]*\|\s*)([^|\n]*?)(\s*\|)", re.MULTILINE)


def header_duration(markdown: str) -> tuple[int, int]:
    """Los minutos ``(mínimo, máximo)`` de la línea «**Duración:** A a B minutos» de una
    cabecera de lab."""
    match = HEADER_DURATION.search(markdown)
    if match is None:
        raise CourseError(
            "La cabecera del lab no tiene la línea «**Duración:** A a B minutos: ...», la única "
            "fuente de la duración (el README la copia)."
        )
    low, high = int(match.group(1)), int(match.group(2))
    if low > high:
        raise CourseError(f"La duración «{low} a {high} minutos» va al revés: el mínimo primero.")
    return low, high


def readme_duration(low: int, high: int) -> str:
    """Cómo se escribe la duración en la tabla del README: ``50–70 min``."""
    return f"{low}–{high} min"


def lab_durations(solutions: str | Path = "solutions") -> dict[str, tuple[int, int]]:
    """``{"01": (mínimo, máximo), ...}`` leídos de la cabecera de cada solución."""
    import nbformat

    durations = {}
    for path in sorted(Path(solutions).glob("[0-9][0-9]_*.ipynb")):
        header = nbformat.read(path, as_version=4).cells[0].source
        try:
            durations[path.name[:2]] = header_duration(header)
        except CourseError as error:
            raise CourseError(f"{path.name}: {error}") from None
    if not durations:
        raise CourseError(f"No hay labs (NN_*.ipynb) en {solutions}.")
    return durations


def sync_readme_durations(readme: str, durations: dict[str, tuple[int, int]]) -> str:
    """El README con la columna «Duración» de la tabla de labs tomada de ``durations``. Falla
    si a un lab le falta su fila en la tabla."""
    seen = set()

    def rewrite(match: re.Match) -> str:
        lab = match.group(2)
        if lab not in durations:
            return match.group(0)
        seen.add(lab)
        return f"{match.group(1)}{readme_duration(*durations[lab])}{match.group(4)}"

    text = README_ROW.sub(rewrite, readme)
    missing = sorted(set(durations) - seen)
    if missing:
        raise CourseError(f"La tabla de labs del README no tiene fila para: {', '.join(missing)}.")
    return text
