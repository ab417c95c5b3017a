"""coursekit: el paquete de apoyo del curso de fine-tuning en español.

Organizado por tema, no por lab: ``profiles`` (qué modelo y datos usa cada máquina),
``environment`` (dónde se ejecuta el notebook), ``data``, ``models``, ``metrics``,
``padding``, ``plots``, ``checks`` (comprobación de ejercicios) y
``notebook_builder`` (versiones de estudiante).

Los submódulos se importan bajo demanda para que ``import coursekit`` sea rápido.
"""

__version__ = "0.1.0"

# Repositorio público del curso: lo usan las insignias de Colab y la celda de instalación.
COURSE_REPO = "curso-finetuning-es/curso-finetuning"


class _TensorBoardWithoutTensorFlow:
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
        import importlib.util
        import sys

        if fullname != self.name or "tensorflow" in sys.modules:
            return None
        return importlib.util.spec_from_loader(fullname, loader=self)

    def create_module(self, spec):
        return None  # el módulo vacío por defecto

    def exec_module(self, module):
        return None


def _install_tensorboard_finder() -> None:
    import sys

    if not any(isinstance(f, _TensorBoardWithoutTensorFlow) for f in sys.meta_path):
        sys.meta_path.append(_TensorBoardWithoutTensorFlow())


_install_tensorboard_finder()
