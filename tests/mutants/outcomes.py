"""Ejecuta todas las variantes y escribe su resultado en JSON (para ``python -O``).

``python -O tests/mutants/outcomes.py`` no usa ``assert`` ni pytest: con ``-O`` los ``assert``
desaparecen, y precisamente eso es lo que se prueba. tests/test_mutants.py lo lanza en un
subproceso y compara.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mutants.runner import all_variants, run_variant, solution


def outcome(variant) -> str:
    from coursekit.checks import CheckFailed

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            run_variant(variant)
        except CheckFailed:
            return "rechazada"
    return "aceptada"


def main() -> None:
    variants = all_variants()
    exercises = sorted({v.exercise for v in variants})
    results = {f"{e}:solucion": outcome(solution(e)) for e in exercises}
    results |= {v.id: outcome(v) for v in variants}
    json.dump({"optimize": sys.flags.optimize, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
