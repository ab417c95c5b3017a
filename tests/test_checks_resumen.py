"""``resumen()`` honesto: no promete la nota y avisa si el notebook no se ejecutó en orden o si
faltan comprobaciones anteriores (kernel reiniciado a mitad)."""

from __future__ import annotations

import pytest

from coursekit import checks

EXERCISES = ["02-compute-metrics", "02-tasa-de-aprendizaje"]


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(checks, "_RESULTS", {})
    monkeypatch.setattr(checks, "_RUN_ORDER", {})
    return checks


def _ran(fresh, order: dict[str, int], state: str = "hecho") -> None:
    for exercise, count in order.items():
        fresh._RUN_ORDER[exercise] = count
        fresh._RESULTS[exercise] = (state, "")


def test_all_passing_says_the_grade_uses_other_inputs(fresh, capsys):
    _ran(fresh, {EXERCISES[0]: 3, EXERCISES[1]: 7})
    fresh.resumen("02")
    out = capsys.readouterr().out
    assert "2 de 2 ejercicios pasan la comprobación pública" in out
    assert "otras entradas" in out and "no garantiza la nota" in out
    assert "Listo para entregar" not in out and "⚠️" not in out


def test_out_of_order_is_reported(fresh, capsys):
    _ran(fresh, {EXERCISES[0]: 9, EXERCISES[1]: 4})
    fresh.resumen("02")
    out = capsys.readouterr().out
    assert "no se ejecutaron en el orden del notebook" in out and EXERCISES[0] in out


def test_restart_midway_is_reported(fresh, capsys):
    _ran(fresh, {EXERCISES[1]: 2})  # tras reiniciar solo se ejecutó la segunda
    fresh.resumen("02")
    out = capsys.readouterr().out
    assert "no se ejecutó en esta sesión del kernel" in out and "Restart & Run All" in out


def test_check_records_its_run(fresh):
    with pytest.raises(fresh.CheckFailed):
        fresh.check("02-compute-metrics", verbose=False, compute_metrics=lambda p: 3, num_labels=3)
    assert "02-compute-metrics" in fresh._RUN_ORDER
    assert fresh.run_warnings(EXERCISES) == []
