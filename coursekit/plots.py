"""Gráficas del curso (matplotlib): distribución de clases, longitudes y padding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from coursekit.errors import CourseError


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    return ax


def _crowded(names: Sequence[str]) -> bool:
    """``True`` si los nombres de las clases no caben en horizontal (muchas o largas)."""
    return len(names) > 6 or sum(len(str(n)) for n in names) > 40


def plot_label_distribution(counts: Mapping[str, int] | Any, title: str = "", ax=None):
    """Barras con cuántos ejemplos hay por clase. Acepta un dict o un ``Dataset`` con ``label``."""
    if not isinstance(counts, Mapping):
        from coursekit.data import label_counts

        counts = label_counts(counts)
    if not counts:
        raise CourseError("No hay clases que dibujar (conteo vacío).")
    ax = _axes(ax)
    names, values = list(counts), list(counts.values())
    bars = ax.bar(names, values, color="#4C72B0")
    ax.bar_label(bars, fontsize=8 if len(names) > 10 else None)
    if _crowded(names):
        ax.tick_params(axis="x", labelrotation=90)
    ax.set_ylabel("ejemplos")
    ax.set_title(title or "Ejemplos por clase")
    return ax


def plot_token_lengths(lengths: Sequence[int], max_length: int | None = None, ax=None):
    """Histograma de longitudes en tokens, con una línea en ``max_length`` si se da."""
    if len(lengths) == 0:
        raise CourseError("No hay longitudes que dibujar.")
    ax = _axes(ax)
    ax.hist(lengths, bins=30, color="#55A868")
    if max_length:
        ax.axvline(max_length, color="#C44E52", linestyle="--", label=f"max_length = {max_length}")
        ax.legend()
    ax.set_xlabel("tokens por ejemplo")
    ax.set_ylabel("ejemplos")
    ax.set_title("Longitud de los textos en tokens")
    return ax


# Nombres en español de las estrategias de relleno (las claves de la tabla siguen en inglés).
_STRATEGY_NAMES = {"dynamic": "dinámico", "grouped": "dinámico + agrupado"}


def plot_padding_comparison(table: Any, ax=None):
    """Barras apiladas de tokens reales y de relleno por lote, con los segundos encima."""
    if len(table) == 0:
        raise CourseError("La tabla de padding está vacía.")
    ax = _axes(ax)
    labels = [_STRATEGY_NAMES.get(name, name) for name in table.index]
    real = table["tokens_reales_por_batch"].to_numpy()
    padding = table["posiciones_por_batch"].to_numpy() - real
    ax.bar(labels, real, label="tokens reales", color="#4C72B0")
    bars = ax.bar(labels, padding, bottom=real, label="relleno (padding)", color="#DD8452")
    ax.bar_label(bars, labels=[f"{s:.2f} s" for s in table["segundos"]])
    ax.set_ylabel("posiciones por lote")
    ax.set_title("Tokens por lote y tiempo del pase hacia delante")
    ax.legend()
    return ax


_CURVE_LABELS = {
    "train_loss": "pérdida de entrenamiento",
    "eval_loss": "pérdida de validación",
    "train_accuracy": "exactitud de entrenamiento",
    "eval_accuracy": "exactitud de validación",
    "eval_f1_macro": "F1 macro de validación",
}


def plot_training_curves(history: Any, title: str = ""):
    """Curvas por época: pérdidas a la izquierda y métricas (exactitud, F1) a la derecha.

    ``history`` es una tabla (``pandas.DataFrame``) con una fila por época y columnas como
    ``train_loss``, ``eval_loss``, ``eval_accuracy`` o ``eval_f1_macro``; así la dan
    ``coursekit.training.history_frame`` (``Trainer``) y ``keras_history_frame`` (Keras).
    Devuelve la figura.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if history is None or len(history) == 0:
        raise CourseError(
            "No hay historial que dibujar: ¿terminó alguna época de entrenamiento con evaluación?"
        )
    columns = [c for c in history.columns if history[c].notna().any()]
    loss_columns = [c for c in columns if c.endswith("loss")]
    metric_columns = [c for c in columns if not c.endswith("loss") and c != "epoch"]
    if not loss_columns and not metric_columns:
        raise CourseError(
            f"El historial no tiene columnas de pérdida ni de métricas: {list(history.columns)}."
        )
    panels = [p for p in (loss_columns, metric_columns) if p]
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.5), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        for column in panel:
            values = history[column].dropna()
            ax.plot(
                values.index, values.to_numpy(), marker="o", label=_CURVE_LABELS.get(column, column)
            )
        ax.set_xlabel("época")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("pérdida" if loss_columns else "métrica")
    if len(panels) == 2:
        axes[0][1].set_ylabel("métrica")
    figure.suptitle(title or "Curvas de entrenamiento")
    figure.tight_layout()
    return figure


def plot_confusion_matrix(
    labels: Sequence[int],
    predictions: Sequence[int],
    label_names: Sequence[str],
    title: str = "",
    ax=None,
):
    """Matriz de confusión con los nombres de las clases (filas: verdad; columnas: predicción)."""
    from sklearn.metrics import ConfusionMatrixDisplay

    if len(labels) != len(predictions):
        raise CourseError(
            f"Hay {len(labels)} etiquetas y {len(predictions)} predicciones: deben ser las mismas."
        )
    if len(labels) == 0:
        raise CourseError("No hay predicciones para la matriz de confusión.")
    names = list(label_names)
    outside = sorted({int(v) for v in [*labels, *predictions] if not 0 <= int(v) < len(names)})
    if outside:
        raise CourseError(
            f"Hay clases fuera de rango {outside}: solo hay {len(names)} nombres ({names})."
        )
    if ax is None:  # crece con el número de clases: con 20 cada celda sigue siendo legible
        import matplotlib.pyplot as plt

        side = min(4.5 + 0.45 * len(names), 14)
        _, ax = plt.subplots(figsize=(side, side * 0.85))
    display = ConfusionMatrixDisplay.from_predictions(
        list(labels),
        list(predictions),
        labels=list(range(len(names))),
        display_labels=names,
        ax=ax,
        colorbar=False,
        cmap="Blues",
        xticks_rotation="vertical" if _crowded(names) else "horizontal",
        text_kw={"fontsize": 7 if len(names) > 10 else 10},
    )
    ax.set_xlabel("predicción")
    ax.set_ylabel("etiqueta real")
    ax.set_title(title or "Matriz de confusión (validación)")
    return display.ax_


def plot_parameter_breakdown(breakdown: Any, title: str = "", ax=None):
    """Barras horizontales de parámetros entrenables y congelados por componente, en escala
    logarítmica (LoRA o un prompt son miles; el modelo, millones). ``breakdown`` es la tabla
    de ``coursekit.peft_methods.parameter_breakdown``."""
    import numpy as np

    if breakdown is None or len(breakdown) == 0:
        raise CourseError("No hay parámetros que dibujar.")
    missing = {"entrenables", "congelados"} - set(breakdown.columns)
    if missing:
        raise CourseError(f"A la tabla le faltan las columnas {sorted(missing)}.")
    rows = breakdown.drop(index="total", errors="ignore")
    ax = _axes(ax)
    positions = np.arange(len(rows))
    height = 0.4
    ax.barh(
        positions - height / 2,
        rows["entrenables"].clip(lower=0),
        height,
        label="entrenables",
        color="tab:orange",
    )
    ax.barh(
        positions + height / 2,
        rows["congelados"].clip(lower=0),
        height,
        label="congelados",
        color="tab:gray",
    )
    for y, value in zip(positions, rows["entrenables"], strict=True):
        if value > 0:
            ax.text(value, y - height / 2, f" {value:,}".replace(",", " "), va="center", fontsize=8)
    ax.set_yticks(positions, rows.index)
    ax.set_xscale("log")
    ax.set_xlabel("parámetros (escala logarítmica)")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title(title or "Parámetros entrenables y congelados")
    return ax


def plot_learning_rates(table: Any, ax=None):
    """Barras de la tasa de aprendizaje de cada grupo del optimizador (tabla de
    ``coursekit.optim.learning_rate_table``), de la cabeza a los embeddings."""
    if table is None or len(table) == 0 or "learning_rate" not in getattr(table, "columns", []):
        raise CourseError("Hace falta la tabla de learning_rate_table (columna learning_rate).")
    ax = _axes(ax)
    ax.barh(list(table.index), table["learning_rate"], color="tab:blue")
    ax.invert_yaxis()
    ax.set_xlabel("tasa de aprendizaje")
    ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    ax.set_title("Tasa de aprendizaje por capa (LLRD)")
    return ax


def plot_method_comparison(table: Any, baseline: float | None = None):
    """Dos gráficas de la tabla de ``coursekit.comparison.compare_methods``: exactitud frente
    a parámetros entrenables (escala logarítmica) y frente al tiempo de entrenamiento.
    ``baseline`` dibuja la exactitud de la clase mayoritaria. Devuelve la figura."""
    import matplotlib.pyplot as plt

    from coursekit.comparison import ACCURACY, TRAIN_SECONDS, TRAINABLE_PARAMETERS

    needed = {TRAINABLE_PARAMETERS, TRAIN_SECONDS, ACCURACY}
    if table is None or len(table) == 0 or needed - set(getattr(table, "columns", [])):
        raise CourseError(
            f"Hace falta la tabla de compare_methods con las columnas {sorted(needed)}."
        )
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, column, label, log in (
        (axes[0], TRAINABLE_PARAMETERS, f"{TRAINABLE_PARAMETERS} (escala log.)", True),
        (axes[1], TRAIN_SECONDS, TRAIN_SECONDS, False),
    ):
        for name, row in table.iterrows():
            ax.scatter(row[column], row[ACCURACY], s=60)
            ax.annotate(
                str(name),
                (row[column], row[ACCURACY]),
                textcoords="offset points",
                xytext=(5, 5),
                fontsize=8,
            )
        if baseline is not None:
            ax.axhline(baseline, color="gray", linestyle="--", label="clase mayoritaria")
            ax.legend(loc="lower right")
        if log:
            ax.set_xscale("log")
        ax.margins(x=0.12, y=0.1)  # sitio para los nombres de los puntos de los bordes
        ax.set_xlabel(label)
        ax.set_ylabel("exactitud (validación)")
        ax.grid(alpha=0.3)
    axes[0].set_title("Exactitud frente a parámetros entrenables")
    axes[1].set_title("Exactitud frente a tiempo")
    figure.tight_layout()
    return figure
