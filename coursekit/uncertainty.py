"""Cuánto ruido tiene una exactitud medida: el error típico de una exactitud sobre ``n``
ejemplos y el de la diferencia entre dos métodos evaluados sobre los **mismos** ejemplos.

Sirve para que los labs digan «±x puntos» calculado con los datos del perfil (200 reseñas en
``quick``, 1000 en ``full``, las tuyas con tus datos) en lugar de una cifra escrita a mano, y
para no declarar un ganador cuando dos métodos están empatados dentro del ruido.

Solo usa NumPy. Las diferencias emparejadas se calculan con los aciertos por ejemplo (1 si el
método acertó ese ejemplo, 0 si no): como los dos métodos ven los mismos ejemplos, los ejemplos
fáciles o difíciles para ambos no añaden ruido a la diferencia.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from coursekit.errors import CourseError

#: Múltiplo del error típico que se toma como «dentro del ruido» (un intervalo de ~95 %).
NOISE_Z = 1.96


def _count(n: Any, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int | float) or n != int(n) or n < 1:
        raise CourseError(f"{name} debe ser un número entero de ejemplos ≥ 1; es {n!r}.")
    return int(n)


def _fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CourseError(f"{name} debe ser un número entre 0 y 1; es {value!r}.")
    if not 0 <= value <= 1:
        raise CourseError(
            f"{name} debe estar entre 0 y 1 (una fracción, no un porcentaje); es {value!r}."
        )
    return float(value)


def _correctness(values: Any, name: str):
    import numpy as np

    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise CourseError(
            f"{name} debe ser una lista de aciertos (1 o 0, True o False) por ejemplo."
        ) from None
    if array.ndim != 1 or array.size == 0:
        raise CourseError(
            f"{name} debe ser una lista no vacía de aciertos por ejemplo; tiene forma "
            f"{array.shape}."
        )
    if not np.all((array == 0) | (array == 1)):
        raise CourseError(
            f"{name} solo puede tener 1 (acierto) o 0 (fallo) por ejemplo; calcula "
            "(predicciones == etiquetas) antes de llamar."
        )
    return array


def _pair(correct_a: Any, correct_b: Any):
    a = _correctness(correct_a, "correct_a")
    b = _correctness(correct_b, "correct_b")
    if a.size != b.size:
        raise CourseError(
            f"Los dos métodos deben evaluarse sobre los mismos ejemplos: correct_a tiene "
            f"{a.size} y correct_b {b.size}."
        )
    return a, b


def count_spread(n: int, p: float = 0.5) -> float:
    """Desviación típica del número de éxitos en ``n`` sorteos con probabilidad ``p``:
    √(n·p·(1−p)). Al tomar 100 reseñas al azar de dos clases igual de frecuentes, el número de
    positivas se aleja de 50 unas 5 (y más de 10 en menos del 5 % de los sorteos)."""
    q = _fraction(p, "p")
    return math.sqrt(_count(n) * q * (1 - q))


def accuracy_standard_error(accuracy: float, n: int) -> float:
    """Error típico de una exactitud ``accuracy`` (fracción entre 0 y 1) medida sobre ``n``
    ejemplos: ``sqrt(p (1 - p) / n)``. Con 200 ejemplos y p = 0.5 es 0.035 (±3.5 puntos).

    Es el de una proporción binomial: supone ejemplos independientes; dice cuánto cambiaría la
    exactitud con otros ``n`` ejemplos de la misma población, no con otra semilla."""
    p = _fraction(accuracy, "accuracy")
    return math.sqrt(p * (1 - p) / _count(n))


def paired_difference_standard_error(correct_a: Sequence[Any], correct_b: Sequence[Any]) -> float:
    """Error típico de ``exactitud(a) - exactitud(b)`` cuando los dos métodos se evaluaron
    sobre los mismos ejemplos (``correct_a[i]`` es 1 si ``a`` acertó el ejemplo ``i``).

    Es la desviación típica de las diferencias por ejemplo dividida por ``sqrt(n)``: solo
    cuentan los ejemplos en los que los métodos no coinciden. Con un solo ejemplo no hay forma
    de estimarlo (error)."""
    import numpy as np

    a, b = _pair(correct_a, correct_b)
    if a.size < 2:
        raise CourseError("Hacen falta al menos 2 ejemplos para estimar el error típico.")
    return float(np.std(a - b, ddof=1) / math.sqrt(a.size))


def paired_bootstrap_interval(
    correct_a: Sequence[Any],
    correct_b: Sequence[Any],
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Intervalo de ``exactitud(a) - exactitud(b)`` por *bootstrap* emparejado: remuestrea los
    mismos índices de ejemplo para los dos métodos ``resamples`` veces (semilla fija: el mismo
    intervalo cada vez) y devuelve los percentiles del nivel ``confidence``."""
    import numpy as np

    a, b = _pair(correct_a, correct_b)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise CourseError(f"confidence debe ser un número entre 0 y 1; es {confidence!r}.")
    if not 0 < confidence < 1:
        raise CourseError(f"confidence debe estar entre 0 y 1 (p. ej. 0.95); es {confidence!r}.")
    resamples = _count(resamples, "resamples")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, a.size, size=(resamples, a.size))
    differences = (a[indices] - b[indices]).mean(axis=1)
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(differences, [tail, 100 - tail])
    return float(low), float(high)


def within_noise(difference: float, standard_error: float, z: float = NOISE_Z) -> bool:
    """``True`` si ``|difference| <= z × standard_error``: la diferencia no se distingue del
    ruido (una diferencia exactamente 0 siempre lo está)."""
    for name, value in (("difference", difference), ("standard_error", standard_error)):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise CourseError(f"{name} debe ser un número; es {value!r}.")
    if standard_error < 0:
        raise CourseError(f"standard_error no puede ser negativo; es {standard_error!r}.")
    return abs(difference) <= z * standard_error


def tied_with_best(
    correct_by_method: Mapping[str, Sequence[Any]], z: float = NOISE_Z
) -> tuple[str, list[str]]:
    """El método con más aciertos y la lista de los que empatan con él dentro del ruido
    (incluido él), comparando cada uno con el mejor sobre los mismos ejemplos
    (:func:`paired_difference_standard_error`). Un empate exacto cuenta como empate."""
    if not isinstance(correct_by_method, Mapping) or len(correct_by_method) < 1:
        raise CourseError("Hace falta un diccionario {método: aciertos por ejemplo} no vacío.")
    arrays = {
        name: _correctness(values, f"aciertos de «{name}»")
        for name, values in correct_by_method.items()
    }
    sizes = {array.size for array in arrays.values()}
    if len(sizes) != 1:
        raise CourseError(
            "Todos los métodos deben evaluarse sobre los mismos ejemplos; llegaron "
            f"{', '.join(f'{name}: {a.size}' for name, a in arrays.items())}."
        )
    best = max(arrays, key=lambda name: arrays[name].mean())
    tied = [
        name
        for name, array in arrays.items()
        if name == best
        or array.size < 2
        or within_noise(
            arrays[best].mean() - array.mean(),
            paired_difference_standard_error(arrays[best], array),
            z,
        )
    ]
    return best, tied
