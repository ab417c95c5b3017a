"""Variantes del lab 02 (fine-tuning con ``Trainer``).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``): sin modelo ni entrenamiento.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from mutants.spec import alternative, mistake

_METRICS_HEAD = "def compute_metrics(eval_pred):\n    logits, labels = eval_pred\n"
_ACCURACY = (
    "    accuracy = accuracy_metric.compute(predictions=predictions, "
    'references=labels)["accuracy"]\n'
)


def _metrics(predictions: str, accuracy: str, f1: str, result: str) -> str:
    body = f"    predictions = {predictions}\n{accuracy}    f1 = {f1}\n    return {result}"
    return _METRICS_HEAD + body


_F1 = 'f1_metric.compute(predictions=predictions, references=labels, average="{}")["f1"]'
_RESULT = '{"accuracy": accuracy, "f1_macro": f1}'

VARIANTS = [
    # 02-compute-metrics
    mistake(
        "02-compute-metrics",
        "eje-equivocado",
        _metrics("np.argmax(logits, axis=0)", _ACCURACY, _F1.format("macro"), _RESULT),
        "argmax sobre el eje de los ejemplos en vez del de las clases",
        hint="eje",
    ),
    mistake(
        "02-compute-metrics",
        "f1-sin-average",
        _metrics(
            "np.argmax(logits, axis=-1)",
            _ACCURACY,
            'f1_metric.compute(predictions=predictions, references=labels)["f1"]',
            _RESULT,
        ),
        "F1 sin average: la métrica f1 (como la de evaluate) usa 'binary' y falla con más clases",
        hint="solo vale con dos clases",
    ),
    mistake(
        "02-compute-metrics",
        "f1-micro",
        _metrics("np.argmax(logits, axis=-1)", _ACCURACY, _F1.format("micro"), _RESULT),
        'F1 con average="micro" (igual a la exactitud)',
        hint="micro",
    ),
    mistake(
        "02-compute-metrics",
        "f1-ponderada",
        _metrics("np.argmax(logits, axis=-1)", _ACCURACY, _F1.format("weighted"), _RESULT),
        'F1 con average="weighted", que pesa más las clases grandes',
        hint="ponderada",
    ),
    mistake(
        "02-compute-metrics",
        "porcentajes",
        _metrics(
            "np.argmax(logits, axis=-1)",
            _ACCURACY,
            _F1.format("macro"),
            '{"accuracy": 100 * accuracy, "f1_macro": 100 * f1}',
        ),
        "devuelve porcentajes en vez de fracciones",
        hint="entre 0 y 1",
    ),
    mistake(
        "02-compute-metrics",
        "sin-argmax",
        _metrics("logits", _ACCURACY, _F1.format("macro"), _RESULT),
        "pasa los logits a la métrica sin convertirlos en clases",
        hint="clase de mayor puntuación",
    ),
    alternative(
        "02-compute-metrics",
        "scikit-learn",
        "from sklearn.metrics import accuracy_score, f1_score\n\n"
        "def compute_metrics(eval_pred):\n"
        "    predictions = eval_pred[0].argmax(1)\n"
        "    return {\n"
        '        "f1_macro": f1_score(eval_pred[1], predictions, average="macro"),\n'
        '        "accuracy": accuracy_score(eval_pred[1], predictions),\n'
        "    }",
    ),
    alternative(
        "02-compute-metrics",
        "numpy-y-bucle",
        "def compute_metrics(eval_pred):\n"
        "    logits, labels = eval_pred\n"
        "    predictions = logits.argmax(axis=1)\n"
        "    f1_per_class = []\n"
        "    for c in range(logits.shape[1]):\n"
        "        tp = np.sum((predictions == c) & (labels == c))\n"
        "        fp = np.sum((predictions == c) & (labels != c))\n"
        "        fn = np.sum((predictions != c) & (labels == c))\n"
        "        f1_per_class.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)\n"
        '    return {"accuracy": float(np.mean(predictions == labels)),\n'
        '            "f1_macro": float(np.mean(f1_per_class))}',
    ),
    # 02-tasa-de-aprendizaje
    mistake(
        "02-tasa-de-aprendizaje",
        "misma-carpeta",
        "import dataclasses\n\n"
        "other_lr_args = dataclasses.replace(training_args,\n"
        "                                    learning_rate=profile.comparison_learning_rate)",
        "deja la misma carpeta de salida: reanudaría desde los puntos de control del primero",
        hint="carpeta",
    ),
    mistake(
        "02-tasa-de-aprendizaje",
        "mismo-objeto",
        "other_lr_args = training_args\n"
        "other_lr_args.learning_rate = profile.comparison_learning_rate\n"
        "other_lr_args.output_dir = str(other_lr_dir)",
        "modifica training_args en vez de copiarlo",
        hint="mismo objeto",
    ),
    mistake(
        "02-tasa-de-aprendizaje",
        "desde-cero",
        "other_lr_args = TrainingArguments(output_dir=str(other_lr_dir),\n"
        "                                  learning_rate=profile.comparison_learning_rate)",
        "escribe unos TrainingArguments nuevos: épocas, lotes y evaluación vuelven a los valores "
        "por defecto",
        hint="lo demás debe ser igual",
    ),
    mistake(
        "02-tasa-de-aprendizaje",
        "olvida-la-tasa",
        "import dataclasses\n\n"
        "other_lr_args = dataclasses.replace(training_args, output_dir=str(other_lr_dir))",
        "cambia la carpeta pero no la tasa de aprendizaje",
        hint="tasa",
    ),
    alternative(
        "02-tasa-de-aprendizaje",
        "copia-profunda",
        "import copy\n\n"
        "other_lr_args = copy.deepcopy(training_args)\n"
        "other_lr_args.output_dir = str(other_lr_dir)\n"
        "other_lr_args.learning_rate = profile.comparison_learning_rate",
    ),
    alternative(
        "02-tasa-de-aprendizaje",
        "replace-con-diccionario",
        "import dataclasses\n\n"
        "changes = {'output_dir': str(other_lr_dir),\n"
        "           'learning_rate': profile.comparison_learning_rate}\n"
        "other_lr_args = dataclasses.replace(training_args, **changes)",
    ),
]


@cache
def _shared():
    from coursekit import data
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    return {"profile": profile, "class_names": data.label_names(data.load_course_dataset(profile))}


def _training_args(profile, folder: Path):
    """Los TrainingArguments del notebook (celda de la sección 5), nuevos en cada llamada."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(folder / "primero"),
        num_train_epochs=profile.num_epochs,
        per_device_train_batch_size=profile.batch_size,
        per_device_eval_batch_size=profile.batch_size,
        learning_rate=profile.learning_rate,
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=2,
        report_to="none",
        seed=profile.seed,
        dataloader_pin_memory=False,
    )


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación."""
    from transformers import TrainingArguments

    from coursekit.checks import check

    names = dict(_shared(), check=check, TrainingArguments=TrainingArguments)
    if exercise == "02-tasa-de-aprendizaje":
        # Dentro de la carpeta de checkpoints de la sesión de pruebas (conftest.py la borra).
        session = os.environ.get("COURSE_CHECKPOINT_DIR")
        folder = Path(tempfile.mkdtemp(prefix="mutantes-lab02-", dir=session))
        names["training_args"] = _training_args(names["profile"], folder)
        names["run_directory"] = lambda name, profile: folder / name
    return names
