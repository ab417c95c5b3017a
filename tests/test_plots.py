"""Gráficas (backend Agg): barras, línea de max_length y etiquetas de las barras."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from coursekit.errors import CourseError
from coursekit.plots import plot_label_distribution, plot_padding_comparison, plot_token_lengths


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bar_label_texts(ax):
    return [text.get_text() for text in ax.texts]


def test_label_distribution_from_dict():
    ax = plot_label_distribution({"negativa": 12, "positiva": 7}, title="Train")
    assert len(ax.patches) == 2
    assert [bar.get_height() for bar in ax.patches] == [12, 7]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["negativa", "positiva"]
    assert _bar_label_texts(ax) == ["12", "7"]
    assert ax.get_title() == "Train"
    assert ax.get_ylabel() == "ejemplos"


def test_label_distribution_from_dataset(make_dataset):
    ax = plot_label_distribution(make_dataset([0, 1, 1, 2, 2, 2], names=["a", "b", "c"]))
    assert [bar.get_height() for bar in ax.patches] == [1, 2, 3]
    assert ax.get_title() == "Ejemplos por clase"


def test_label_distribution_on_given_axes():
    _, axes = plt.subplots(1, 2)
    returned = plot_label_distribution({"a": 1, "b": 2}, ax=axes[1])
    assert returned is axes[1]
    assert len(axes[0].patches) == 0 and len(axes[1].patches) == 2


def test_label_distribution_empty():
    with pytest.raises(CourseError, match="No hay clases que dibujar"):
        plot_label_distribution({})


def test_token_lengths_with_max_length_line():
    ax = plot_token_lengths([5, 8, 12, 40, 64, 70], max_length=64)
    assert len(ax.patches) == 30  # bins=30
    assert sum(bar.get_height() for bar in ax.patches) == 6
    assert len(ax.lines) == 1
    assert list(ax.lines[0].get_xdata()) == [64, 64]
    assert ax.get_legend() is not None
    assert "max_length = 64" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_xlabel() == "tokens por ejemplo"


def test_token_lengths_without_max_length():
    ax = plot_token_lengths([3, 4, 5])
    assert len(ax.lines) == 0
    assert ax.get_legend() is None


def test_token_lengths_empty():
    with pytest.raises(CourseError, match="No hay longitudes que dibujar"):
        plot_token_lengths([])


def _padding_table():
    return pd.DataFrame(
        {
            "posiciones_por_batch": [256.0, 120.0, 90.0],
            "tokens_reales_por_batch": [80.0, 80.0, 80.0],
            "segundos": [1.234, 0.5, 0.25],
        },
        index=pd.Index(["max_length", "dynamic", "grouped"], name="estrategia"),
    )


def test_padding_comparison_stacked_bars_with_seconds():
    ax = plot_padding_comparison(_padding_table())
    assert len(ax.patches) == 6  # reales + relleno, por estrategia
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[:3] == [80.0, 80.0, 80.0]
    assert heights[3:] == [176.0, 40.0, 10.0]
    assert [bar.get_y() for bar in ax.patches[3:]] == [80.0, 80.0, 80.0]
    assert _bar_label_texts(ax) == ["1.23 s", "0.50 s", "0.25 s"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["tokens reales", "relleno (padding)"]


def test_padding_comparison_empty():
    with pytest.raises(CourseError, match="La tabla de padding está vacía"):
        plot_padding_comparison(_padding_table().iloc[0:0])
