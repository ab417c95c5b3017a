"""Volver a cargar un método que midió la comparación (``coursekit.comparison``).

El lab 07 elige un método mirando la validación y, al final, evalúa **solo ese** en test. La
comparación no se repite: :func:`coursekit.comparison.measure_method` guardó lo entrenado de cada
método con ``save_pretrained`` (el modelo entero, o el adaptador de peft), y
:func:`load_measured_model` lo vuelve a montar: la misma estructura (``method.build_model()``:
LoRA, prompt virtual, agrupación) con los pesos guardados.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

#: Subcarpeta de cada método donde ``measure_method`` guarda lo entrenado.
SAVED_FOLDER = "guardado"


def measured_model_dir(output_dir: str | os.PathLike, method_name: str) -> Path:
    """Carpeta donde ``measure_method`` guardó el método ``method_name`` dentro de ``output_dir``
    (la carpeta de la comparación)."""
    if not isinstance(method_name, str) or not method_name.strip():
        raise CourseError("Hace falta el nombre del método (texto no vacío).")
    return Path(output_dir) / method_name.replace(" ", "_").replace("/", "-") / SAVED_FOLDER


def _weight_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise CourseError(
            f"En {folder} no hay pesos (*.safetensors): vuelve a medir el método "
            "(compare_methods con rerun=True)."
        )
    return files


def _load_state(files: list[Path]) -> dict[str, Any]:
    from safetensors.torch import load_file

    state: dict[str, Any] = {}
    for file in files:
        state.update(load_file(str(file)))
    return state


def load_measured_model(method: Any, output_dir: str | os.PathLike):
    """El modelo que ``measure_method`` entrenó para ``method`` (un ``MethodRun``), en modo
    evaluación: ``method.build_model()`` con los pesos guardados en ``output_dir``.

    Con peft se cargan el adaptador y la cabeza; sin peft, todos los pesos del modelo. Falla con
    un mensaje en español si el método no se midió en esa carpeta o si los pesos guardados no
    encajan con el modelo que construye ``method`` (otra configuración).
    """
    folder = measured_model_dir(output_dir, getattr(method, "name", ""))
    if not folder.is_dir():
        raise CourseError(
            f"No encuentro lo que guardó «{method.name}» en {folder}: mide antes el método con "
            "compare_methods (o measure_method) en la misma carpeta."
        )
    files = _weight_files(folder)
    model = method.build_model()
    from peft import PeftModel, set_peft_model_state_dict

    if isinstance(model, PeftModel):
        result = set_peft_model_state_dict(model, _load_state(files))
        # peft carga aparte los vectores del prompt virtual y aun así los cuenta como sobrantes.
        unexpected = [
            key for key in getattr(result, "unexpected_keys", []) if key != "prompt_embeddings"
        ]
        if unexpected:
            raise CourseError(
                f"El adaptador guardado de «{method.name}» no encaja con el modelo que construye "
                f"el método (sobran {unexpected[:3]}): ¿cambió la configuración? Vuelve a medir."
            )
        return model.eval()
    # Sin peft, los pesos se leen con from_pretrained (de la clase del modelo, agrupación
    # incluida): transformers guarda con los nombres del checkpoint original (LayerNorm.gamma/beta
    # en bert-base-cased) y solo from_pretrained los traduce. Después entran en el modelo que
    # construye el método, estrictos: otra configuración no encaja.
    saved = type(model).from_pretrained(str(folder))
    try:
        model.load_state_dict(saved.state_dict(), strict=True)
    except RuntimeError as error:
        raise CourseError(
            f"Los pesos guardados de «{method.name}» no encajan con el modelo que construye el "
            f"método: ¿cambió la configuración? Vuelve a medir. ({str(error)[:200]})"
        ) from None
    return model.eval()
