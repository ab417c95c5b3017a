"""Clases desequilibradas a propósito: un conjunto de demostración para la lección de F1.

Los subconjuntos del curso están equilibrados y con ellos la exactitud, la F1 macro y la F1
ponderada casi coinciden. :func:`imbalanced_subset` saca de un conjunto (la validación) otro
con las proporciones que se pidan; :func:`demonstration_proportions` elige esas proporciones:
las naturales de los datos si ya están desequilibrados, o una clase con casi todo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from coursekit.data import LABEL, label_counts, label_names
from coursekit.errors import CourseError

if TYPE_CHECKING:
    from datasets import Dataset

#: A partir de qué cociente entre la clase más frecuente y la menos frecuente se consideran
#: desequilibrados unos datos (y la demostración usa sus proporciones naturales).
IMBALANCE_RATIO = 2.0


def class_proportions(dataset: Dataset, label_column: str = LABEL) -> dict[str, float]:
    """La fracción de ejemplos de cada clase de ``dataset`` (suman 1)."""
    counts = label_counts(dataset, label_column)
    total = sum(counts.values())
    if total == 0:
        raise CourseError("El dataset está vacío: no hay proporciones de clases.")
    return {name: count / total for name, count in counts.items()}


def demonstration_proportions(
    dataset: Dataset,
    majority_share: float = 0.9,
    label_column: str = LABEL,
    fit_to: Dataset | None = None,
) -> tuple[dict[str, float], str]:
    """Proporciones para una demostración desequilibrada y una frase que dice de dónde salen.

    Si las clases de ``dataset`` (p. ej. la partición ``train`` completa de tus datos) ya están
    desequilibradas (la más frecuente tiene al menos :data:`IMBALANCE_RATIO` veces los ejemplos
    de la menos frecuente), se usan esas proporciones naturales. Si no, la primera clase recibe
    ``majority_share`` y las demás se reparten el resto a partes iguales. Con ``fit_to`` (el
    conjunto del que saldrá la demostración), si ``majority_share`` no cabe en él (pocos
    ejemplos por clase y muchas clases: 20 de validación con 5 clases), la primera clase recibe
    la mayor proporción que sí cabe (todos sus ejemplos y uno de cada otra clase), y la frase
    lo dice.
    """
    if isinstance(majority_share, bool) or not isinstance(majority_share, (int, float)):
        raise CourseError(f"majority_share debe ser un número, no {majority_share!r}.")
    names = label_names(dataset, label_column)
    share_floor = 1 / len(names)
    if not share_floor < majority_share < 1:
        raise CourseError(
            f"majority_share={majority_share!r} no sirve: con {len(names)} clases tiene que estar "
            f"entre {share_floor:.3g} (todas iguales, nada desequilibrado) y 1 (una sola clase), "
            "sin incluirlos; p. ej. 0.9."
        )
    natural = class_proportions(dataset, label_column)
    smallest = min(natural.values())
    if smallest > 0 and max(natural.values()) / smallest >= IMBALANCE_RATIO:
        return natural, "las proporciones naturales de tus datos"
    note = ""
    if fit_to is not None:
        available = label_counts(fit_to, label_column)
        first = available.get(names[0], 0)
        if len(fit_to) and first and min(available.values()) >= 1:
            fitting = first / (first + len(names) - 1)
            if fitting < majority_share:
                note = (
                    f" (el {100 * majority_share:.0f} % no cabe en {len(fit_to)} ejemplos con "
                    f"{len(names)} clases)"
                )
                majority_share = fitting
    rest = (1 - majority_share) / (len(names) - 1)
    proportions = {name: (majority_share if i == 0 else rest) for i, name in enumerate(names)}
    rest_text = (
        f"«{names[1]}» con el {100 * rest:.0f} %"
        if len(names) == 2
        else "las demás a partes iguales"
    )
    return proportions, f"«{names[0]}» con el {100 * majority_share:.0f} %{note} y {rest_text}"


def _check_proportions(
    proportions: Mapping[str, float] | Sequence[float], names: list[str]
) -> dict[str, float]:
    if isinstance(proportions, Mapping):
        unknown = [name for name in proportions if name not in names]
        missing = [name for name in names if name not in proportions]
        if unknown or missing:
            problems = []
            if unknown:
                problems.append(f"no son clases de los datos: {', '.join(map(repr, unknown))}")
            if missing:
                problems.append(f"faltan: {', '.join(map(repr, missing))}")
            detail = "; ".join(problems)
            raise CourseError(
                f"Las proporciones tienen que dar una fracción a cada clase ({detail}). "
                f"Clases: {', '.join(map(repr, names))}."
            )
        shares = dict(proportions)
    elif isinstance(proportions, Sequence) and not isinstance(proportions, str):
        if len(proportions) != len(names):
            raise CourseError(
                f"Hay {len(proportions)} proporciones para {len(names)} clases "
                f"({', '.join(map(repr, names))}): da una por clase, en ese orden."
            )
        shares = dict(zip(names, proportions, strict=True))
    else:
        raise CourseError(
            "proportions tiene que ser un diccionario {clase: fracción} o una lista con una "
            f"fracción por clase, no {type(proportions).__name__}."
        )
    for name, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise CourseError(
                f"La proporción de {name!r} es {share!r}: tiene que ser un número entre 0 y 1."
            )
    if not math.isclose(sum(shares.values()), 1, abs_tol=1e-6):
        raise CourseError(
            f"Las proporciones suman {sum(shares.values()):.4g} y tienen que sumar 1 "
            "(p. ej. 0.9 y 0.1)."
        )
    return {name: float(shares[name]) for name in names}


def _allocate(shares: list[float], total: int) -> list[int]:
    """Reparte ``total`` ejemplos según ``shares`` (restos mayores) con al menos uno por cada
    clase de proporción positiva."""
    exact = [share * total for share in shares]
    counts = [math.floor(value + 1e-9) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    for i, share in enumerate(shares):
        if share > 0 and counts[i] == 0:
            counts[i] = 1
            counts[max(range(len(counts)), key=counts.__getitem__)] -= 1
    return counts


def imbalanced_subset(
    dataset: Dataset,
    proportions: Mapping[str, float] | Sequence[float],
    seed: int = 42,
    size: int | None = None,
    label_column: str = LABEL,
) -> Dataset:
    """Subconjunto de ``dataset`` con las clases en las ``proportions`` pedidas, reproducible.

    ``proportions`` da una fracción a cada clase (``{"negativa": 0.9, "positiva": 0.1}`` o
    ``[0.9, 0.1]`` en el orden de las clases); suman 1 y una clase con proporción positiva recibe
    al menos un ejemplo. Sin ``size``, el mayor subconjunto posible con esas proporciones
    (redondeadas); con ``size``, exactamente ``size`` ejemplos si hay bastantes de cada clase.
    Sin ejemplos repetidos; el resultado sale barajado.
    """
    import numpy as np

    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        raise CourseError(f"size debe ser un entero positivo o None, no {size!r}.")
    if len(dataset) == 0:
        raise CourseError("El dataset está vacío: no se puede sacar un subconjunto.")
    names = label_names(dataset, label_column)
    shares = list(_check_proportions(proportions, names).values())
    labels = np.asarray(list(dataset[label_column]))
    available = np.bincount(labels, minlength=len(names))
    positive = sum(share > 0 for share in shares)
    largest = int(math.floor(min(available[i] / s for i, s in enumerate(shares) if s > 0) + 1e-9))
    while largest > positive and any(
        n > available[i] for i, n in enumerate(_allocate(shares, largest))
    ):
        largest -= 1
    counts = _allocate(shares, largest)
    if largest < positive or any(n > available[i] for i, n in enumerate(counts)):
        short = [names[i] for i, s in enumerate(shares) if s > 0 and available[i] == 0]
        raise CourseError(
            "No hay ejemplos para esas proporciones: "
            + (
                f"la(s) clase(s) {', '.join(map(repr, short))} no tiene(n) ninguno aquí."
                if short
                else f"hacen falta al menos {positive} ejemplos y solo caben {largest}."
            )
        )
    if size is not None:
        if size < positive:
            raise CourseError(
                f"Con {size} ejemplos no caben las {positive} clases con proporción positiva; "
                f"usa al menos {positive}."
            )
        counts = _allocate(shares, size)
        if size > largest or any(n > available[i] for i, n in enumerate(counts)):
            raise CourseError(
                f"Pides {size} ejemplos con esas proporciones y el dataset solo da para "
                f"{largest} (hay {dict(zip(names, available.tolist(), strict=True))}). Usa "
                f"size={largest} o menos, o size=None para el mayor posible."
            )
    rng = np.random.default_rng(seed)
    chosen = [
        rng.choice(np.flatnonzero(labels == i), size=n, replace=False)
        for i, n in enumerate(counts)
        if n > 0
    ]
    return dataset.select(rng.permutation(np.concatenate(chosen)).tolist())
