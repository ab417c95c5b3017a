"""Genera docs/ejercicios.md a partir de las variantes: ``python scripts/exercise_table.py``."""

from __future__ import annotations

from mutants.runner import ROOT, all_variants, exercise_cells

TABLE = ROOT / "docs" / "ejercicios.md"
HEADER = """# Qué garantiza cada comprobación

Generado por `python scripts/exercise_table.py` a partir de `tests/mutants/` (no se edita a mano;
`tests/test_mutants.py` comprueba que está al día). Para cada ejercicio: los errores plausibles
que su comprobación rechaza con una pista, y las respuestas correctas escritas de otra forma
que acepta. Las pruebas ejecutan cada variante con `python` y con `python -O`.

"""


def render() -> str:
    variants = all_variants()
    exercises = sorted({v.exercise for v in variants})
    lines = [HEADER]
    for exercise in exercises:
        mistakes = [v for v in variants if v.exercise == exercise and not v.correct]
        alternatives = [v for v in variants if v.exercise == exercise and v.correct]
        lines.append(f"## `{exercise}`\n")
        lines.append("| error que se rechaza | la pista habla de |")
        lines.append("| --- | --- |")
        for v in mistakes:
            lines.append(f"| {v.mistake} | {v.hint or '—'} |")
        lines.append("")
        if alternatives:
            lines.append(
                "Respuestas correctas que también se aceptan: "
                + "; ".join(f"`{v.name}`" for v in alternatives)
                + ".\n"
            )
    covered = {
        e for lab in ("01", "02", "03", "04", "05", "06", "07") for e in _exercises_or_empty(lab)
    }
    missing = sorted(covered - set(exercises))
    if missing:
        lines.append("Sin variantes todavía: " + ", ".join(f"`{e}`" for e in missing) + ".\n")
    return "\n".join(lines).rstrip() + "\n"


def _exercises_or_empty(lab: str) -> list[str]:
    try:
        return list(exercise_cells(lab))
    except ValueError:
        return []
