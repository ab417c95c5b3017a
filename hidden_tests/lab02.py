"""Pruebas ocultas del lab 02 (fine-tuning con Trainer).

Ver coursekit/instructor/grading/hidden.py.
"""

from __future__ import annotations

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.manual import ManualCriterion
from coursekit.instructor.grading.probe_data import ListOf, Number, Record, Table, Text


def metric_cases():
    """Casos distintos de la comprobación pública: 5 clases (como Yelp) y 3 clases.
    Cada uno es (clases, ejemplos, semilla)."""
    return ((5, 60, 11), (3, 31, 12))


def same_settings():
    """Lo que debe coincidir entre los dos entrenamientos."""
    return (
        "num_train_epochs",
        "per_device_train_batch_size",
        "per_device_eval_batch_size",
        "eval_strategy",
        "save_strategy",
        "weight_decay",
        "seed",
    )


def metric_inputs(num_classes, size, seed):
    """Logits y etiquetas deterministas: unas filas seguras, otras al azar."""
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, size=size)
    logits = rng.normal(size=(size, num_classes)).astype("float32")
    sure = rng.random(size) < 0.5
    logits[np.flatnonzero(sure), labels[sure]] += 4.0
    return logits, labels


def probe_compute_metrics(ns):
    results = []
    for num_classes, size, seed in metric_cases():
        out = ns["compute_metrics"](metric_inputs(num_classes, size, seed))
        results.append({key: float(out[key]) for key in ("accuracy", "f1_macro") if key in out})
    return results


# Finitos: NaN no puede pasar por una métrica bien calculada.
METRICS_SCHEMA = ListOf(
    Record({}, optional={"accuracy": Number(), "f1_macro": Number()}), max_length=10
)


def judge_compute_metrics(seen) -> dict:
    from coursekit.metrics import classification_metrics

    verdict = {"exactitud": None, "F1 macro": None}
    for case, got in zip(metric_cases(), seen, strict=True):
        logits, labels = metric_inputs(*case)
        expected = classification_metrics(logits.argmax(axis=-1), labels)
        if not abs(got.get("accuracy", -1) - expected["accuracy"]) <= 1e-9:
            verdict["exactitud"] = (
                f"con {case[0]} clases la exactitud no es la esperada: compara el argmax de los "
                "logits con las etiquetas."
            )
        if not abs(got.get("f1_macro", -1) - expected["f1_macro"]) <= 1e-9:
            verdict["F1 macro"] = (
                f"con {case[0]} clases la F1 no es la F1 macro: promedia por clase sin ponderar."
            )
    return verdict


def comparison_learning_rate() -> float:
    """La tasa con la que el lab 02 compara, en el perfil de corrección (``ci``). La calcula el
    corrector, fuera del kernel de la entrega."""
    from coursekit.profiles import get_profile

    return get_profile("ci").comparison_learning_rate


def probe_learning_rate(ns):
    new, reference = ns["other_lr_args"], ns["training_args"]
    names = ("learning_rate", "output_dir", *same_settings())
    return {
        "type": type(new).__name__,
        "new": {name: repr(getattr(new, name, None)) for name in names},
        "reference": {name: repr(getattr(reference, name, None)) for name in names},
    }


LEARNING_RATE_SCHEMA = Record(
    {"type": Text(200), "new": Table(Text(2000), 20), "reference": Table(Text(2000), 20)}
)


def judge_learning_rate(seen) -> dict:
    new, reference = seen["new"], seen["reference"]
    is_args = seen["type"] == "TrainingArguments"
    changed = [name for name in same_settings() if new[name] != reference[name]]
    return {
        "learning_rate": None
        if is_args and new["learning_rate"] == repr(comparison_learning_rate())
        else "other_lr_args debe ser un TrainingArguments con la tasa que propone el perfil "
        "para comparar (profile.comparison_learning_rate).",
        "otra carpeta": None
        if is_args and new["output_dir"] != reference["output_dir"]
        else "usa otra carpeta de salida: si no, se reanudaría desde los puntos de control "
        "del primero.",
        "lo demás igual": None
        if is_args and not changed
        else "para comparar solo la tasa de aprendizaje, lo demás debe quedar igual; cambia: "
        + ", ".join(changed)
        + ".",
    }


LAB_TESTS = LabTests(
    lab="02",
    # Entrenar, evaluar y dibujar solo se muestra: ningún ejercicio depende de ello. Saltarlo
    # baja el tiempo por entrega (ver docs/benchmarks.md). Las celdas que definen lo que leen
    # las sondas se ejecutan siempre.
    skip_cells=(
        r"\.train\(",
        r"trainer\.evaluate\(",
        r"trainer\.predict\(",
        r"read_tensorboard_scalars\(",
        r"history_frame\(",
        r"predict_texts\(",
        r"show_classifier\(",  # la demostración con widgets usa lo que predice la celda anterior
        r"\.save_model\(",
        r"other_lr_metrics\[",  # la predicción frente al segundo entrenamiento (saltado)
        # Lo que usa las predicciones y el modelo guardado de las celdas saltadas.
        r"most_confident_errors\(",
        r"pipeline\(",
        r"write_model_card\(",
        r"push_to_hub\(",
    ),
    keep_names=("compute_metrics", "training_args", "other_lr_args"),
    tests=(
        HiddenTest(
            "02-compute-metrics",
            parts={"exactitud": 1, "F1 macro": 1},
            probe=probe_compute_metrics,
            judge=judge_compute_metrics,
            helpers=(metric_cases, metric_inputs),
            schema=METRICS_SCHEMA,
        ),
        HiddenTest(
            "02-tasa-de-aprendizaje",
            parts={"learning_rate": 1, "otra carpeta": 1, "lo demás igual": 1},
            probe=probe_learning_rate,
            judge=judge_learning_rate,
            helpers=(same_settings,),
            schema=LEARNING_RATE_SCHEMA,
        ),
    ),
)

# Criterios que corrige una persona (coursekit grade --marcas-manuales CSV): no los puede
# juzgar una sonda porque dependen de lo que cada estudiante observó y cómo lo explica.
MANUAL_CRITERIA = {
    "interpretacion-tasa": ManualCriterion(
        1,
        "explica, con los números de su tabla, qué tasa de aprendizaje aprendió más y por qué",
    ),
    "linea-base": ManualCriterion(
        1, "compara la exactitud del modelo con la de la clase mayoritaria y lo comenta"
    ),
}
