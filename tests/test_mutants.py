"""Ninguna respuesta equivocada pasa una comprobación y ninguna correcta se rechaza.

Cada variante de tests/mutants/ sustituye la región de la solución en la celda del notebook y
se ejecuta con la celda de comprobación que la sigue: los errores («mutantes») deben fallar
con una pista en español; las respuestas escritas de otra forma («alternativas») deben pasar.
``test_same_outcomes_under_python_optimize`` (lenta) repite todas las variantes en un proceso
con ``python -O`` (sin ``assert``), con ``tests/mutants/outcomes.py``.
"""

from __future__ import annotations

import pytest
from mutants.runner import all_variants, exercise_cells, run_variant, solution
from mutants.table import TABLE, render

from coursekit.checks import CheckFailed

VARIANTS = all_variants()
EXERCISES = sorted({v.exercise for v in VARIANTS})


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solution_passes_in_the_mutant_namespace(exercise, capsys):
    run_variant(solution(exercise))
    assert f"✅ Ejercicio «{exercise}»" in capsys.readouterr().out


@pytest.mark.parametrize("variant", [v for v in VARIANTS if not v.correct], ids=lambda v: v.id)
def test_mistake_fails_with_a_hint(variant):
    with pytest.raises(CheckFailed) as failure:
        run_variant(variant)
    hint = failure.value.hint
    assert failure.value.exercise_id == variant.exercise
    assert len(hint) > 20, hint
    assert variant.hint.lower() in hint.lower(), hint


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.correct], ids=lambda v: v.id)
def test_alternative_passes(variant, capsys):
    run_variant(variant)
    assert f"✅ Ejercicio «{variant.exercise}»" in capsys.readouterr().out


def test_every_variant_names_a_real_exercise():
    known = {e for lab in {v.exercise[:2] for v in VARIANTS} for e in exercise_cells(lab)}
    assert {v.exercise for v in VARIANTS} <= known
    ids = [v.id for v in VARIANTS]
    assert len(ids) == len(set(ids)), "dos variantes con el mismo nombre"


def test_exercise_table_is_up_to_date():
    assert TABLE.read_text(encoding="utf-8") == render(), (
        "docs/ejercicios.md no está al día: python scripts/exercise_table.py"
    )


@pytest.mark.slow
def test_same_outcomes_under_python_optimize():
    """Con ``python -O`` (sin ``assert``) ningún mutante pasa y toda alternativa pasa."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parent / "mutants" / "outcomes.py"
    env = os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)}
    completed = subprocess.run(
        [sys.executable, "-O", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=True,
    )
    report = json.loads(completed.stdout)
    assert report["optimize"] == 1
    expected = {v.id: "aceptada" if v.correct else "rechazada" for v in VARIANTS}
    expected |= {f"{e}:solucion": "aceptada" for e in EXERCISES}
    assert report["results"] == expected
