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
