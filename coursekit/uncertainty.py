"""Incertidumbre calculada, no escrita a mano: cuánto podría moverse una exactitud con otra
muestra, y si la diferencia entre dos modelos evaluados con los mismos ejemplos es más que ruido.

- :func:`standard_error`: error típico de una proporción, √(p·(1−p)/n).
- :func:`count_spread`: cuánto se aleja de n·p, típicamente, el número de éxitos en n sorteos
  (√(n·p·(1−p)); p. ej. cuántas reseñas positivas salen al tomar n al azar).
- :func:`paired_bootstrap`: intervalo *bootstrap* de la diferencia de exactitud entre dos modelos
  sobre los **mismos** ejemplos (se remuestrean ejemplos, no modelos).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coursekit.errors import CourseError


def _check_proportion(p: float, name: str) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
        raise CourseError(f"{name} debe ser una proporción entre 0 y 1; es {p!r}.")
    return float(p)


def _check_count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise CourseError(f"n debe ser un número entero de ejemplos ≥ 1; es {n!r}.")
    return n


def standard_error(accuracy: float, n: int) -> float:
    """Error típico de una exactitud (o cualquier proporción) medida con ``n`` ejemplos:
    √(p·(1−p)/n). Con p = 0.7 y n = 200, ≈ 0.032 (unos 3 puntos)."""
    p = _check_proportion(accuracy, "accuracy")
    return math.sqrt(p * (1 - p) / _check_count(n))


def count_spread(n: int, p: float = 0.5) -> float:
    """Desviación típica del número de éxitos en ``n`` sorteos con probabilidad ``p``:
    √(n·p·(1−p)). Al tomar 100 reseñas al azar de dos clases igual de frecuentes, el número de
    positivas se aleja de 50 unas 5 (y más de 10 en menos del 5 % de los sorteos)."""
    return math.sqrt(_check_count(n) * (q := _check_proportion(p, "p")) * (1 - q))


@dataclass(frozen=True)
class Difference:
    """Diferencia de exactitud ``a − b`` y su intervalo *bootstrap* (``low``, ``high``)."""

    difference: float
    low: float
    high: float
    confidence: float

    @property
    def within_noise(self) -> bool:
        """``True`` si el intervalo contiene el 0: con estos ejemplos no se distinguen."""
        return self.low <= 0.0 <= self.high

    def describe(self, name_a: str = "A", name_b: str = "B") -> str:
        """Una frase en español con la diferencia en puntos y el veredicto."""
        points = f"{100 * self.difference:+.1f} puntos"
        interval = (
            f"intervalo del {100 * self.confidence:.0f} %: de {100 * self.low:+.1f} a "
            f"{100 * self.high:+.1f}"
        )
        verdict = (
            "dentro del ruido: con estos ejemplos no se distinguen"
            if self.within_noise
            else f"{name_a if self.difference > 0 else name_b} es mejor más allá del ruido"
        )
        return f"{name_a} frente a {name_b}: {points} ({interval}); {verdict}."


def paired_bootstrap(
    correct_a: Any,
    correct_b: Any,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> Difference:
    """Intervalo *bootstrap* por percentiles de la diferencia de exactitud entre dos modelos
    evaluados con los mismos ejemplos. ``correct_a`` y ``correct_b`` dicen, ejemplo a ejemplo,
    si cada modelo acertó (booleanos o 0/1, misma longitud y orden). Se remuestrean los
    ejemplos con reemplazo ``n_resamples`` veces con la semilla ``seed`` (reproducible)."""
    import numpy as np

    a = np.asarray(correct_a, dtype=float)
    b = np.asarray(correct_b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise CourseError(
            "correct_a y correct_b deben ser listas no vacías de aciertos (1/0), una por "
            f"ejemplo y en el mismo orden; formas {a.shape} y {b.shape}."
        )
    if not (set(np.unique(a)) | set(np.unique(b))) <= {0.0, 1.0}:
        raise CourseError("correct_a y correct_b deben contener solo aciertos: 1/0 o True/False.")
    _check_count(n_resamples)
    if not 0.0 < _check_proportion(confidence, "confidence") < 1.0:
        raise CourseError(f"confidence debe estar entre 0 y 1 (sin incluirlos); es {confidence}.")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, a.size, size=(n_resamples, a.size))
    differences = (a[indices] - b[indices]).mean(axis=1)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(differences, [tail, 100 - tail])
    return Difference(float(a.mean() - b.mean()), float(low), float(high), float(confidence))
