"""Genera los notebooks del estudiante (``notebooks/``) a partir de las soluciones.

Las soluciones (``solutions/*.ipynb``) son la fuente de verdad. En sus celdas de
código, cada región de solución va entre dos líneas marcador::

    # BEGIN SOLUTION ej1
    ...código de la solución...
    # END SOLUTION

El identificador (``ej1``) es opcional; si falta se usa ``<nombre del notebook>-<n>``,
con ``n`` la posición del ejercicio (desde 1). En la versión del estudiante la región
completa (marcadores incluidos) se sustituye, con la misma sangría, por::

    # ✏️ TU CÓDIGO AQUÍ (ejercicio ej1)
    from coursekit.exercises import todo; todo("ej1")

Las celdas con la etiqueta ``solution-only`` se eliminan. Toda línea que *parezca*
un marcador sin serlo exactamente (``# BEGIN SOLUTON``, ``#BEGIN SOLUTION``,
``# end solutions``...) es un error: un marcador mal escrito nunca debe filtrar la
solución al estudiante.
"""

from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from pathlib import Path

import nbformat

from coursekit.errors import CourseError, MissingPathError
from coursekit.notebook_cells import cell_source

__all__ = [
    "SOLUTION_ONLY_TAG",
    "build_notebooks",
    "exercise_ids",
    "find_stale_notebooks",
    "make_student_notebook",
    "solution_regions",
    "solutions_with_outputs",
    "strip_outputs",
]

SOLUTION_ONLY_TAG = "solution-only"

_ID_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_BEGIN_RE = re.compile(rf"# BEGIN SOLUTION(?: (?P<id>{_ID_PATTERN}))?")
_END_RE = re.compile(r"# END SOLUTION")

_MARKER_HELP = (
    "Los marcadores válidos son líneas que contienen solo «# BEGIN SOLUTION» "
    "(o «# BEGIN SOLUTION <id>», p. ej. «# BEGIN SOLUTION ej1») y «# END SOLUTION», "
    "en mayúsculas y con un espacio tras «#»."
)

# Palabras que, seguidas de algo parecido a «solution», delatan un intento de marcador.
_MARKER_VERBS = ("begin", "begins", "end", "ends", "inicio", "fin", "start", "stop")
_MARKER_NOUNS = ("solution", "solutions", "solucion", "soluciones")
_MARKER_SHORT_NOUNS = ("sol", "soln", "sln")
# Forma compacta (p. ej. «#BEGIN_SOLUTION», «#beginsol»): se comprueba sin separadores.
_COMPACT_MARKER_RE = re.compile(
    r"#+[\s_-]*(begins?|ends?|inicio|fin|start|stop)[\s_-]*sol(?:u|n\b|_|\b)", re.IGNORECASE
)


# ---------------------------------------------------------------------------
# Detección de marcadores
# ---------------------------------------------------------------------------


def _close_to(word: str, candidates: tuple[str, ...]) -> bool:
    """¿Es ``word`` alguna de ``candidates`` o una errata cercana («beign», «soluton»)?

    Las palabras de hasta 4 letras («end», «fin», «stop») solo valen exactas; las de 5 o 6
    admiten una letra de diferencia y las más largas, dos (medido con ``difflib``: la
    proporción de letras en común, en orden, y la diferencia de longitud).
    """
    if word in candidates:
        return True
    for candidate in candidates:
        if len(candidate) <= 4:
            continue
        tolerance = 1 if len(candidate) <= 6 else 2
        cutoff = 1 - tolerance / len(candidate) - 1e-9
        if abs(len(word) - len(candidate)) <= tolerance and difflib.get_close_matches(
            word, [candidate], n=1, cutoff=cutoff
        ):
            return True
    return False


def _normalize(text: str) -> str:
    """Minúsculas y sin tildes («SOLUCIÓN» → «solucion»)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _looks_like_marker(line: str) -> bool:
    """¿Contiene la línea algo que parece un marcador de solución (válido o no)?

    Mira el texto tras cada «#» y también el comienzo de la línea (un marcador al que
    le falta el «#»).
    """
    normalized = _normalize(line.strip())
    if _COMPACT_MARKER_RE.search(normalized):
        return True
    anchors = [0] + [match.end() for match in re.finditer(r"#", normalized)]
    for start in anchors:
        words = re.findall(r"[a-z]+", normalized[start : start + 60])[:3]
        if len(words) < 2:
            continue
        first, second = words[0], words[1]
        if _close_to(first, _MARKER_VERBS) and (
            _close_to(second, _MARKER_NOUNS) or second in _MARKER_SHORT_NOUNS
        ):
            return True
        # Verbo y sustantivo pegados: «beginsoluton», «endsolution».
        for verb in _MARKER_VERBS:
            if first.startswith(verb) and _close_to(first[len(verb) :], _MARKER_NOUNS):
                return True
    return False


# ---------------------------------------------------------------------------
# Utilidades
# ---------------------------------------------------------------------------


def _cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []) or [])


def _where(name: str, index: int, cell, lineno: int | None = None) -> str:
    cell_id = cell.get("id")
    where = f"{name}, celda {index + 1}"
    if cell_id:
        where += f" (id «{cell_id}»)"
    if lineno is not None:
        where += f", línea {lineno}"
    return where


def _default_id(name: str, number: int) -> str:
    stem = Path(name).stem or "notebook"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
    return f"{stem}-{number}"


def strip_outputs(nb):
    """Devuelve una copia del notebook sin salidas.

    Vacía las salidas y pone ``execution_count = None`` en las celdas de código,
    quita de los metadatos de cada celda los tiempos de ejecución (``execution``) y
    del notebook el estado de los widgets (``widgets``). El resto de metadatos y los
    ids de celda se conservan. No modifica el notebook original.
    """
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


# ---------------------------------------------------------------------------
# Transformación de celdas
# ---------------------------------------------------------------------------


def _signature_lines(region: list[str]) -> tuple[list[str], str] | None:
    """Si la región de solución es una sola función, sus líneas de cabecera (``def`` y
    docstring) y la sangría de su cuerpo; si no, ``None``."""
    import ast
    import textwrap

    code = textwrap.dedent("\n".join(region))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    function = tree.body[0]
    body = function.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    if has_docstring and len(body) == 1:
        return None  # solo un docstring: no hay nada que escribir
    first_code = body[1] if has_docstring else body[0]
    start = (function.decorator_list[0].lineno if function.decorator_list else function.lineno) - 1
    if has_docstring:
        header_end = body[0].end_lineno
    else:  # hasta la línea que cierra la firma con «:» (la firma puede ocupar varias líneas)
        header_end = next(
            i + 1
            for i in range(function.lineno - 1, first_code.lineno)
            if region[i].split("#")[0].rstrip().endswith(":")
        )
    first_line = region[first_code.lineno - 1]
    body_indent = first_line[: len(first_line) - len(first_line.lstrip())]
    return region[start:header_end], body_indent


def placeholder_lines(region: list[str], indent: str, exercise_id: str) -> list[str]:
    """Lo que ve el estudiante en lugar de una región de solución: un comentario y la línea
    ``todo(...)`` que debe sustituir por su código. Si la solución es una función, se
    conserva su firma (y su docstring) y el marcador va dentro, con la sangría del cuerpo."""
    signature = _signature_lines(region)
    header, inner = (signature[0], signature[1]) if signature else ([], indent)
    return [
        *header,
        f"{inner}# ✏️ TU CÓDIGO AQUÍ (ejercicio {exercise_id}): sustituye la línea todo(...)",
        f"{inner}# por tu código.",
        f'{inner}from coursekit.exercises import todo; todo("{exercise_id}")',
    ]


def _transform_code_cell(
    cell, name: str, index: int, exercise_counter: list[int]
) -> tuple[str, list[tuple[str, int, list[str]]]]:
    """Sustituye las regiones de solución de una celda de código.

    Devuelve el nuevo código y la lista ``(id, número de línea, líneas de la región)`` de los
    ejercicios.
    """
    lines = cell_source(cell).split("\n")
    output: list[str] = []
    exercises: list[tuple[str, int, list[str]]] = []
    open_region: tuple[int, str] | None = None  # (línea del BEGIN, id)
    region: list[str] = []
    indent = ""

    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        begin = _BEGIN_RE.fullmatch(stripped)
        end = _END_RE.fullmatch(stripped)
        if begin:
            if open_region is not None:
                raise CourseError(
                    f"{_where(name, index, cell, lineno)}: «# BEGIN SOLUTION» anidado; la "
                    f"región abierta en la línea {open_region[0]} no se cerró con "
                    "«# END SOLUTION»."
                )
            exercise_counter[0] += 1
            exercise_id = begin.group("id") or _default_id(name, exercise_counter[0])
            indent = line[: len(line) - len(line.lstrip())]
            open_region = (lineno, exercise_id)
            region = []
            exercises.append((exercise_id, lineno, region))
        elif end:
            if open_region is None:
                raise CourseError(
                    f"{_where(name, index, cell, lineno)}: «# END SOLUTION» sin un "
                    "«# BEGIN SOLUTION» antes en la misma celda."
                )
            output.extend(placeholder_lines(region, indent, open_region[1]))
            open_region = None
        elif _looks_like_marker(line):
            raise CourseError(
                f"{_where(name, index, cell, lineno)}: la línea {stripped!r} parece un "
                f"marcador de solución pero no es exacto. {_MARKER_HELP}"
            )
        elif open_region is None:
            output.append(line)
        else:
            region.append(line)

    if open_region is not None:
        raise CourseError(
            f"{_where(name, index, cell, open_region[0])}: «# BEGIN SOLUTION» sin su "
            "«# END SOLUTION» (la región debe cerrarse dentro de la misma celda)."
        )
    return "\n".join(output), exercises


def _check_no_markers(cell, name: str, index: int) -> None:
    for lineno, line in enumerate(cell_source(cell).split("\n"), start=1):
        if _looks_like_marker(line):
            raise CourseError(
                f"{_where(name, index, cell, lineno)}: hay un marcador de solución en una "
                f"celda de tipo {cell.cell_type!r} ({line.strip()!r}). Los marcadores solo "
                "valen en celdas de código; quítalo o reescribe el texto."
            )


def _process(nb, name: str):
    """Devuelve (notebook del estudiante, ``{id: líneas de la solución}`` en orden)."""
    student = strip_outputs(nb)
    kept = []
    regions: dict[str, list[str]] = {}
    first_seen: dict[str, str] = {}
    counter = [0]
    for index, cell in enumerate(student.cells):
        if SOLUTION_ONLY_TAG in _cell_tags(cell):
            continue
        if cell.cell_type == "code":
            new_source, exercises = _transform_code_cell(cell, name, index, counter)
            for exercise_id, lineno, region in exercises:
                where = _where(name, index, cell, lineno)
                if exercise_id in first_seen:
                    raise CourseError(
                        f"{where}: el id de ejercicio «{exercise_id}» está repetido (ya se "
                        f"usó en {first_seen[exercise_id]}). Cada ejercicio necesita un id "
                        "único en el notebook."
                    )
                first_seen[exercise_id] = where
                regions[exercise_id] = region
            cell.source = new_source
        else:
            _check_no_markers(cell, name, index)
        kept.append(cell)
    student.cells = kept
    return student, regions


def make_student_notebook(nb, name: str):
    """Crea la versión del estudiante de un notebook de solución (devuelve una copia).

    Sustituye cada región ``# BEGIN SOLUTION`` … ``# END SOLUTION`` por el marcador
    ``todo("<id>")``, elimina las celdas con la etiqueta ``solution-only`` y borra las
    salidas (ver :func:`strip_outputs`). ``name`` (p. ej. ``"lab01.ipynb"``) aparece en
    los mensajes de error y da los ids por defecto. Lanza :class:`CourseError` si hay
    marcadores mal escritos, sin pareja, anidados, en celdas que no son de código o
    ids repetidos.
    """
    student, _ = _process(nb, name)
    return student


def exercise_ids(nb, name: str = "notebook") -> list[str]:
    """Devuelve los ids de los ejercicios del notebook de solución, en orden.

    ``name`` se usa para los ids por defecto (``<nombre>-<n>``) y en los errores.
    """
    _, regions = _process(nb, name)
    return list(regions)


def solution_regions(nb, name: str = "notebook") -> dict[str, list[str]]:
    """Las líneas de cada región de solución (sin los marcadores), por id de ejercicio y en
    orden: exactamente lo que la versión del estudiante no muestra. Mismos errores que
    :func:`make_student_notebook`."""
    _, regions = _process(nb, name)
    return regions


# ---------------------------------------------------------------------------
# Archivos
# ---------------------------------------------------------------------------


def _read(path: Path):
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # JSON roto, formato desconocido...
        raise CourseError(f"No se pudo leer el notebook {path}: {exc}") from exc


def _render(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _write(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def build_notebooks(
    solutions_dir: str | Path = "solutions",
    notebooks_dir: str | Path = "notebooks",
    check: bool = False,
) -> list[Path]:
    """Genera ``notebooks_dir/<nombre>.ipynb`` para cada ``solutions_dir/*.ipynb``.

    También borra de ``notebooks_dir`` los notebooks sin solución correspondiente.
    Solo reescribe los archivos cuyo contenido cambia. Devuelve la lista de archivos
    creados, modificados o borrados. Con ``check=True`` no escribe nada y devuelve los
    archivos desactualizados, que faltan o que sobran (lista vacía = todo al día).
    Todos los notebooks se validan antes de escribir ninguno.
    """
    solutions_dir = Path(solutions_dir)
    notebooks_dir = Path(notebooks_dir)
    if not solutions_dir.is_dir():
        raise MissingPathError(
            f"No existe la carpeta de soluciones {str(solutions_dir)!r}. Ejecuta el comando "
            "desde la raíz del repositorio o indica la carpeta con --solutions."
        )

    rendered: dict[Path, str] = {}
    for solution in sorted(solutions_dir.glob("*.ipynb")):
        student = make_student_notebook(_read(solution), solution.name)
        rendered[notebooks_dir / solution.name] = _render(student)

    changed: list[Path] = []
    for target, text in rendered.items():
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            changed.append(target)
    extra = []
    if notebooks_dir.is_dir():
        extra = [p for p in sorted(notebooks_dir.glob("*.ipynb")) if p not in rendered]
    changed.extend(extra)

    if not check:
        notebooks_dir.mkdir(parents=True, exist_ok=True)
        for target in changed:
            if target in rendered:
                _write(target, rendered[target])
            else:
                target.unlink()
    return changed


def find_stale_notebooks(
    solutions_dir: str | Path = "solutions", notebooks_dir: str | Path = "notebooks"
) -> list[Path]:
    """Notebooks del estudiante desactualizados, ausentes o sobrantes (no escribe nada)."""
    return build_notebooks(solutions_dir, notebooks_dir, check=True)


def solutions_with_outputs(solutions_dir: str | Path = "solutions") -> list[Path]:
    """Notebooks de solución guardados con salidas, contadores de ejecución, tiempos de
    ejecución o estado de widgets (todo lo que quita :func:`strip_outputs`).

    Las soluciones deben guardarse sin salidas: ``coursekit strip-outputs solutions/*.ipynb``.
    """
    solutions_dir = Path(solutions_dir)
    if not solutions_dir.is_dir():
        raise MissingPathError(f"No existe la carpeta de soluciones {str(solutions_dir)!r}.")
    dirty = []
    for path in sorted(solutions_dir.glob("*.ipynb")):
        nb = _read(path)
        if strip_outputs(nb) != nb:
            dirty.append(path)
    return dirty
