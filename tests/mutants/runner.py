"""Ejecuta una variante: la celda de la solución con la región sustituida y después la celda
de comprobación del notebook, en el espacio de nombres que prepara el módulo del lab."""

from __future__ import annotations

import importlib
import json
import re
import textwrap
from functools import cache
from pathlib import Path

from mutants.spec import Variant

ROOT = Path(__file__).resolve().parents[2]
LABS = ("01", "02", "03", "04", "05", "06", "07")
_REGION = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION (?P<id>\S+)\n(?P<body>.*?)^[ \t]*# END SOLUTION[^\n]*\n?",
    re.S | re.M,
)


def lab_notebook(lab: str) -> Path:
    (path,) = sorted((ROOT / "solutions").glob(f"{lab}_*.ipynb"))
    return path


@cache
def code_sources(lab: str) -> tuple[str, ...]:
    """El código de cada celda de código de la solución del lab, en orden."""
    cells = json.loads(lab_notebook(lab).read_text(encoding="utf-8"))["cells"]
    return tuple("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


def cell_containing(lab: str, text: str) -> str:
    """El código de la única celda de código del lab ``lab`` que contiene ``text``."""
    (source,) = [s for s in code_sources(lab) if text in s]
    return source


@cache
def exercise_cells(lab: str) -> dict[str, tuple[str, str]]:
    """Por ejercicio: (celda con la solución, celda de comprobación que le sigue)."""
    sources = code_sources(lab)
    found = {}
    for index, source in enumerate(sources):
        for match in _REGION.finditer(source):
            exercise = match["id"]
            check_cell = next((s for s in sources[index:] if f'check("{exercise}"' in s), None)
            if check_cell is None:
                raise LookupError(f"{exercise}: no hay celda con check({exercise!r})")
            found[exercise] = (source, check_cell)
    return found


def replace_region(source: str, exercise: str, code: str) -> str:
    """``source`` con la región de ``exercise`` sustituida por ``code`` (con su sangría)."""
    for match in _REGION.finditer(source):
        if match["id"] == exercise:
            body = textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", match["indent"])
            return source[: match.start()] + body + source[match.end() :]
    raise LookupError(f"la celda no tiene la región {exercise}")


def lab_module(lab: str):
    return importlib.import_module(f"mutants.lab{lab}")


def run_solution_cell(variant: Variant, namespace: dict | None = None) -> dict:
    """Ejecuta solo la celda del ejercicio con la variante (sin la comprobación): lo que ve el
    corrector del instructor antes de pasar sus sondas."""
    lab = variant.exercise[:2]
    solution_cell, _ = exercise_cells(lab)[variant.exercise]
    if namespace is None:
        namespace = lab_module(lab).namespace(variant.exercise)
    source = (
        solution_cell
        if variant.name == "solucion"
        else replace_region(solution_cell, variant.exercise, variant.code)
    )
    exec(compile(source, f"<celda {variant.exercise}>", "exec"), namespace)
    return namespace


def run_variant(variant: Variant, namespace: dict | None = None) -> dict:
    """Ejecuta la variante y su comprobación; lanza lo que lance ``check`` (``CheckFailed``)."""
    namespace = run_solution_cell(variant, namespace)
    _, check_cell = exercise_cells(variant.exercise[:2])[variant.exercise]
    exec(compile(check_cell, f"<comprobación {variant.exercise}>", "exec"), namespace)
    return namespace


def solution(exercise: str) -> Variant:
    """La solución del notebook, tal cual (la región no se sustituye)."""
    return Variant(exercise, "solucion", "")


def all_variants() -> list[Variant]:
    """Las variantes de todos los labs que tienen módulo (tests/mutants/labNN.py)."""
    variants = []
    for lab in LABS:
        try:
            module = lab_module(lab)
        except ModuleNotFoundError as error:
            if error.name != f"mutants.lab{lab}":
                raise
            continue
        variants.extend(module.VARIANTS)
    return variants
