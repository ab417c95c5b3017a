"""Keras 3 + KerasHub: el mismo checkpoint del curso (formato Hugging Face) en Keras.

KerasHub convierte al vuelo un checkpoint de Hugging Face (``config.json`` + ``*.safetensors``)
en un modelo de Keras. Offline es la carpeta de MiniLM empaquetada; en ``full``, un id del Hub
con el prefijo ``hf://`` (``"hf://bert-base-cased"``).

Este módulo no importa TensorFlow ni Keras al importarse (los labs de PyTorch no los cargan):
cada función los importa cuando hace falta.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError
from coursekit.models import check_model_dir, resolve_model_name
from coursekit.profiles import Profile

#: Prefijo con el que KerasHub descarga un checkpoint del Hugging Face Hub.
HF_PREFIX = "hf://"
#: Prefijos de presets que KerasHub entiende y se pasan tal cual.
_PRESET_PREFIXES = (HF_PREFIX, "kaggle://", "gs://", "modelscope://")
#: ``model_type`` de ``config.json`` que KerasHub convierte desde el formato de Hugging Face
#: y para los que tiene un ``TextClassifier``. El curso usa ``bert`` (MiniLM, bert-base-cased).
SUPPORTED_MODEL_TYPES = ("albert", "bert", "distilbert", "roberta", "xlm-roberta")

#: Nombres de columna de la tabla de historial (los de ``plots.plot_training_curves``).
_HISTORY_COLUMNS = {
    "loss": "train_loss",
    "val_loss": "eval_loss",
    "accuracy": "train_accuracy",
    "val_accuracy": "eval_accuracy",
}


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Descarta lo que el código nativo (C++) escribe en stderr dentro del bloque.

    Al importar TensorFlow en una máquina sin GPU, XLA avisa de que no encuentra los drivers
    de CUDA antes de leer ``TF_CPP_MIN_LOG_LEVEL``. Ese aviso no es un error, pero taparía la
    lección: se importa dentro de este bloque. Las excepciones de Python no se ven afectadas.
    """
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # sin descriptor 2 (algunos entornos): no hay nada que tapar
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_keras_hub():
    """Importa y devuelve ``keras_hub`` (backend TensorFlow si no se eligió otro), sin el ruido
    de C++ de TensorFlow."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with quiet_native_stderr():
        import keras_hub
    return keras_hub


def _check_supported_folder(folder: Path) -> None:
    config_path = folder / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CourseError(
            f"No puedo leer {str(config_path)!r} ({type(error).__name__}): "
            "¿es un punto de control de "
            "Hugging Face completo?"
        ) from error
    model_type = config.get("model_type") if isinstance(config, dict) else None
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise CourseError(
            f"El punto de control {str(folder)!r} es de tipo {model_type!r} y KerasHub solo puede "
            f"convertir a clasificador de textos los de tipo {', '.join(SUPPORTED_MODEL_TYPES)}. "
            "Usa un modelo tipo BERT (el del perfil: get_profile('quick') o bert-base-cased)."
        )


def resolve_keras_preset(name: str | Profile | None = None) -> str:
    """Convierte el modelo de un perfil en un preset de KerasHub y lo valida.

    - Perfil ``quick``/``ci`` o ``packaged:...``: la carpeta de MiniLM empaquetada.
    - Una carpeta local: se comprueba que tiene ``config.json``, pesos y un ``model_type``
      que KerasHub convierte (``bert``...).
    - Un id del Hub (``bert-base-cased``, perfil ``full``): ``"hf://bert-base-cased"``.
    - Un preset con prefijo (``hf://...``, ``kaggle://...``): tal cual.
    """
    if isinstance(name, str) and name.startswith(_PRESET_PREFIXES):
        return name
    resolved = resolve_model_name(name)  # carpeta comprobada o id del Hub
    folder = Path(resolved).expanduser()
    if folder.is_dir():
        check_model_dir(folder)
        _check_supported_folder(folder)
        return str(legacy_keras_hub_folder(folder))
    return HF_PREFIX + resolved


#: Primera versión de KerasHub que convierte checkpoints BERT sin el prefijo ``bert.`` y con
#: ``LayerNorm.weight``/``bias`` (los de sentence-transformers, como MiniLM).
_KERAS_HUB_UNPREFIXED_BERT = (0, 30)


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _legacy_bert_key(key: str) -> str:
    """Nombre de un tensor como lo esperan KerasHub < 0.30: ``bert.`` delante y LayerNorm con
    ``gamma``/``beta`` (el formato del BERT original)."""
    if not key.startswith(("bert.", "cls.", "classifier.")):
        key = "bert." + key
    return key.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
        "LayerNorm.bias", "LayerNorm.beta"
    )


def legacy_keras_hub_folder(
    folder: str | Path, keras_hub_version: str | None = None, cache_dir: str | Path | None = None
) -> Path:
    """La carpeta ``folder``, o una copia que KerasHub < 0.30 (el de Colab, 0.26) sabe cargar.

    KerasHub 0.26 busca los tensores de BERT como ``bert.embeddings...`` y ``LayerNorm.gamma``;
    los checkpoints de sentence-transformers (MiniLM) los guardan sin ``bert.`` y con
    ``LayerNorm.weight``, y la carga falla con ``SafetensorError``. Con KerasHub ≥ 0.30 (o si
    los nombres ya son los antiguos) se devuelve ``folder`` sin tocar; si no, se escribe una vez
    una copia con los tensores renombrados en ``cache_dir`` (por defecto
    ``~/.cache/coursekit/keras-hub-legacy``) y se devuelve esa.
    """
    folder = Path(folder)
    if keras_hub_version is None:
        from importlib import metadata

        try:
            keras_hub_version = metadata.version("keras-hub")
        except metadata.PackageNotFoundError:
            return folder
    if _version_tuple(keras_hub_version) >= _KERAS_HUB_UNPREFIXED_BERT:
        return folder
    weights = sorted(folder.glob("*.safetensors"))
    if len(weights) != 1:
        return folder  # sin safetensors o en varios archivos: KerasHub dará su propio error
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    try:
        with safe_open(str(weights[0]), framework="np") as handle:
            keys = list(handle.keys())
    except Exception:  # archivo dañado o no es safetensors: KerasHub dará su propio error
        return folder
    if all(_legacy_bert_key(k) == k for k in keys):
        return folder
    import hashlib
    import shutil

    base = Path(cache_dir or Path.home() / ".cache" / "coursekit" / "keras-hub-legacy")
    stat = weights[0].stat()
    tag = hashlib.sha256(
        f"{folder.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    ).hexdigest()
    target = base / f"{folder.name}-{tag[:12]}"
    if not (target / weights[0].name).is_file():
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for item in folder.iterdir():
            if item.is_file() and item.suffix != ".safetensors":
                shutil.copy2(item, partial / item.name)
        tensors = load_file(str(weights[0]))
        renamed = {_legacy_bert_key(k): v for k, v in tensors.items()}
        save_file(renamed, str(partial / weights[0].name), metadata={"format": "pt"})
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    return target


def _from_preset_error(preset: str, error: Exception) -> CourseError:
    hint = (
        "¿Hay conexión a internet? Sin red usa el perfil «quick» (COURSE_PROFILE=quick)."
        if preset.startswith(HF_PREFIX)
        else "¿Está instalado safetensors (pip install safetensors)? KerasHub lo necesita para "
        "convertir puntos de control de Hugging Face."
    )
    return CourseError(
        f"KerasHub no pudo cargar {preset!r} ({type(error).__name__}: {str(error)[:200]}). {hint}"
    )


def match_hf_accent_stripping(preprocessor: Any, preset: str | None = None) -> bool:
    """Hace que el tokenizador de KerasHub quite las tildes como el de Hugging Face.

    En transformers, un ``BertTokenizer`` con ``do_lower_case=True`` y sin ``strip_accents``
    en ``tokenizer_config.json`` también quita las tildes («café» → «cafe»). KerasHub 0.32 solo
    copia ``lowercase`` al convertir el checkpoint, así que con un modelo *uncased* (MiniLM)
    las palabras con tilde acababan en ``[UNK]`` u otras subpalabras. Se respeta un
    ``strip_accents`` explícito de la carpeta local. Devuelve ``True`` si cambió algo.
    """
    tokenizer = getattr(preprocessor, "tokenizer", None)
    if tokenizer is None or not hasattr(tokenizer, "strip_accents"):
        return False
    wanted = bool(getattr(tokenizer, "lowercase", False))
    config_path = Path(preset) / "tokenizer_config.json" if preset else None
    if config_path is not None and config_path.is_file():
        with contextlib.suppress(OSError, json.JSONDecodeError, AttributeError):
            explicit = json.loads(config_path.read_text(encoding="utf-8")).get("strip_accents")
            if explicit is not None:
                wanted = bool(explicit)
    if bool(tokenizer.strip_accents) == wanted:
        return False
    tokenizer.strip_accents = wanted
    return True


def load_keras_preprocessor(name: str | Profile | None = None, sequence_length: int = 512):
    """``keras_hub.models.TextClassifierPreprocessor`` del checkpoint del perfil.

    Tokeniza con el vocabulario del checkpoint y rellena (o corta) cada texto a
    ``sequence_length`` tokens. Devuelve diccionarios con ``token_ids``, ``padding_mask`` y
    ``segment_ids``. Las tildes se tratan como en transformers (:func:`match_hf_accent_stripping`).
    """
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, int):
        raise CourseError(f"sequence_length debe ser un entero, no {sequence_length!r}.")
    if sequence_length < 2:
        raise CourseError(
            f"sequence_length={sequence_length} no deja sitio ni a [CLS] y [SEP]; usa al menos 8."
        )
    preset = resolve_keras_preset(name)
    keras_hub = import_keras_hub()
    try:
        preprocessor = keras_hub.models.TextClassifierPreprocessor.from_preset(
            preset, sequence_length=sequence_length
        )
    except (OSError, ValueError, ImportError) as error:
        raise _from_preset_error(preset, error) from error
    match_hf_accent_stripping(preprocessor, preset)
    return preprocessor


def load_keras_classifier(
    name: str | Profile | None, num_classes: int, preprocessor: Any = None, **kwargs: Any
):
    """``keras_hub.models.TextClassifier`` del checkpoint del perfil con una cabeza nueva.

    ``num_classes`` sale de los datos (``len(label_names)``). Con ``preprocessor=None`` el
    modelo espera textos ya tokenizados (lo que da el pipeline de ``tf.data``).
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise CourseError(
            f"num_classes debe ser un entero ≥ 2 (el número de clases de los datos), "
            f"no {num_classes!r}."
        )
    preset = resolve_keras_preset(name)
    keras_hub = import_keras_hub()
    try:
        return keras_hub.models.TextClassifier.from_preset(
            preset, num_classes=num_classes, preprocessor=preprocessor, **kwargs
        )
    except (OSError, ValueError, ImportError) as error:
        raise _from_preset_error(preset, error) from error


def keras_history_frame(history: Any):
    """Convierte ``History.history`` de Keras en una tabla por época (1, 2, ...).

    Columnas ``train_loss``, ``eval_loss``, ``train_accuracy`` y ``eval_accuracy`` (las que
    espera ``coursekit.plots.plot_training_curves``); otras métricas conservan su nombre con
    ``val_`` cambiado por ``eval_``. Acepta el objeto ``History`` o su diccionario.
    """
    import pandas as pd

    values = getattr(history, "history", history)
    if not isinstance(values, Mapping) or not values:
        raise CourseError(
            "No hay historial: pasa lo que devuelve model.fit(...) (un History) tras al menos "
            "una época."
        )
    lengths = {len(v) for v in values.values()}
    if len(lengths) != 1:
        raise CourseError(f"Las métricas del historial tienen longitudes distintas: {lengths}.")
    columns = {}
    for key, series in values.items():
        if key in _HISTORY_COLUMNS:
            column = _HISTORY_COLUMNS[key]
        elif key.startswith("val_"):
            column = "eval_" + key.removeprefix("val_")
        else:
            column = "train_" + key
        columns[column] = [float(v) for v in series]
    frame = pd.DataFrame(columns, index=pd.RangeIndex(1, lengths.pop() + 1, name="epoch"))
    order = [c for c in _HISTORY_COLUMNS.values() if c in frame] + [
        c for c in frame if c not in _HISTORY_COLUMNS.values()
    ]
    return frame[order]
