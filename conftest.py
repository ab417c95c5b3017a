"""Entorno de las pruebas: perfil ``ci`` y sin red, salvo que se pida otra cosa.

Los kernels que nbval arranca heredan estas variables.
"""

import os

import pytest

os.environ.setdefault("COURSE_PROFILE", "ci")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Checkpoints y registros de TensorBoard de los labs: una carpeta nueva por sesión de pruebas,
# para que un lab ejecutado antes (otro perfil, otra ejecución) nunca se reanude aquí. La borra
# al salir el proceso que la creó (los de pytest-xdist y los kernels la heredan por el entorno):
# cada sesión deja hasta 2 GB de checkpoints. Una carpeta fijada desde fuera no se toca.
if "COURSE_CHECKPOINT_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["COURSE_CHECKPOINT_DIR"] = tempfile.mkdtemp(prefix="coursekit-checkpoints-")
    atexit.register(shutil.rmtree, os.environ["COURSE_CHECKPOINT_DIR"], ignore_errors=True)

# Con pytest-xdist cada proceso de pruebas (y los kernels que arranca) usa un solo hilo de
# PyTorch/BLAS: dos procesos con dos hilos cada uno en una máquina de dos núcleos se estorban.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, "1")


def pytest_configure(config):
    """nbval arranca sus kernels con reintentos y guarda su salida de error si mueren al arrancar
    (``coursekit.maintainer.kernel_start``): un kernel muerto al arrancar tumbó un lab entero en
    la CI sin decir por qué."""
    from coursekit.maintainer.kernel_start import install_nbval_start_retries

    install_nbval_start_retries()


def pytest_collection_modifyitems(config, items):
    """Las celdas de los labs (nbval) son lentas: entran en ``-m slow``, no en ``-m "not slow"``."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


#: Las pruebas que ejecutan cada lab en ``full``: un lab por unidad de trabajo de xdist.
FULL_LABS_TESTS = "tests/test_labs_full.py"


@pytest.hookimpl(optionalhook=True)  # sin pytest-xdist (-p no:xdist) no existe este gancho
def pytest_xdist_make_scheduler(config, log):
    """Con ``--dist loadfile`` (scripts/test.sh) cada archivo va entero a un proceso (las celdas
    de un lab de nbval, en orden y en el mismo kernel), salvo tests/test_labs_full.py: allí cada
    lab (sus pruebas con el mismo ``[id]``) es una unidad, y los siete labs en ``full`` se reparten
    entre los procesos en lugar de ir en fila a uno solo."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneFullLabPerUnit(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            if scope == FULL_LABS_TESTS and nodeid.endswith("]"):
                return f"{scope}[{nodeid.rsplit('[', 1)[1]}"
            return scope

    return OneFullLabPerUnit(config, log)
