"""Error típico de una exactitud y de la diferencia emparejada entre dos métodos."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coursekit.errors import CourseError
from coursekit.uncertainty import (
    accuracy_standard_error,
    paired_bootstrap_interval,
    paired_difference_standard_error,
    tied_with_best,
    within_noise,
)


def test_accuracy_standard_error_of_quick_and_full():
    # La cifra que el lab 07 escribía a mano (200 reseñas, p = 0.5) y la de full (1000, 5 clases).
    assert accuracy_standard_error(0.5, 200) == pytest.approx(0.0354, abs=1e-4)
    assert accuracy_standard_error(0.2, 1000) == pytest.approx(math.sqrt(0.16 / 1000))
    assert accuracy_standard_error(1.0, 50) == 0.0


@pytest.mark.parametrize(
    "accuracy, n, fragment",
    [
        (75, 200, "fracción"),
        (-0.1, 200, "entre 0 y 1"),
        ("0.5", 200, "número"),
        (0.5, 0, "≥ 1"),
        (0.5, 2.5, "entero"),
        (0.5, True, "entero"),
    ],
)
def test_accuracy_standard_error_rejects_bad_inputs_in_spanish(accuracy, n, fragment):
    with pytest.raises(CourseError, match=fragment):
        accuracy_standard_error(accuracy, n)


def test_paired_standard_error_counts_only_disagreements():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 1000)
    assert paired_difference_standard_error(a, a) == 0.0  # mismas predicciones: sin ruido
    b = a.copy()
    b[:10] = 1 - b[:10]  # discrepan en 10 de 1000 ejemplos
    paired = paired_difference_standard_error(a, b)
    unpaired = math.hypot(
        accuracy_standard_error(a.mean(), 1000), accuracy_standard_error(b.mean(), 1000)
    )
    assert paired == pytest.approx(np.std(a - b, ddof=1) / math.sqrt(1000))
    assert paired < unpaired / 3  # emparejar quita el ruido común a los dos métodos


def test_paired_bootstrap_is_reproducible_and_brackets_the_difference():
    rng = np.random.default_rng(1)
    a = (rng.random(400) < 0.7).astype(int)
    b = (rng.random(400) < 0.6).astype(int)
    low, high = paired_bootstrap_interval(a, b, seed=3)
    assert (low, high) == paired_bootstrap_interval(a, b, seed=3)
    assert low < a.mean() - b.mean() < high
    se = paired_difference_standard_error(a, b)
    assert high - low == pytest.approx(2 * 1.96 * se, rel=0.25)


@pytest.mark.parametrize(
    "a, b, fragment",
    [
        ([1, 0, 1], [1, 0], "mismos ejemplos"),
        ([1, 2, 0], [1, 0, 0], "1 \\(acierto\\)"),
        ([], [], "no vacía"),
        ([[1, 0]], [[1, 0]], "forma"),
        (["sí", "no"], [1, 0], "aciertos"),
        ([1], [0], "al menos 2"),
    ],
)
def test_paired_standard_error_rejects_bad_inputs_in_spanish(a, b, fragment):
    with pytest.raises(CourseError, match=fragment):
        paired_difference_standard_error(a, b)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"confidence": 95}, "entre 0 y 1"),
        ({"confidence": "alta"}, "número"),
        ({"resamples": 0}, "≥ 1"),
    ],
)
def test_paired_bootstrap_rejects_bad_inputs_in_spanish(kwargs, fragment):
    with pytest.raises(CourseError, match=fragment):
        paired_bootstrap_interval([1, 0, 1], [0, 0, 1], **kwargs)


def test_within_noise():
    assert within_noise(0.0, 0.0)  # un empate exacto es empate aunque el error sea 0
    assert within_noise(0.03, 0.02)
    assert not within_noise(0.05, 0.02)
    assert not within_noise(0.01, 0.0)
    with pytest.raises(CourseError, match="negativo"):
        within_noise(0.1, -0.01)
    with pytest.raises(CourseError, match="número"):
        within_noise(float("nan"), 0.01)


def test_tied_methods_name_no_single_winner():
    same = [1, 0] * 100
    best, tied = tied_with_best({"A": same, "B": same, "C": same})
    assert sorted(tied) == ["A", "B", "C"]  # todos iguales: ninguno gana
    clear = tied_with_best({"bueno": [1] * 200, "malo": [1, 0] * 100})
    assert clear == ("bueno", ["bueno"])
    rng = np.random.default_rng(2)
    a = rng.integers(0, 2, 200)
    b = a.copy()
    b[0] = 1 - b[0]  # un ejemplo de diferencia en 200: ruido
    assert sorted(tied_with_best({"a": a, "b": b})[1]) == ["a", "b"]


@pytest.mark.parametrize(
    "correct, fragment",
    [({}, "no vacío"), ({"A": [1, 0], "B": [1, 0, 1]}, "mismos ejemplos"), ([1, 0], "diccionario")],
)
def test_tied_with_best_rejects_bad_inputs_in_spanish(correct, fragment):
    with pytest.raises(CourseError, match=fragment):
        tied_with_best(correct)


def test_count_spread_matches_a_simulation():
    """√(n·p·(1−p)): lo que se aleja de n·p el número de éxitos de un sorteo (lab 01)."""
    import numpy as np

    from coursekit.uncertainty import count_spread

    assert count_spread(100) == pytest.approx(5.0)
    draws = np.random.default_rng(0).binomial(100, 0.5, size=20_000)
    assert draws.std() == pytest.approx(count_spread(100), rel=0.05)
    assert count_spread(30, p=0.2) == pytest.approx((30 * 0.2 * 0.8) ** 0.5)
    with pytest.raises(CourseError):
        count_spread(0)
    with pytest.raises(CourseError):
        count_spread(10, p=1.5)
