"""Comparación de estrategias de relleno con el MiniLM empaquetado (sin aserciones de tiempo)."""

from __future__ import annotations

import pytest
from datasets import Dataset

from coursekit.errors import CourseError
from coursekit.padding import STRATEGIES, STRATEGY_LABELS, compare_padding

TEXTS = [
    "Buena.",
    "Una película larga, lenta y con un final que nadie entiende.",
    "Me encantó.",
    "Actores correctos pero el guion no se sostiene en la segunda mitad de la historia.",
    "Aburrida.",
    "Muy divertida para ver en familia.",
    "No.",
    "La fotografía es preciosa y la música acompaña cada escena con mucho gusto.",
    "Regular.",
    "Demasiado larga para lo poco que cuenta, aunque tiene momentos brillantes.",
    "¡Obra maestra!",
    "Ni fu ni fa.",
]
BATCH_SIZE, MAX_LENGTH = 4, 64


@pytest.fixture(scope="module")
def texts_dataset():
    return Dataset.from_dict({"text": TEXTS, "label": [i % 2 for i in range(len(TEXTS))]})


@pytest.fixture(scope="module")
def table(texts_dataset, tokenizer, classifier):
    return compare_padding(
        texts_dataset,
        tokenizer,
        classifier,
        batch_size=BATCH_SIZE,
        max_length=MAX_LENGTH,
        progress=False,
    )


def test_one_row_per_strategy(table):
    assert list(table.index) == list(STRATEGIES)
    assert list(table["descripción"]) == [STRATEGY_LABELS[s] for s in STRATEGIES]
    for column in (
        "posiciones_por_batch",
        "tokens_reales_por_batch",
        "proporción_reales",
        "segundos",
        "aceleración",
        "misma_predicción",
    ):
        assert column in table.columns


def test_max_length_positions(table):
    assert table.loc["max_length", "posiciones_por_batch"] == BATCH_SIZE * MAX_LENGTH


def test_dynamic_uses_fewer_positions_and_grouping_even_fewer(table):
    positions = table["posiciones_por_batch"]
    assert positions["dynamic"] < positions["max_length"]
    assert positions["grouped"] <= positions["dynamic"]


def test_real_tokens_are_the_same_for_all_strategies(table, tokenizer):
    real = table["tokens_reales_por_batch"]
    assert real.nunique() == 1
    n_tokens = sum(
        len(ids) for ids in tokenizer(TEXTS, truncation=True, max_length=MAX_LENGTH)["input_ids"]
    )
    assert real.iloc[0] == pytest.approx(n_tokens / (len(TEXTS) / BATCH_SIZE))


def test_real_proportion(table):
    assert table.loc["max_length", "proporción_reales"] < table.loc["dynamic", "proporción_reales"]
    assert (table["proporción_reales"] <= 1).all()
    expected = table["tokens_reales_por_batch"] / table["posiciones_por_batch"]
    assert list(table["proporción_reales"]) == pytest.approx(list(expected))


def test_same_predictions_for_every_strategy(table):
    assert list(table["misma_predicción"]) == [1.0, 1.0, 1.0]


def test_speedup_is_relative_to_max_length(table):
    assert table.loc["max_length", "aceleración"] == 1.0
    assert (table["segundos"] > 0).all()


def test_subset_of_strategies(texts_dataset, tokenizer, classifier):
    small = compare_padding(
        texts_dataset.select(range(4)),
        tokenizer,
        classifier,
        batch_size=2,
        max_length=16,
        strategies=("dynamic",),
        progress=False,
    )
    assert list(small.index) == ["dynamic"]
    assert small.loc["dynamic", "aceleración"] == 1.0
    assert small.loc["dynamic", "posiciones_por_batch"] <= 2 * 16


@pytest.mark.parametrize("strategies", [("max_length", "bucket"), ()])
def test_unknown_strategy(texts_dataset, tokenizer, classifier, strategies):
    with pytest.raises(
        CourseError, match="Estrategia\\(s\\) desconocida\\(s\\).*max_length, dynamic, grouped"
    ):
        compare_padding(texts_dataset, tokenizer, classifier, strategies=strategies, progress=False)


def test_dataset_without_text(tokenizer, classifier):
    tokenized = Dataset.from_dict({"input_ids": [[101, 102]], "label": [0]})
    with pytest.raises(
        CourseError, match="necesita un dataset con columna 'text' \\(sin tokenizar\\)"
    ):
        compare_padding(tokenized, tokenizer, classifier, progress=False)


def test_plain_list_is_rejected(tokenizer, classifier):
    with pytest.raises(CourseError, match="columna 'text'"):
        compare_padding(TEXTS, tokenizer, classifier, progress=False)


def test_empty_dataset(texts_dataset, tokenizer, classifier):
    with pytest.raises(CourseError, match="El dataset está vacío"):
        compare_padding(texts_dataset.select([]), tokenizer, classifier, progress=False)


@pytest.mark.parametrize(("batch_size", "max_length"), [(0, 64), (-1, 64), (4, 0)])
def test_bad_sizes(texts_dataset, tokenizer, classifier, batch_size, max_length):
    with pytest.raises(CourseError, match="batch_size y max_length deben ser enteros positivos"):
        compare_padding(
            texts_dataset,
            tokenizer,
            classifier,
            batch_size=batch_size,
            max_length=max_length,
            progress=False,
        )


def _summary_table(speedups, positions=(4096, 3900, 2176)):
    import pandas as pd

    return pd.DataFrame(
        {
            "posiciones_por_batch": list(positions),
            "aceleración": [1.0, *speedups],
            "misma_predicción": [1.0, 1.0, 1.0],
        },
        index=pd.Index(list(STRATEGIES), name="estrategia"),
    )


def test_summary_words_a_slowdown_as_slower_not_as_a_fraction_of_faster():
    """El lab 01 imprimía «0.8 veces más rápido» cuando el relleno dinámico fue más lento."""
    from coursekit.padding import padding_summary

    text = padding_summary(_summary_table([0.8, 2.5]))
    dynamic, grouped = text.splitlines()
    assert "más lento" in dynamic and "1.2 veces su tiempo" in dynamic
    assert "0.8 veces" not in text
    assert "2.5 veces más rápido" in grouped


def test_summary_calls_a_small_difference_a_tie_and_reports_positions():
    from coursekit.padding import padding_summary

    text = padding_summary(_summary_table([1.04, 0.97]))
    assert text.count("tan rápido como") == 2 and "más rápido que" not in text
    # Las posiciones por batch van junto a los segundos: agrupar ayuda aunque el tiempo empate.
    assert "3,900 posiciones por lote" in text and "2,176 posiciones" in text and "(53%)" in text


def test_summary_rejects_what_is_not_a_comparison(texts_dataset):
    from coursekit.padding import padding_summary

    with pytest.raises(CourseError, match="compare_padding"):
        padding_summary(texts_dataset)
    with pytest.raises(CourseError, match="dos estrategias"):
        padding_summary(_summary_table([1.0, 1.0]).iloc[:1])
