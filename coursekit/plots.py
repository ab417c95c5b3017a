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
    ax.bar_label(bars)
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


def plot_padding_comparison(table: Any, ax=None):
    """Barras apiladas de tokens reales y de relleno por batch, con los segundos encima."""
    if len(table) == 0:
        raise CourseError("La tabla de padding está vacía.")
    ax = _axes(ax)
    labels = list(table.index)
    real = table["tokens_reales_por_batch"].to_numpy()
    padding = table["posiciones_por_batch"].to_numpy() - real
    ax.bar(labels, real, label="tokens reales", color="#4C72B0")
    bars = ax.bar(labels, padding, bottom=real, label="relleno (padding)", color="#DD8452")
    ax.bar_label(bars, labels=[f"{s:.2f} s" for s in table["segundos"]])
    ax.set_ylabel("posiciones por batch")
    ax.set_title("Tokens por batch y tiempo del forward")
    ax.legend()
    return ax
