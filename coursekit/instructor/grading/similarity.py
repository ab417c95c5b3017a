"""Trabajos copiados: por ejercicio, las parejas de estudiantes con el código más parecido.

De cada entrega se toma la celda de cada ejercicio (la que lleva su comentario «ejercicio <id>»
o, si lo borró, la que conserva el id de celda de la plantilla), se quitan las líneas que ya
traía la plantilla y se normaliza con ``tokenize`` y ``ast`` de Python: fuera comentarios,
espacios y líneas en blanco; cada nombre que crea el propio estudiante (variables, funciones,
argumentos) pasa a ``_`` y los textos a ``"S"``; se conservan palabras clave, nombres que
vienen de fuera (``optimizer``, ``torch``), atributos (``.argmax``), números y operadores. Así,
renombrar variables o cambiar comentarios no esconde una copia.

La comparación es ``difflib.SequenceMatcher`` (biblioteca estándar, Ratcliff/Obershelp) sobre
las listas de símbolos: la proporción de símbolos en bloques comunes (1 = iguales). Con
``quick_ratio`` como filtro previo, 300 estudiantes son ~45 000 parejas por ejercicio y caben
en segundos con regiones de decenas de símbolos.

Un parecido alto no prueba una copia: ejercicios cortos tienen pocas formas de escribirse. El
informe muestra las dos regiones lado a lado para que decida una persona.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import html
import io
import keyword
import re
import tokenize
from dataclasses import dataclass
from itertools import combinations

from coursekit.notebook_cells import cell_source

DEFAULT_THRESHOLD = 0.9
DEFAULT_MIN_TOKENS = 12
_TODO_RE = re.compile(r"""todo\(\s*["'](?P<id>\d{2}-[\w-]+)["']""")
_BUILTINS = set(dir(builtins))


@dataclass(frozen=True)
class Pair:
    """Dos entregas con regiones parecidas en un ejercicio."""

    exercise: str
    first: str
    second: str
    score: float
    first_code: str
    second_code: str


def template_cells(template: dict) -> dict[str, dict]:
    """Celdas de la plantilla del estudiante con un ``todo("<id>")``, por ejercicio."""
    cells: dict[str, dict] = {}
    for cell in template.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for match in _TODO_RE.finditer(cell_source(cell)):
            cells.setdefault(match["id"], cell)
    return cells


def exercise_regions(notebook: dict, template: dict) -> dict[str, str]:
    """Por ejercicio, el código que el estudiante añadió a la celda de la plantilla."""
    regions = {}
    code_cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    for exercise, base in template_cells(template).items():
        marker = f"ejercicio {exercise})"
        cell = next((c for c in code_cells if marker in cell_source(c)), None)
        if cell is None and base.get("id"):
            cell = next((c for c in code_cells if c.get("id") == base.get("id")), None)
        if cell is None:
            continue
        template_lines = {line.strip() for line in cell_source(base).splitlines()}
        added = [
            line for line in cell_source(cell).splitlines() if line.strip() not in template_lines
        ]
        if _TODO_RE.search(cell_source(cell)) and not added:
            continue  # sin resolver
        regions[exercise] = _dedent("\n".join(added))
    return regions


def _dedent(code: str) -> str:
    lines = code.splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n")


def bound_names(code: str) -> set[str] | None:
    """Nombres que el propio código crea (asignaciones, bucles, argumentos, funciones,
    importaciones); ``None`` si no se puede analizar con ``ast``."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def normalize(code: str) -> list[str]:
    """Símbolos del código sin comentarios ni espacios, con los nombres que crea el propio
    código (sus variables, funciones y argumentos) cambiados por ``_``. Los nombres que vienen
    de fuera (``optimizer``, ``torch``, los de la plantilla) se conservan: distinguen
    ``optimizer.step()`` de ``lr_scheduler.step()``."""
    own = bound_names(code)
    if own is not None:  # forma canónica: mismos saltos de línea, paréntesis y comillas
        code = ast.unparse(ast.parse(code))
    tokens: list[str] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(code + "\n").readline):
            kind, text = token.type, token.string
            if kind in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER):
                continue
            if kind in (tokenize.INDENT, tokenize.DEDENT):
                tokens.append(tokenize.tok_name[kind])
            elif kind == tokenize.NAME:
                keep = keyword.iskeyword(text) or previous == "."
                if own is None:  # sin ast: solo se conservan las funciones integradas
                    keep = keep or text in _BUILTINS
                else:
                    keep = keep or text not in own
                tokens.append(text if keep else "_")
            elif kind == tokenize.STRING or kind in _fstring_kinds():
                if not tokens or tokens[-1] != '"S"':
                    tokens.append('"S"')
            else:
                tokens.append(text)
            previous = text
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Código que no se puede tokenizar (la región es un trozo): palabras y signos sueltos.
        words = re.findall(r"\w+|[^\w\s]", re.sub(r"#.*", "", code))
        tokens = [w if keyword.iskeyword(w) or w in _BUILTINS else "_" for w in words]
    return tokens


def _fstring_kinds() -> tuple[int, ...]:
    return tuple(
        getattr(tokenize, name)
        for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
        if hasattr(tokenize, name)
    )


def similarity(first: list[str], second: list[str]) -> float:
    """Parecido de dos listas de símbolos (0..1) con ``difflib.SequenceMatcher``."""
    if not first and not second:
        return 1.0
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


def closest_pairs(
    regions: dict[str, dict[str, str]],
    threshold: float = DEFAULT_THRESHOLD,
    min_tokens: int = DEFAULT_MIN_TOKENS,
) -> list[Pair]:
    """Parejas con parecido ``>= threshold`` en algún ejercicio, de más a menos parecidas.

    ``regions``: {estudiante: {ejercicio: código}}. Se ignoran las regiones con menos de
    ``min_tokens`` símbolos (una línea se parece a todas)."""
    by_exercise: dict[str, dict[str, tuple[list[str], str]]] = {}
    for student, exercises in regions.items():
        for exercise, code in exercises.items():
            tokens = normalize(code)
            if len(tokens) >= min_tokens:
                by_exercise.setdefault(exercise, {})[student] = (tokens, code)
    pairs = []
    for exercise, students in sorted(by_exercise.items()):
        for (a, (tokens_a, code_a)), (b, (tokens_b, code_b)) in combinations(
            sorted(students.items()), 2
        ):
            matcher = difflib.SequenceMatcher(None, tokens_a, tokens_b, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if score >= threshold:
                pairs.append(Pair(exercise, a, b, round(score, 3), code_a, code_b))
    return sorted(pairs, key=lambda p: (-p.score, p.exercise, p.first, p.second))


def pairs_html(pairs: list[Pair], threshold: float, limit: int = 50) -> str:
    """Sección de ``resumen.html``: las parejas con los dos códigos lado a lado."""
    parts = [
        "<h2>Parecidos entre entregas</h2>",
        f"<p>Parejas con parecido ≥ {threshold:.2f} en la región de un ejercicio (sin la "
        "plantilla, comentarios, nombres ni espacios). Un parecido alto no prueba una copia: "
        "compara los dos códigos.</p>",
    ]
    if not pairs:
        parts.append("<p>Ninguna pareja supera el umbral.</p>")
        return "\n".join(parts)
    parts.append(
        "<table><thead><tr><th>ejercicio</th><th>parecido</th><th>entrega A</th>"
        "<th>entrega B</th></tr></thead><tbody>"
    )
    for pair in pairs[:limit]:
        parts.append(
            f"<tr><td>{html.escape(pair.exercise)}</td><td>{pair.score:.2f}</td>"
            f"<td><b>{html.escape(pair.first)}</b><pre>{html.escape(pair.first_code)}</pre></td>"
            f"<td><b>{html.escape(pair.second)}</b><pre>{html.escape(pair.second_code)}</pre>"
            "</td></tr>"
        )
    parts.append("</tbody></table>")
    if len(pairs) > limit:
        parts.append(f"<p>… y {len(pairs) - limit} parejas más (ver similitud.csv).</p>")
    return "\n".join(parts)


__all__ = [
    "DEFAULT_THRESHOLD",
    "Pair",
    "closest_pairs",
    "exercise_regions",
    "normalize",
    "pairs_html",
    "similarity",
    "template_cells",
]
