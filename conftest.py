"""Entorno de las pruebas: perfil ``ci`` y sin red, salvo que se pida otra cosa.

Los kernels que nbval arranca heredan estas variables.
"""

import os

os.environ.setdefault("COURSE_PROFILE", "ci")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# Checkpoints y registros de TensorBoard de los labs: una carpeta nueva por sesión de pruebas,
# para que un lab ejecutado antes (otro perfil, otra ejecución) nunca se reanude aquí.
if "COURSE_CHECKPOINT_DIR" not in os.environ:
    import tempfile

    os.environ["COURSE_CHECKPOINT_DIR"] = tempfile.mkdtemp(prefix="coursekit-checkpoints-")
