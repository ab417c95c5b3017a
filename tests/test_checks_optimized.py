"""Las comprobaciones no dependen de ``assert``: con ``python -O`` tampoco aceptan un error."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import coursekit.lab_checks
from coursekit.checks import CheckFailed, check, expect, lab_exercises, resumen
from coursekit.metrics import classification_metrics

ROOT = Path(__file__).resolve().parents[1]
LAB_CHECKS = Path(coursekit.lab_checks.__file__).parent


def test_no_assert_statements_in_lab_checks():
    found = [
        f"{path.name}:{node.lineno}"
        for path in sorted(LAB_CHECKS.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == [], f"usa coursekit.checks.expect en vez de assert: {found}"


@pytest.mark.slow
def test_wrong_answer_fails_under_python_O():
    """En un proceso con ``-O`` (sin asserts), una respuesta mala sigue fallando."""
    script = textwrap.dedent(
        """
        import sys
        assert False, "este assert no debe ejecutarse con -O"
        from coursekit.checks import CheckFailed, check

        def wrong(eval_pred):  # devuelve siempre lo mismo
            return {"accuracy": 1.0, "f1_macro": 1.0}

        def no_dict(eval_pred):
            return 0.5

        for answer in (wrong, no_dict, "no soy una función"):
            try:
                check("02-compute-metrics", compute_metrics=answer, num_labels=5)
            except CheckFailed as failure:
                print("FALLA", failure.hint[:40])
            else:
                print("ACEPTADA")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-O", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("FALLA") for line in lines), result.stdout


def test_expect_raises_check_failed_through_check():
    from coursekit import checks

    @checks.register("99-prueba-expect")
    def _always_wrong(value) -> str:
        expect(value == 42, "el valor debe ser 42.")
        return "bien"

    try:
        try:
            check("99-prueba-expect", value=1)
        except CheckFailed as failure:
            assert failure.hint == "el valor debe ser 42."
        else:
            raise AssertionError("check aceptó una respuesta mala")
        assert check("99-prueba-expect", verbose=False, value=42) is True
    finally:
        checks._REGISTRY.pop("99-prueba-expect", None)
        checks._RESULTS.pop("99-prueba-expect", None)


def test_resumen_lists_done_failed_and_pending(capsys, monkeypatch):
    from coursekit import checks

    monkeypatch.setattr(checks, "_RESULTS", {})
    monkeypatch.setattr(checks, "_RUN_ORDER", {})
    assert lab_exercises("02") == ["02-compute-metrics", "02-tasa-de-aprendizaje"]

    def good(eval_pred):
        logits, labels = eval_pred
        return classification_metrics(logits.argmax(axis=-1), labels)

    check("02-compute-metrics", verbose=False, compute_metrics=good, num_labels=3)
    rows = resumen(2)
    out = capsys.readouterr().out
    assert rows[0][:2] == ("02-compute-metrics", "hecho")
    assert rows[1] == ("02-tasa-de-aprendizaje", "pendiente", "")
    assert "✅ hecho" in out and "⏳ pendiente" in out and "1 de 2 ejercicios pasan" in out
    try:
        check("02-compute-metrics", compute_metrics=lambda p: 3, num_labels=3)
    except CheckFailed:
        pass
    assert resumen("02")[0][1] == "fallo"
    assert "❌ con fallo: compute_metrics debe devolver un diccionario" in capsys.readouterr().out
