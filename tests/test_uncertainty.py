"""Incertidumbre calculada: error típico, dispersión de un sorteo y bootstrap pareado."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit.errors import CourseError
from coursekit.uncertainty import count_spread, paired_bootstrap, standard_error


def test_standard_error_of_an_accuracy():
    assert standard_error(0.7, 200) == pytest.approx(math.sqrt(0.7 * 0.3 / 200))
    assert standard_error(1.0, 50) == 0.0
    assert standard_error(0.5, 400) == pytest.approx(0.025)
    with pytest.raises(CourseError, match="entre 0 y 1"):
        standard_error(70, 200)  # porcentaje en vez de fracción
    with pytest.raises(CourseError, match="n debe ser"):
        standard_error(0.5, 0)


def test_count_spread_matches_a_simulation():
    assert count_spread(100) == pytest.approx(5.0)
    draws = np.random.default_rng(0).binomial(100, 0.5, size=20_000)
    assert draws.std() == pytest.approx(count_spread(100), rel=0.05)
    assert count_spread(30, p=0.2) == pytest.approx(math.sqrt(30 * 0.2 * 0.8))


def test_paired_bootstrap_contains_the_difference_and_is_reproducible():
    rng = np.random.default_rng(1)
    a = rng.random(200) < 0.75
    b = rng.random(200) < 0.70
    result = paired_bootstrap(a, b, seed=3)
    assert result.difference == pytest.approx(a.mean() - b.mean())
    assert result.low <= result.difference <= result.high
    assert paired_bootstrap(a, b, seed=3) == result
    # El ancho del intervalo del 95 % se parece a ±1.96 errores típicos de la diferencia.
    se = np.sqrt(np.var(a.astype(float) - b.astype(float)) / a.size)
    assert result.high - result.low == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_paired_bootstrap_verdicts():
    same = [1, 0, 1, 1, 0, 1, 0, 1] * 25
    close = paired_bootstrap(same, same[1:] + same[:1])
    assert close.within_noise and "dentro del ruido" in close.describe("LoRA", "completo")
    better = paired_bootstrap([1] * 190 + [0] * 10, [1] * 100 + [0] * 100)
    assert not better.within_noise
    assert better.describe("LoRA", "completo").startswith("LoRA frente a completo: +45.0 puntos")
    assert "LoRA es mejor más allá del ruido" in better.describe("LoRA", "completo")


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [([1, 0], [1], "misma longitud|mismo orden"), ([], [], "no vacías"), ([1, 2], [0, 1], "1/0")],
)
def test_paired_bootstrap_rejects_bad_inputs(a, b, message):
    with pytest.raises(CourseError, match=message):
        paired_bootstrap(a, b)
