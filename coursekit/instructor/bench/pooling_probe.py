"""``coursekit bench pooling``: ¿qué sabe el codificador congelado? Una regresión logística
sobre los vectores del modelo sin entrenar nada más, con cada agrupación: el pooler (lo que usa
``AutoModelForSequenceClassification``), el vector de ``[CLS]`` y la media de los tokens.

Es la sonda que explica la fila «codificador congelado» del lab 07: all-MiniLM-L6-v2 se entrenó
con la media de los tokens y su pooler no se entrenó nunca.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from coursekit.errors import CourseError
from coursekit.pooling import POOLINGS
from coursekit.uncertainty import accuracy_standard_error

POOLING_NAMES = {
    "pooler": "pooler ([CLS] + capa densa)",
    "cls": "vector de [CLS]",
    "mean": "media de los tokens",
}
TABLE_COLUMNS = (
    ("agrupación", "agrupación", "{}"),
    ("exactitud", "exactitud", "{:.3f}"),
    ("error_típico", "error típico", "{:.3f}"),
)


def frozen_features(
    model: Any, dataset: Any, tokenizer: Any, poolings: Sequence[str] = POOLINGS, batch_size=32
):
    """Los vectores del codificador de ``model`` (sin la cabeza, sin gradientes) para cada
    ejemplo tokenizado de ``dataset``, con cada agrupación: ``{agrupación: array n × ancho}``."""
    import numpy as np
    import torch
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding

    from coursekit.pooling import pooled_vectors

    unknown = sorted(set(poolings) - set(POOLINGS))
    if unknown or not poolings:
        raise CourseError(f"Agrupaciones válidas: {', '.join(POOLINGS)}; llegaron {poolings!r}.")
    encoder = getattr(model, model.base_model_prefix)
    columns = [c for c in ("input_ids", "attention_mask", "token_type_ids") if c in dataset[0]]
    loader = DataLoader(
        dataset.select_columns(columns),
        batch_size=batch_size,
        collate_fn=DataCollatorWithPadding(tokenizer),
    )
    device = next(model.parameters()).device
    encoder.eval()
    vectors: dict[str, list[Any]] = {p: [] for p in poolings}
    with torch.inference_mode():
        for batch in loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            outputs = encoder(**batch)
            for pooling in poolings:
                pooled = pooled_vectors(outputs, batch["attention_mask"], pooling)
                vectors[pooling].append(pooled.float().cpu().numpy())
    return {p: np.concatenate(v) for p, v in vectors.items()}


def probe_accuracy(train_x, train_y, eval_x, eval_y) -> float:
    """Exactitud de una regresión logística (scikit-learn, ajustes por defecto) entrenada con
    ``train_x`` y evaluada en ``eval_x``."""
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(train_x, train_y)
    return float(classifier.score(eval_x, eval_y))


def run_pooling_probe(
    profile: Any, new_classifier: Callable[[list[str]], Any] | None = None
) -> dict[str, Any]:
    """Sonda lineal con cada agrupación sobre los subconjuntos del perfil.

    Devuelve ``{"filas": [{"agrupación", "clave", "exactitud", "error_típico"}], "línea_base",
    "ejemplos"}``. ``new_classifier(class_names)`` sustituye al modelo del perfil (pruebas).
    """
    from coursekit import data
    from coursekit.models import load_classifier, load_tokenizer

    dataset = data.load_course_dataset(profile)
    class_names = data.label_names(dataset)
    train_subset, eval_subset = data.course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)
    train = data.tokenize_dataset(train_subset, tokenizer, profile.max_length)
    evaluation = data.tokenize_dataset(eval_subset, tokenizer, profile.max_length)
    _, baseline = data.majority_baseline(eval_subset)
    if new_classifier is not None:
        model = new_classifier(class_names)
    else:
        model = load_classifier(profile, class_names)
    train_vectors = frozen_features(model, train, tokenizer, batch_size=profile.batch_size)
    eval_vectors = frozen_features(model, evaluation, tokenizer, batch_size=profile.batch_size)
    rows = []
    for pooling in POOLINGS:
        accuracy = probe_accuracy(
            train_vectors[pooling], train["label"], eval_vectors[pooling], evaluation["label"]
        )
        rows.append(
            {
                "agrupación": POOLING_NAMES[pooling],
                "clave": pooling,
                "exactitud": accuracy,
                "error_típico": accuracy_standard_error(accuracy, len(evaluation)),
            }
        )
    return {
        "filas": rows,
        "línea_base": baseline,
        "ejemplos": {"train": len(train), "eval": len(evaluation)},
        "sonda": "LogisticRegression(max_iter=2000) de scikit-learn sobre el codificador congelado",
    }


def plot_probe(rows: Sequence[dict[str, Any]], baseline: float | None = None):
    """Barras de la exactitud de la sonda por agrupación, con ± un error típico."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 3.5))
    names = [row["agrupación"] for row in rows]
    ax.bar(
        names,
        [row["exactitud"] for row in rows],
        yerr=[row["error_típico"] for row in rows],
        capsize=4,
    )
    if baseline is not None:
        ax.axhline(baseline, color="gray", linestyle="--", label="clase mayoritaria")
        ax.legend(loc="lower right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("exactitud (sonda lineal)")
    ax.set_title("Codificador congelado: ¿desde qué vector se clasifica?")
    figure.tight_layout()
    return figure


def headline(rows: Sequence[dict[str, Any]]) -> str:
    """La línea de la media frente al pooler, con sus errores típicos."""
    by_key = {row["clave"]: row for row in rows}
    mean, pooler = by_key["mean"], by_key["pooler"]
    return (
        f"sonda lineal sobre el codificador congelado: media de los tokens "
        f"{mean['exactitud']:.3f} ± {mean['error_típico']:.3f} frente a pooler "
        f"{pooler['exactitud']:.3f} ± {pooler['error_típico']:.3f} (± un error típico)"
    )
