"""TensorBoard en los labs: escribir registros sin cargar TensorFlow y leerlos en una tabla.

Los labs de PyTorch escriben con ``report_to="tensorboard"`` (el ``SummaryWriter`` de PyTorch);
el lab 03 con el callback de Keras (``tf.summary``). :func:`read_tensorboard_scalars` lee los
dos donde la magia ``%tensorboard`` no está disponible.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from coursekit.errors import MissingPathError


class _NoTensorFlowFinder:
    """TensorBoard sin TensorFlow en los labs de PyTorch.

    El ``SummaryWriter`` de PyTorch (``report_to="tensorboard"``) y el lector de registros usan
    ``tensorboard.compat.tf``, que importa TensorFlow si está instalado (el entorno del curso lo
    tiene para el lab 03): segundos y cientos de MB para nada. Si se puede importar
    ``tensorboard.compat.notf``, TensorBoard usa su sustituto ligero de TensorFlow (es su variante
    oficial ``no_tensorflow``). Este buscador de módulos ofrece ese módulo vacío **solo si
    TensorFlow no está cargado**: en el lab 03, que importa TensorFlow, ``tf.summary`` sigue
    usando el TensorFlow real. La elección se hace la primera vez que TensorBoard la necesita y
    vale para todo el proceso: si en un mismo kernel se registra con PyTorch y *después* se
    importa TensorFlow, ``tf.summary`` no funcionará ahí (cada lab usa su propio kernel).
    """

    name = "tensorboard.compat.notf"

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name or "tensorflow" in sys.modules:
            return None
        return importlib.util.spec_from_loader(fullname, loader=self)

    def create_module(self, spec):
        return None  # el módulo vacío por defecto

    def exec_module(self, module):
        return None


def use_tensorboard_without_tensorflow() -> bool:
    """Hace que TensorBoard use su variante sin TensorFlow en este proceso (kernel).

    Llámala antes de entrenar con ``report_to="tensorboard"`` en un lab de PyTorch: sin ella,
    el ``SummaryWriter`` importa TensorFlow si está instalado (segundos y cientos de MB para
    nada). No tiene efecto si TensorFlow ya está cargado (lab 03), y deja ``tf.summary``
    funcionando si se importa TensorFlow *antes* de la primera escritura. Devuelve ``True``
    si la variante sin TensorFlow quedó activa.
    """
    if not any(isinstance(f, _NoTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.append(_NoTensorFlowFinder())
    return "tensorflow" not in sys.modules


def read_tensorboard_scalars(log_dir: str | os.PathLike):
    """Lee los escalares que escribió TensorBoard (``tag``, ``step``, ``value``).

    Sirve donde la magia ``%tensorboard`` no está disponible: los mismos datos, en una tabla.
    Activa :func:`use_tensorboard_without_tensorflow` (sin efecto si TensorFlow ya está cargado).
    """
    import pandas as pd

    use_tensorboard_without_tensorflow()
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
