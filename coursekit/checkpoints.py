"""Checkpoints: dónde se guardan (Drive en Colab, una carpeta local o la de las pruebas),
el tamaño en disco y reanudar tras una desconexión comprobando que el checkpoint es del mismo
modelo, clases y configuración de peft.

Cada entrenamiento va a una carpeta cuyo nombre lleva los ajustes que lo definen (un resumen
legible y un hash corto), de modo que cambiar un ajuste empieza otro entrenamiento en lugar de
reanudar uno ajeno; ``resume_checkpoint`` dice en voz alta desde qué paso se reanuda o que el
entrenamiento ya había terminado.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError, MissingPathError
from coursekit.models import config_label_names

# Carpeta de Google Drive una vez montada en Colab.
DRIVE_ROOT = Path("/content/drive")
DRIVE_COURSE_DIR = DRIVE_ROOT / "MyDrive" / "curso-finetuning"
# Variable de entorno que fija la carpeta de checkpoints (la usan las pruebas y CI).
CHECKPOINT_DIR_VARIABLE = "COURSE_CHECKPOINT_DIR"
# Campos de config.json que deben coincidir para reanudar con un modelo.
_ARCHITECTURE_FIELDS = ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")


# --- Carpetas de checkpoints ---------------------------------------------------------------


def mount_google_drive(platform: str) -> bool:
    """Monta Google Drive en Colab (pide permiso en una ventana) y devuelve ``True``.

    Fuera de Colab no hace nada, lo explica y devuelve ``False``: los checkpoints irán a una
    carpeta local.
    """
    if platform != "colab":
        print(
            "Google Drive solo se monta en Colab; los puntos de control irán a una carpeta local."
        )
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
            f"No puedo escribir puntos de control en {folder} ({type(error).__name__}: {error}). "
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


# Cuántos ajustes escalares entran, como mucho, en el resumen legible del nombre.
_SLUG_SETTINGS = 4
#: Cómo se reparten los datos en particiones (``coursekit.data.course_splits``). Entra en el
#: hash de cada carpeta de entrenamiento: si cambia el reparto, un checkpoint entrenado con el
#: subconjunto anterior (antes, train y test sin validación) no se reanuda en silencio.
SPLITS_SCHEME = "train-validation-test/1"
# Longitud del hash de los ajustes en el nombre de la carpeta.
_HASH_LENGTH = 8


def _fingerprint_default(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


def _profile_settings(profile: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(profile) and not isinstance(profile, type):
        return dataclasses.asdict(profile)
    return {"name": getattr(profile, "name", None), "model_name": profile.model_name}


def _slug_value(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str) and 0 < len(value) <= 12:
        return value
    return None


def settings_hash(profile: Any, settings: Mapping[str, Any] | None = None) -> str:
    """Hash corto (8 caracteres hexadecimales) del perfil entero y de ``settings``.

    Dos entrenamientos con el mismo hash usan los mismos ajustes; si cambia la tasa, las
    épocas, los tamaños, la semilla, el modelo, los datos, cualquier ajuste de ``settings``
    (``r`` de LoRA, tokens virtuales...) o el reparto en particiones (:data:`SPLITS_SCHEME`),
    cambia el hash.
    """
    payload = {
        "perfil": _profile_settings(profile),
        "ajustes": dict(settings or {}),
        "particiones": SPLITS_SCHEME,
    }
    text = json.dumps(payload, sort_keys=True, default=_fingerprint_default, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_LENGTH]


def run_directory(
    lab: str,
    profile: Any,
    root: str | os.PathLike | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """Carpeta de un entrenamiento: ``<raíz>/<lab>-<perfil>-<modelo>[-<csv>][-<ajustes>]-<hash>``.

    El nombre lleva el perfil, el modelo y, con un CSV propio, su nombre, para que un
    checkpoint de ``ci`` nunca se reanude en ``quick``, ni uno de MiniLM con BERT, ni uno de
    las reseñas con tus datos. ``settings`` son los ajustes propios de este entrenamiento
    (p. ej. ``{"lr": 1e-3, "r": 8}``): los escalares cortos se leen en el nombre (``lr0.001-r8``)
    y todos, con el perfil entero (tasas, épocas, tamaños, semilla, modelo, datos), entran en un
    hash corto al final. Cambiar cualquiera de ellos da otra carpeta: otro entrenamiento.
    """
    if not isinstance(lab, str) or not lab.strip():
        raise CourseError(f"El nombre del lab debe ser un texto, no {lab!r}.")
    if settings is not None and not isinstance(settings, Mapping):
        raise CourseError(
            "Los ajustes (settings) deben ser un diccionario nombre → valor, como "
            f'{{"lr": 1e-3, "r": 8}}, no {type(settings).__name__}.'
        )
    if settings is not None and not all(isinstance(key, str) for key in settings):
        raise CourseError(
            'Los nombres de los ajustes (settings) deben ser textos, como "lr" o "r".'
        )
    model = str(profile.model_name).split(":")[-1].rstrip("/").split("/")[-1]
    parts = [lab.strip(), profile.name, model]
    if getattr(profile, "uses_own_data", False):
        parts.append(Path(str(profile.dataset_name)).stem)
    readable = [
        f"{key}{text}"
        for key, text in ((key, _slug_value(value)) for key, value in (settings or {}).items())
        if text is not None
    ]
    parts.extend(readable[:_SLUG_SETTINGS])
    parts.append(settings_hash(profile, settings))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts))
    return _ensure_writable(checkpoint_root(root) / name)


def _read_config(checkpoint: Path) -> dict[str, Any]:
    config_path = checkpoint / "config.json"
    if not config_path.is_file():
        raise CourseError(
            f"El punto de control {checkpoint} no tiene config.json: no es un punto de control "
            "de un modelo "
            "de transformers o se cortó mientras se guardaba. Bórralo y vuelve a ejecutar."
        )
    return json.loads(config_path.read_text(encoding="utf-8"))


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
            f"El punto de control {checkpoint} es un adaptador de peft, pero el modelo no lleva "
            "peft: aplica get_peft_model con la misma configuración antes de reanudar."
        )
    expected = json.loads(
        json.dumps(
            peft_config.to_dict(), default=lambda v: sorted(v) if isinstance(v, set) else str(v)
        )
    )
    differences = [
        f"{field}: punto de control {saved.get(field)!r} ≠ modelo {expected.get(field)!r}"
        for field in _ADAPTER_FIELDS
        if _comparable(saved.get(field)) != _comparable(expected.get(field))
    ]
    if differences:
        raise CourseError(
            f"El punto de control {checkpoint} es de otra configuración de peft, no se puede "
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
        f"{field}: punto de control {saved.get(field)!r} ≠ modelo {expected.get(field)!r}"
        for field in _ARCHITECTURE_FIELDS
        if saved.get(field) != expected.get(field)
    ]
    saved_labels, model_labels = config_label_names(saved), config_label_names(model.config)
    if saved_labels != model_labels:
        differences.append(f"clases: punto de control {saved_labels} ≠ modelo {model_labels}")
    if differences:
        raise CourseError(
            f"El punto de control {checkpoint} es de otro modelo o de otras clases, no se puede "
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
            f"El punto de control {checkpoint} está incompleto (falta trainer_state.json): "
            "la sesión "
            "se cortó mientras se guardaba. Bórralo y vuelve a ejecutar; se reanudará desde el "
            "anterior."
        )
    if model is not None:
        check_checkpoint_matches(checkpoint, model)
    return checkpoint


def _training_progress(checkpoint: Path) -> tuple[int, int]:
    state_path = checkpoint / "trainer_state.json"
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        step, total = int(state["global_step"]), int(state["max_steps"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CourseError(
            f"No puedo leer el paso del punto de control {checkpoint} ({state_path.name} "
            f"dañado: {type(error).__name__}). Bórralo y vuelve a ejecutar; se reanudará desde "
            "el anterior o desde el principio."
        ) from error
    return step, total


def resume_checkpoint(output_dir: str | os.PathLike, model: Any = None) -> str | None:
    """Como ``last_checkpoint``, pero dice qué va a pasar al llamar a ``trainer.train``.

    Imprime «Reanudando desde el paso N de M» si hay un checkpoint a medias, que el
    entrenamiento ya terminó (y se reutiliza) si el checkpoint es del último paso, o que se
    entrena desde el principio si no hay ninguno. Devuelve lo mismo que ``last_checkpoint``.
    """
    if not isinstance(output_dir, str | os.PathLike) or not str(output_dir).strip():
        raise CourseError(
            f"La carpeta de salida debe ser una ruta (la de run_directory), no {output_dir!r}."
        )
    folder = Path(output_dir)
    checkpoint = last_checkpoint(folder, model)
    if checkpoint is None:
        print(f"Sin puntos de control en {folder}: se entrena desde el principio.")
        return None
    step, total = _training_progress(Path(checkpoint))
    if total > 0 and step >= total:
        print(
            f"Este entrenamiento ya terminó (paso {step} de {total}): se reutiliza; borra "
            f"{folder} o cambia un ajuste para entrenar de nuevo."
        )
    else:
        print(f"Reanudando desde el paso {step} de {total} ({Path(checkpoint).name} en {folder}).")
    return checkpoint


def directory_size_mb(path: str | os.PathLike) -> float:
    """Tamaño en disco de un archivo o carpeta, en MB (10⁶ bytes)."""
    path = Path(path)
    if not path.exists():
        raise MissingPathError(f"No existe {path}.")
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6
