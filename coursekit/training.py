"""Fontanería del entrenamiento que comparten los labs: semillas, carpetas de checkpoints,
reanudar tras una desconexión, historial por época y predicciones con nombres de clase.

El ``Trainer``, ``TrainingArguments`` y el bucle de PyTorch se escriben en el notebook:
aquí solo está lo que se repite de un lab a otro.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError, MissingPathError

# Carpeta de Google Drive una vez montada en Colab.
DRIVE_ROOT = Path("/content/drive")
DRIVE_COURSE_DIR = DRIVE_ROOT / "MyDrive" / "curso-finetuning"
# Variable de entorno que fija la carpeta de checkpoints (la usan las pruebas y CI).
CHECKPOINT_DIR_VARIABLE = "COURSE_CHECKPOINT_DIR"
# Campos de config.json que deben coincidir para reanudar con un modelo.
_ARCHITECTURE_FIELDS = ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")


# --- Semillas ------------------------------------------------------------------------------


def seed_everything(seed: int):
    """Fija las semillas de ``random``, NumPy y PyTorch (con ``transformers.set_seed``).

    Devuelve un ``torch.Generator`` con la misma semilla para barajar un ``DataLoader``
    de forma reproducible (``DataLoader(..., shuffle=True, generator=...)``).
    """
    import torch
    from transformers import set_seed

    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise CourseError(f"La semilla debe ser un entero >= 0, no {seed!r}.")
    set_seed(seed)
    return torch.Generator().manual_seed(seed)


# --- Carpetas de checkpoints ---------------------------------------------------------------


def mount_google_drive(platform: str) -> bool:
    """Monta Google Drive en Colab (pide permiso en una ventana) y devuelve ``True``.

    Fuera de Colab no hace nada, lo explica y devuelve ``False``: los checkpoints irán a una
    carpeta local.
    """
    if platform != "colab":
        print("Google Drive solo se monta en Colab; los checkpoints irán a una carpeta local.")
        return False
    from google.colab import drive  # solo existe en Colab

    drive.mount(str(DRIVE_ROOT))
    return True


def _ensure_writable(folder: Path) -> Path:
    probe = folder / ".coursekit-escritura"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as error:
        raise CourseError(
            f"No puedo escribir checkpoints en {folder} ({type(error).__name__}: {error}). "
            f"Elige otra carpeta (argumento root o variable {CHECKPOINT_DIR_VARIABLE}) o revisa "
            "los permisos y el espacio libre."
        ) from error
    return folder


def checkpoint_root(root: str | os.PathLike | None = None) -> Path:
    """Carpeta base de los checkpoints del curso, comprobando que se puede escribir en ella.

    Por orden: ``root`` si se da; la variable ``COURSE_CHECKPOINT_DIR``; Google Drive si está
    montado (en Colab sobrevive a una desconexión); si no, ``checkpoints/`` en la carpeta
    actual.
    """
    if root is None and os.environ.get(CHECKPOINT_DIR_VARIABLE):
        root = os.environ[CHECKPOINT_DIR_VARIABLE]
    if root is None:
        root = DRIVE_COURSE_DIR / "checkpoints" if (DRIVE_ROOT / "MyDrive").is_dir() else None
    folder = Path(root) if root is not None else Path("checkpoints")
    return _ensure_writable(folder.expanduser())


def run_directory(lab: str, profile: Any, root: str | os.PathLike | None = None) -> Path:
    """Carpeta de un entrenamiento: ``<raíz>/<lab>-<perfil>-<modelo>``.

    Incluye el perfil y el modelo para que un checkpoint de ``ci`` nunca se reanude en
    ``quick`` ni uno de MiniLM con BERT.
    """
    if not isinstance(lab, str) or not lab.strip():
        raise CourseError(f"El nombre del lab debe ser un texto, no {lab!r}.")
    model = str(profile.model_name).split(":")[-1].rstrip("/").split("/")[-1]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{lab.strip()}-{profile.name}-{model}")
    return _ensure_writable(checkpoint_root(root) / name)


def _read_config(checkpoint: Path) -> dict[str, Any]:
    config_path = checkpoint / "config.json"
    if not config_path.is_file():
        raise CourseError(
            f"El checkpoint {checkpoint} no tiene config.json: no es un checkpoint de un modelo "
            "de transformers o se cortó mientras se guardaba. Bórralo y vuelve a ejecutar."
        )
    return json.loads(config_path.read_text(encoding="utf-8"))


def _label_names_of(config: Any) -> list[str]:
    id2label = config.get("id2label") if isinstance(config, dict) else config.id2label
    id2label = id2label or {}
    return [str(id2label[key]) for key in sorted(id2label, key=int)]


# Campos de la configuración de peft que deben coincidir para reanudar un adaptador.
_ADAPTER_FIELDS = (
    "peft_type",
    "task_type",
    "r",
    "lora_alpha",
    "target_modules",
    "num_virtual_tokens",
    "base_model_name_or_path",
)


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list | set | tuple) else value


def _check_adapter_matches(checkpoint: Path, model: Any) -> None:
    saved = json.loads((checkpoint / "adapter_config.json").read_text(encoding="utf-8"))
    peft_config = getattr(model, "peft_config", {}).get("default")
    if peft_config is None:
        raise CourseError(
            f"El checkpoint {checkpoint} es un adaptador de peft, pero el modelo no lleva "
            "peft: aplica get_peft_model con la misma configuración antes de reanudar."
        )
    expected = json.loads(
        json.dumps(
            peft_config.to_dict(), default=lambda v: sorted(v) if isinstance(v, set) else str(v)
        )
    )
    differences = [
        f"{field}: checkpoint {saved.get(field)!r} ≠ modelo {expected.get(field)!r}"
        for field in _ADAPTER_FIELDS
        if _comparable(saved.get(field)) != _comparable(expected.get(field))
    ]
    if differences:
        raise CourseError(
            f"El checkpoint {checkpoint} es de otra configuración de peft, no se puede "
            f"reanudar con esta: {'; '.join(differences)}. Usa otra carpeta de salida "
            "o borra esa para empezar de cero."
        )


def check_checkpoint_matches(checkpoint: str | os.PathLike, model: Any) -> None:
    """Lanza ``CourseError`` si el checkpoint es de otro modelo o de otras clases (o, si es
    un adaptador de peft, de otra configuración de peft)."""
    checkpoint = Path(checkpoint)
    if (checkpoint / "adapter_config.json").is_file() and not (
        checkpoint / "config.json"
    ).is_file():
        _check_adapter_matches(checkpoint, model)
        return
    saved = _read_config(checkpoint)
    expected = model.config.to_dict()
    differences = [
        f"{field}: checkpoint {saved.get(field)!r} ≠ modelo {expected.get(field)!r}"
        for field in _ARCHITECTURE_FIELDS
        if saved.get(field) != expected.get(field)
    ]
    saved_labels, model_labels = _label_names_of(saved), _label_names_of(model.config)
    if saved_labels != model_labels:
        differences.append(f"clases: checkpoint {saved_labels} ≠ modelo {model_labels}")
    if differences:
        raise CourseError(
            f"El checkpoint {checkpoint} es de otro modelo o de otras clases, no se puede "
            f"reanudar con este: {'; '.join(differences)}. Usa otra carpeta de salida "
            "o borra esa para empezar de cero."
        )


def last_checkpoint(output_dir: str | os.PathLike, model: Any = None) -> str | None:
    """Último ``checkpoint-<paso>`` de ``output_dir`` (o ``None`` si no hay ninguno).

    Con ``model`` comprueba además que el checkpoint es de ese mismo modelo y clases, para
    no reanudar con pesos ajenos. Se pasa a ``trainer.train(resume_from_checkpoint=...)``.
    """
    from transformers.trainer_utils import get_last_checkpoint

    folder = Path(output_dir)
    if not folder.is_dir():
        return None
    checkpoint = get_last_checkpoint(str(folder))
    if checkpoint is None:
        return None
    if not (Path(checkpoint) / "trainer_state.json").is_file():
        raise CourseError(
            f"El checkpoint {checkpoint} está incompleto (falta trainer_state.json): la sesión "
            "se cortó mientras se guardaba. Bórralo y vuelve a ejecutar; se reanudará desde el "
            "anterior."
        )
    if model is not None:
        check_checkpoint_matches(checkpoint, model)
    return checkpoint


def directory_size_mb(path: str | os.PathLike) -> float:
    """Tamaño en disco de un archivo o carpeta, en MB (10⁶ bytes)."""
    path = Path(path)
    if not path.exists():
        raise MissingPathError(f"No existe {path}.")
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


# --- Etiquetas -----------------------------------------------------------------------------


def check_labels_fit_model(labels: Any, num_labels: Any) -> None:
    """Comprueba que todas las etiquetas están en ``0..num_labels-1`` antes de entrenar.

    ``labels`` puede ser un ``Dataset`` con columna ``label`` (o ``labels``) o una lista;
    ``num_labels`` un entero o un modelo (usa ``model.config.num_labels``). Sin esta
    comprobación PyTorch falla con «Target 4 is out of bounds» o, en GPU, con un
    «device-side assert» que no dice nada.
    """
    if hasattr(num_labels, "config"):
        num_labels = num_labels.config.num_labels
    if isinstance(num_labels, bool) or not isinstance(num_labels, int) or num_labels < 1:
        raise CourseError(f"num_labels debe ser un entero >= 1, no {num_labels!r}.")
    column_names = getattr(labels, "column_names", None)
    if column_names is not None:
        column = next((c for c in ("label", "labels") if c in column_names), None)
        if column is None:
            raise CourseError(f"El dataset no tiene columna label ni labels: {column_names}.")
        labels = labels[column]
    values = sorted({int(v) for v in labels})
    outside = [v for v in values if not 0 <= v < num_labels]
    if outside:
        raise CourseError(
            f"Hay etiquetas fuera de 0..{num_labels - 1}: {outside}. El modelo tiene "
            f"num_labels={num_labels}; créalo con tantas clases como tengan los datos "
            "(num_labels = len(nombres de las clases))."
        )


# --- Historial -----------------------------------------------------------------------------


def history_frame(log_history: Sequence[dict[str, Any]]):
    """Del ``trainer.state.log_history`` a una tabla con una fila por época.

    Columnas: ``train_loss`` (media de las pérdidas registradas en esa época) y las de
    evaluación (``eval_loss``, ``eval_accuracy``, ``eval_f1_macro``...). Índice ``epoch``
    (1, 2, ...). Es lo que dibuja ``coursekit.plots.plot_training_curves``.
    """
    import pandas as pd

    if isinstance(log_history, (str, bytes)) or not isinstance(log_history, Sequence):
        raise CourseError(
            "history_frame espera trainer.state.log_history (una lista de diccionarios)."
        )
    train: dict[int, list[float]] = {}
    evaluation: dict[int, dict[str, float]] = {}
    for entry in log_history:
        if "epoch" not in entry or "train_runtime" in entry:
            continue  # el resumen final no es una época
        epoch = max(1, math.ceil(round(float(entry["epoch"]), 4)))
        if "loss" in entry:
            train.setdefault(epoch, []).append(float(entry["loss"]))
        metrics = {
            k: float(v)
            for k, v in entry.items()
            if k.startswith("eval_") and isinstance(v, (int, float))
        }
        metrics = {k: v for k, v in metrics.items() if not k.endswith(("_runtime", "per_second"))}
        if metrics:
            evaluation.setdefault(epoch, {}).update(metrics)
    epochs = sorted(set(train) | set(evaluation))
    rows = []
    for epoch in epochs:
        row: dict[str, float] = {}
        if epoch in train:
            row["train_loss"] = sum(train[epoch]) / len(train[epoch])
        row.update(evaluation.get(epoch, {}))
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(epochs, name="epoch"))


def read_tensorboard_scalars(log_dir: str | os.PathLike):
    """Lee los escalares que escribió TensorBoard (``tag``, ``step``, ``value``).

    Sirve donde la magia ``%tensorboard`` no está disponible: los mismos datos, en una tabla.
    """
    import pandas as pd
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    folder = Path(log_dir)
    event_files = sorted(folder.rglob("events.out.tfevents.*")) if folder.is_dir() else []
    if not event_files:
        raise MissingPathError(
            f"No hay registros de TensorBoard en {folder}: ¿entrenaste con report_to='tensorboard'?"
        )
    from tensorboard.util import tensor_util

    rows = []
    for run in sorted({f.parent for f in event_files}):
        accumulator = EventAccumulator(str(run))
        accumulator.Reload()
        tags = accumulator.Tags()
        for tag in tags.get("scalars", []):  # SummaryWriter de PyTorch (Trainer)
            rows += [
                {"run": run.name, "tag": tag, "step": e.step, "value": e.value}
                for e in accumulator.Scalars(tag)
            ]
        for tag in tags.get("tensors", []):  # tf.summary de TensorFlow 2 (Keras)
            for event in accumulator.Tensors(tag):
                value = tensor_util.make_ndarray(event.tensor_proto)
                if value.size == 1 and value.dtype.kind in "fiu":
                    rows.append(
                        {"run": run.name, "tag": tag, "step": event.step, "value": float(value)}
                    )
    return pd.DataFrame(rows, columns=["run", "tag", "step", "value"])


# --- Predicciones --------------------------------------------------------------------------


def text_logits(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int | None = None,
    batch_size: int = 32,
):
    """Logits del modelo para una lista de textos (``numpy``, una fila por texto), en modo
    evaluación y sin gradientes. Sirve para comparar dos modelos sobre los mismos textos."""
    import torch

    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts) if isinstance(texts, Sequence) else []
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise CourseError("Hace falta una lista de textos no vacíos.")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size],
                truncation=True,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            ).to(device)
            logits.append(model(**batch).logits.float().cpu())
    model.train(was_training)
    return torch.cat(logits).numpy()


def predict_texts(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    label_names: Sequence[str] | None = None,
    max_length: int | None = None,
    batch_size: int = 32,
):
    """Clasifica textos nuevos y devuelve una tabla: texto, clase predicha y probabilidad.

    Los nombres de las clases salen de ``label_names`` o de ``model.config.id2label``.
    Funciona con cualquier modelo de clasificación de PyTorch (también uno con LoRA).
    """
    if isinstance(texts, str):
        texts = [texts]
    if label_names is None:
        label_names = _label_names_of(model.config)
    logits = text_logits(model, tokenizer, texts, max_length=max_length, batch_size=batch_size)
    return prediction_table(list(texts), logits, label_names)


def logits_to_label_names(logits: Any, label_names: Sequence[str]) -> list[str]:
    """Nombre de la clase con el logit más alto para cada fila de ``logits``."""
    import numpy as np

    scores = np.asarray(logits, dtype=float)
    names = list(label_names)
    if scores.ndim != 2:
        raise CourseError(
            f"Los logits deben ser una matriz (ejemplos × clases); tienen forma {scores.shape}."
        )
    if scores.shape[1] != len(names):
        raise CourseError(
            f"Hay {scores.shape[1]} logits por ejemplo y {len(names)} nombres de clase "
            f"({names}): ¿se creó el modelo con {len(names)} clases (num_labels o num_classes)?"
        )
    return [names[i] for i in scores.argmax(axis=1)]


def prediction_table(texts: Sequence[str], logits: Any, label_names: Sequence[str]):
    """Tabla (``pandas.DataFrame``) con cada texto, la clase predicha y su probabilidad."""
    import numpy as np
    import pandas as pd

    texts = [texts] if isinstance(texts, str) else list(texts)
    predicted = logits_to_label_names(logits, label_names)
    if len(predicted) != len(texts):
        raise CourseError(f"Hay {len(texts)} textos y {len(predicted)} filas de logits.")
    scores = np.asarray(logits, dtype=float)
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    return pd.DataFrame(
        {
            "texto": texts,
            "predicción": predicted,
            "probabilidad": probabilities.max(axis=1).round(3),
        }
    )
