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


def _metric_case(num_labels: int):
    """Logits y etiquetas con al menos 4 clases desequilibradas y aciertos distintos por clase:
    así la F1 macro, la micro (= exactitud) y la ponderada dan números distintos."""
    import numpy as np

    classes = max(int(num_labels), 4)
    counts = [16, 10, 8, 6] + [4] * (classes - 4)
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(len(labels), classes)).astype("float32")
    sure = np.flatnonzero(rng.random(len(labels)) < np.where(labels == 0, 0.9, 0.4))
    logits[sure, labels[sure]] += 3.0
    order = rng.permutation(len(labels))
    return logits[order], labels[order], classes


def _close(value, expected: float) -> bool:
    try:
        return abs(float(value) - expected) < 1e-9
    except (TypeError, ValueError):
        return False


@register("02-compute-metrics")
def _check_compute_metrics(compute_metrics, num_labels) -> str:
    from sklearn.metrics import accuracy_score, f1_score

    expect(callable(compute_metrics), "compute_metrics tiene que ser una función.")
    logits, labels, classes = _metric_case(num_labels)
    try:
        result = compute_metrics((logits, labels))
    except ExerciseNotDone:
        raise  # la función sigue sin escribir: el aviso amable, no una pista
    except ValueError as error:
        if "average" in str(error):
            # scikit-learn (y la métrica f1 de evaluate) con más de dos clases y el average por
            # defecto, 'binary': "Target is multiclass but average='binary'..."
            raise AssertionError(
                f"tu función lanzó ValueError ({str(error)[:160]}). La métrica f1 usa "
                "average='binary' si no le dices otra cosa, y eso solo vale con dos clases; "
                f"aquí hay {classes}. ¿Qué valor de average promedia la F1 de cada clase sin "
                "ponderar?"
            ) from None
        raise AssertionError(
            f"tu función lanzó ValueError ({str(error)[:160]}). Los logits traen una fila por "
            f"ejemplo y una columna por clase ({logits.shape[0]} × {classes}): cada fila se "
            "convierte en la clase de mayor puntuación. ¿Sobre qué eje (axis) están las clases?"
        ) from None
    expect(
        isinstance(result, dict),
        "compute_metrics debe devolver un diccionario con una entrada por métrica "
        "('accuracy' y 'f1_macro'): Trainer lo registra con esos nombres.",
    )
    missing = {"accuracy", "f1_macro"} - set(result)
    if missing:
        fail(f"faltan las claves {sorted(missing)} en el diccionario que devuelves.")
    predictions = logits.argmax(axis=-1)
    accuracy = accuracy_score(labels, predictions)
    macro = f1_score(labels, predictions, average="macro")
    if any(_close(result[k], 100 * v) for k, v in (("accuracy", accuracy), ("f1_macro", macro))):
        fail(
            "devuelves porcentajes: las métricas deben ser fracciones entre 0 y 1 (Trainer, "
            "TensorBoard y las comparaciones del curso las esperan así)."
        )
    if not _close(result["accuracy"], accuracy):
        fail(
            f"con {classes} clases la exactitud da {result['accuracy']} y no es la proporción de "
            "ejemplos cuya clase predicha (la de mayor logit de su fila) coincide con la etiqueta."
        )
    if _close(result["f1_macro"], macro):
        return (
            f"Con {classes} clases desequilibradas. Trainer la llamará después de cada evaluación."
        )
    if _close(result["f1_macro"], f1_score(labels, predictions, average="micro")):
        fail(
            "tu F1 es la micro, que en clasificación de una etiqueta es igual a la exactitud. La "
            "macro calcula la F1 de cada clase y las promedia sin ponderar (average)."
        )
    if _close(result["f1_macro"], f1_score(labels, predictions, average="weighted")):
        fail(
            "tu F1 está ponderada por el número de ejemplos de cada clase: una clase grande pesa "
            "más. La macro da el mismo peso a todas las clases."
        )
    fail(
        f"con {classes} clases la F1 macro debería dar {macro:.4f} y da {result['f1_macro']}: "
        "es la media sin ponderar de la F1 de cada clase."
    )


@register("02-tasa-de-aprendizaje")
def _check_learning_rate_args(new_args, reference_args, learning_rate) -> str:
    from transformers import TrainingArguments

    expect(
        isinstance(new_args, TrainingArguments), "other_lr_args tiene que ser un TrainingArguments."
    )
    expect(
        new_args is not reference_args,
        "other_lr_args es el mismo objeto que training_args: al cambiar uno cambias el otro, y "
        "el primer entrenamiento ya no sería el que era. Haz una copia y cambia la copia.",
    )
    if new_args.learning_rate != learning_rate:
        fail(
            f"la tasa de aprendizaje es {new_args.learning_rate:g}: el segundo entrenamiento debe "
            "usar la tasa que el perfil propone para comparar (profile.comparison_learning_rate)."
        )
    expect(
        new_args.output_dir != reference_args.output_dir,
        "los dos entrenamientos usan la misma carpeta de salida: el segundo encontraría los "
        "puntos de control del primero y reanudaría desde ellos en vez de entrenar.",
    )
    different = [
        f"{name} ({getattr(new_args, name)!r} en vez de {getattr(reference_args, name)!r})"
        for name in _SAME_SETTINGS
        if getattr(new_args, name) != getattr(reference_args, name)
    ]
    if different:
        fail(
            "para comparar solo la tasa de aprendizaje, lo demás debe ser igual (escribir unos "
            "TrainingArguments nuevos deja los valores por defecto); cambia: "
            + ", ".join(different)
            + "."
        )
    return "Solo cambia la tasa de aprendizaje: la comparación será justa."
