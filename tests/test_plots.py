"""Gráficas (backend Agg): barras, línea de max_length y etiquetas de las barras."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from coursekit.errors import CourseError
from coursekit.plots import (
    plot_confusion_matrix,
    plot_label_distribution,
    plot_padding_comparison,
    plot_token_lengths,
    plot_training_curves,
)


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


def test_training_curves_two_panels():
    history = pd.DataFrame(
        {
            "train_loss": [0.7, 0.5, 0.4],
            "eval_loss": [0.69, 0.6, 0.55],
            "eval_accuracy": [0.5, 0.7, 0.75],
            "eval_f1_macro": [0.4, 0.68, 0.74],
        },
        index=pd.Index([1, 2, 3], name="epoch"),
    )
    figure = plot_training_curves(history, title="MiniLM")
    loss_ax, metric_ax = figure.axes
    assert [line.get_label() for line in loss_ax.lines] == [
        "pérdida de entrenamiento",
        "pérdida de validación",
    ]
    assert list(loss_ax.lines[1].get_ydata()) == [0.69, 0.6, 0.55]
    assert list(metric_ax.lines[0].get_xdata()) == [1, 2, 3]
    assert [line.get_label() for line in metric_ax.lines] == [
        "exactitud de validación",
        "F1 macro de validación",
    ]
    assert figure._suptitle.get_text() == "MiniLM"


def test_training_curves_skip_empty_columns_and_gaps():
    history = pd.DataFrame(
        {"train_loss": [0.7, None, 0.4], "eval_loss": [None, None, None]}, index=[1, 2, 3]
    )
    figure = plot_training_curves(history)
    assert len(figure.axes) == 1
    (line,) = figure.axes[0].lines
    assert list(line.get_xdata()) == [1, 3]


def test_training_curves_empty_history():
    with pytest.raises(CourseError, match="No hay historial"):
        plot_training_curves(pd.DataFrame())
    with pytest.raises(CourseError, match="ni de métricas"):
        plot_training_curves(pd.DataFrame({"epoch": [1, 2]}))


def test_confusion_matrix_counts_and_names():
    ax = plot_confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ["negativa", "positiva"])
    counts = [t.get_text() for t in ax.texts]
    assert counts == ["1", "1", "1", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["negativa", "positiva"]
    assert ax.get_ylabel() == "etiqueta real"


def test_confusion_matrix_shows_classes_never_predicted():
    ax = plot_confusion_matrix([0, 1, 2], [0, 0, 0], ["a", "b", "c"])
    assert len(ax.texts) == 9


@pytest.mark.parametrize(
    ("labels", "predictions", "message"),
    [
        ([0, 1], [0], "deben ser las mismas"),
        ([], [], "No hay predicciones"),
        ([0, 2], [0, 1], r"fuera de rango \[2\]"),
    ],
)
def test_confusion_matrix_bad_input(labels, predictions, message):
    with pytest.raises(CourseError, match=message):
        plot_confusion_matrix(labels, predictions, ["negativa", "positiva"])


def test_training_curves_use_whole_epochs_on_the_x_axis():
    history = pd.DataFrame({"train_loss": [0.7, 0.5, 0.4]}, index=[1, 2, 3])
    figure = plot_training_curves(history)
    figure.canvas.draw()
    ticks = [t for t in figure.axes[0].get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_plot_parameter_breakdown_and_bad_tables(tiny_bert):
    import pandas as pd
    from peft import LoraConfig, TaskType, get_peft_model

    from coursekit.peft_methods import parameter_breakdown
    from coursekit.plots import plot_parameter_breakdown

    model = get_peft_model(
        tiny_bert(), LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=["query"])
    )
    ax = plot_parameter_breakdown(parameter_breakdown(model))
    assert ax.get_xscale() == "log"
    assert "LoRA" in [t.get_text() for t in ax.get_yticklabels()]
    assert "total" not in [t.get_text() for t in ax.get_yticklabels()]
    with pytest.raises(CourseError, match="No hay parámetros"):
        plot_parameter_breakdown(pd.DataFrame())
    with pytest.raises(CourseError, match="faltan las columnas"):
        plot_parameter_breakdown(pd.DataFrame({"x": [1]}))


def test_plot_learning_rates(tiny_bert):
    from coursekit.optim import layerwise_lr_groups, learning_rate_table
    from coursekit.plots import plot_learning_rates

    table = learning_rate_table(layerwise_lr_groups(tiny_bert(), 1e-3, 0.5))
    ax = plot_learning_rates(table)
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "cabeza y pooler"
    with pytest.raises(CourseError, match="learning_rate_table"):
        plot_learning_rates(None)


def test_plot_method_comparison():
    import pandas as pd

    from coursekit.plots import plot_method_comparison

    table = pd.DataFrame(
        {
            "parámetros entrenables": [22_000_000, 75_000],
            "tiempo de entrenamiento (s)": [60, 40],
            "exactitud": [0.77, 0.75],
        },
        index=["completo", "LoRA"],
    )
    figure = plot_method_comparison(table, baseline=0.5)
    assert figure.axes[0].get_xscale() == "log" and figure.axes[1].get_xscale() == "linear"
    with pytest.raises(CourseError, match="compare_methods"):
        plot_method_comparison(table.drop(columns="exactitud"))


@pytest.mark.parametrize("num_classes", [3, 20])
def test_confusion_matrix_and_distribution_with_many_classes(num_classes):
    """Con 20 clases la figura crece y los nombres se giran para no pisarse."""
    names = [f"categoría larga {i}" for i in range(num_classes)]
    labels = [i % num_classes for i in range(4 * num_classes)]
    predictions = [(i + i // num_classes) % num_classes for i in range(4 * num_classes)]
    ax = plot_confusion_matrix(labels, predictions, names)
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert len(ax.texts) == num_classes**2
    width, height = ax.figure.get_size_inches()
    assert width >= 4.5 + 0.45 * min(num_classes, 20) - 1e-9 or width == 14
    if num_classes == 20:
        assert ax.get_xticklabels()[0].get_rotation() == 90
        assert ax.texts[0].get_fontsize() < 10
    counts = {name: i + 1 for i, name in enumerate(names)}
    bars = plot_label_distribution(counts)
    assert [t.get_text() for t in bars.get_xticklabels()] == names
    assert bars.get_xticklabels()[0].get_rotation() == 90  # nombres largos: girados
