"""Métricas con ``evaluate`` que funcionan sin conexión.

``evaluate.load("accuracy")`` descarga el script de la métrica del Hub y falla sin red.
El curso trae sus propios módulos (``coursekit/metric_modules``) y se los pasa a
``evaluate.load`` por ruta: misma API (``compute``, ``add_batch``), cero descargas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

METRIC_MODULES_DIR = Path(__file__).resolve().parent / "metric_modules"


def local_metric_names() -> list[str]:
    """Métricas que el curso trae consigo (disponibles sin conexión)."""
    return sorted(p.name for p in METRIC_MODULES_DIR.iterdir() if (p / f"{p.name}.py").is_file())


def load_metric(name: str, **kwargs: Any):
    """Carga una métrica de ``evaluate``: la local del curso si existe, si no la del Hub.

    Sustituye a ``datasets.load_metric``, que ya no existe.
    """
    import evaluate

    if not isinstance(name, str) or not name.strip():
        raise CourseError(f"El nombre de la métrica debe ser un texto, no {name!r}.")
    key = name.strip().lower()
    if key in local_metric_names():
        return evaluate.load(str(METRIC_MODULES_DIR / key), **kwargs)
    try:
        return evaluate.load(name, **kwargs)
    except Exception as error:  # evaluate lanza FileNotFoundError, ConnectionError, ValueError...
        raise CourseError(
            f"No pude cargar la métrica {name!r} ({type(error).__name__}). Puede que no exista o "
            f"que haga falta conexión al Hub. Disponibles sin conexión: "
            f"{', '.join(local_metric_names())}."
        ) from error


def classification_metrics(predictions: Any, references: Any) -> dict[str, float]:
    """``accuracy`` y ``f1_macro`` a partir de clases predichas y correctas."""
    import numpy as np

    predictions = np.asarray(predictions)
    references = np.asarray(references)
    if predictions.shape != references.shape:
        raise CourseError(
            f"predictions {predictions.shape} y references {references.shape} deben tener la "
            "misma forma: una clase por ejemplo."
        )
    if predictions.size == 0:
        raise CourseError("No hay predicciones que evaluar (listas vacías).")
    accuracy = load_metric("accuracy").compute(predictions=predictions, references=references)
    f1 = load_metric("f1").compute(predictions=predictions, references=references, average="macro")
    return {"accuracy": accuracy["accuracy"], "f1_macro": f1["f1"]}


def compute_metrics(eval_pred: Any) -> dict[str, float]:
    """``compute_metrics`` para ``Trainer``: de logits a clases, y accuracy + F1 macro."""
    import numpy as np

    logits, labels = eval_pred
    if isinstance(logits, tuple):  # algunos modelos devuelven (logits, ...)
        logits = logits[0]
    return classification_metrics(np.argmax(logits, axis=-1), labels)
