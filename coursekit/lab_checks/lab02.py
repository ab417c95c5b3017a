"""Comprobaciones del lab 02: fine-tuning con ``Trainer``."""

from __future__ import annotations

from coursekit.checks import expect, fail, register
from coursekit.exercises import ExerciseNotDone

# Lo que debe coincidir entre dos entrenamientos que solo cambian la tasa de aprendizaje.
_SAME_SETTINGS = (
    "num_train_epochs",
    "per_device_train_batch_size",
    "per_device_eval_batch_size",
    "eval_strategy",
    "save_strategy",
    "weight_decay",
    "seed",
)


@register("02-compute-metrics")
def _check_compute_metrics(compute_metrics, num_labels) -> str:
    import numpy as np

    from coursekit.metrics import classification_metrics

    expect(callable(compute_metrics), "compute_metrics tiene que ser una función.")
    rng = np.random.default_rng(0)
    labels = np.arange(40) % num_labels
    logits = rng.normal(size=(40, num_labels)).astype("float32")
    logits[np.arange(25), labels[:25]] += 3.0  # 25 aciertos seguros, el resto al azar
    try:
        result = compute_metrics((logits, labels))
    except ExerciseNotDone:
        raise  # la función sigue sin escribir: el aviso amable, no una pista
    except ValueError as error:
        raise AssertionError(
            f"la métrica falló ({error}). ¿Pasaste los logits sin convertirlos en clases? "
            "Usa np.argmax(logits, axis=-1)."
        ) from None
    expect(
        isinstance(result, dict),
        "compute_metrics debe devolver un diccionario, p. ej. {'accuracy': ..., 'f1_macro': ...}.",
    )
    missing = {"accuracy", "f1_macro"} - set(result)
    if missing:
        fail(f"faltan las claves {sorted(missing)} en el diccionario que devuelves.")
    expected = classification_metrics(logits.argmax(axis=-1), labels)
    if not (abs(float(result["accuracy"]) - expected["accuracy"]) < 1e-9):
        fail(
            f"la exactitud da {result['accuracy']} y debería dar {expected['accuracy']:.4f}: "
            "compara las clases predichas (argmax de los logits) con las etiquetas."
        )
    if not (abs(float(result["f1_macro"]) - expected["f1_macro"]) < 1e-9):
        fail(
            f"la F1 da {result['f1_macro']} y la F1 macro es {expected['f1_macro']:.4f}: "
            "usa average='macro'."
        )
    return "Trainer la llamará después de cada evaluación."


@register("02-tasa-de-aprendizaje")
def _check_learning_rate_args(new_args, reference_args, learning_rate) -> str:
    from transformers import TrainingArguments

    expect(
        isinstance(new_args, TrainingArguments), "other_lr_args tiene que ser un TrainingArguments."
    )
    if new_args.learning_rate != learning_rate:
        fail(f"learning_rate es {new_args.learning_rate}; debería ser {learning_rate}.")
    expect(
        new_args.output_dir != reference_args.output_dir,
        "usa otra carpeta (output_dir=str(other_lr_dir)): si no, este entrenamiento "
        "reanudaría desde los puntos de control del primero.",
    )
    different = [
        f"{name} ({getattr(new_args, name)!r} en vez de {getattr(reference_args, name)!r})"
        for name in _SAME_SETTINGS
        if getattr(new_args, name) != getattr(reference_args, name)
    ]
    if different:
        fail(
            "para comparar solo la tasa de aprendizaje, lo demás debe ser igual; cambia: "
            + ", ".join(different)
            + "."
        )
    return "Solo cambia la tasa de aprendizaje: la comparación será justa."
