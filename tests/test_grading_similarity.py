"""Parecidos entre entregas: una copia con variables renombradas y comentarios cambiados sale
la primera, con parecido 1; las respuestas honestas (las variantes de tests/mutants) quedan por
debajo."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

from coursekit.instructor.grading.similarity import (
    closest_pairs,
    exercise_regions,
    normalize,
    pairs_html,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from mutants.lab04 import VARIANTS  # noqa: E402

EXERCISE = "04-paso-de-entrenamiento"
TEMPLATE = json.loads((ROOT / "notebooks" / "04_bucle_nativo.ipynb").read_text(encoding="utf-8"))


def _student(code: str, keep_comment: bool = True) -> dict:
    """La plantilla con la línea todo(...) del ejercicio sustituida por ``code``."""
    notebook = copy.deepcopy(TEMPLATE)
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if f'todo("{EXERCISE}")' not in source:
            continue
        lines = []
        for line in source.splitlines():
            if 'todo("' in line:
                indent = line[: len(line) - len(line.lstrip())]
                lines += [indent + x if x else x for x in code.splitlines()]
            elif "TU CÓDIGO AQUÍ" in line and not keep_comment:
                continue
            else:
                lines.append(line)
        cell["source"] = "\n".join(lines)
    return notebook


def _copied(code: str) -> str:
    """Una copia disimulada: otros nombres, otros comentarios y otros espacios."""
    renamed = code
    for old, new in (("outputs", "salida"), ("loss", "perdida"), ("tensor", "t"), ("name", "k")):
        renamed = re.sub(rf"\b{old}\b", new, renamed)
    lines = [f"{line}   # paso {i}" if line else line for i, line in enumerate(renamed.split("\n"))]
    return "# mi solución, hecha por mí\n\n" + "\n\n".join(lines).replace(" = ", "=")


def test_normalize_ignores_names_comments_and_spaces():
    assert normalize("total = a + b  # suma\n") == normalize("x=a+b\n")
    assert normalize("for i in xs:\n    print(i)\n") == normalize("for k in xs: print(k)\n")
    # Lo que viene de fuera no se renombra: no es lo mismo un paso del optimizador que del
    # planificador.
    assert normalize("optimizer.step()\n") != normalize("lr_scheduler.step()\n")
    assert normalize("x = y.argmax()\n") != normalize("x = y.argmin()\n")
    assert normalize("return len(x)\n") != normalize("return sum(x)\n")


def test_planted_copy_is_the_closest_pair_and_honest_variants_are_below():
    variants = [v for v in VARIANTS if v.exercise == EXERCISE]
    assert len(variants) >= 8
    regions = {v.name: exercise_regions(_student(v.code), TEMPLATE) for v in variants}
    original = next(v for v in variants if v.correct)
    regions["copia"] = exercise_regions(_student(_copied(original.code), False), TEMPLATE)
    assert set(regions["copia"]) == {EXERCISE}  # encontrada por el id de celda, sin comentario
    assert "perdida" in regions["copia"][EXERCISE]

    pairs = closest_pairs(regions, threshold=0.0)
    top = pairs[0]
    assert {top.first, top.second} == {"copia", original.name} and top.score == 1.0
    assert all(p.score < 1.0 for p in pairs[1:])
    assert len(pairs) == len(regions) * (len(regions) - 1) // 2

    listed = closest_pairs(regions)  # umbral por defecto
    assert listed[0] == top and len(listed) < len(pairs)
    page = pairs_html(listed, 0.9)
    assert "perdida" in page and "&lt;" not in top.first_code


def test_unsolved_and_tiny_regions_are_ignored():
    regions = {
        "sin-hacer": exercise_regions(TEMPLATE, TEMPLATE),
        "a": {EXERCISE: "return 1"},
        "b": {EXERCISE: "return 1"},
    }
    assert regions["sin-hacer"] == {}
    assert closest_pairs(regions, threshold=0.0) == []
