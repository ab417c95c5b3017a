"""Dónde se publica el curso y qué versión instalan los notebooks: el único sitio que lo define.

Las insignias de Colab, Studio Lab y Binder (en el README y en cada lab) y la celda de
instalación de cada lab se generan con estas funciones; una prueba comprueba que coinciden.
Para publicar una versión: cambia la versión del paquete, crea la etiqueta ``v<versión>`` en
GitHub y ejecuta ``python -m coursekit sync-release`` (reescribe insignias y celdas).
"""

from __future__ import annotations

from urllib.parse import quote

from coursekit import __version__

#: Repositorio público del curso en GitHub (``propietario/nombre``).
COURSE_REPO = "curso-finetuning-es/curso-finetuning"
#: Etiqueta de la versión publicada que instalan y abren los notebooks.
COURSE_TAG = f"v{__version__}"
REPO_URL = f"https://github.com/{COURSE_REPO}"


def install_spec(extras: tuple[str, ...] | list[str] = ()) -> str:
    """Requisito de pip del curso fijado a la etiqueta, p. ej. ``coursekit @ git+...@v0.1.0``."""
    suffix = f"[{','.join(extras)}]" if extras else ""
    return f"coursekit{suffix} @ git+{REPO_URL}@{COURSE_TAG}"


def badge_urls(notebook: str) -> dict[str, str]:
    """Enlaces para abrir ``notebook`` (p. ej. ``notebooks/01_preparar_datos.ipynb``)."""
    blob = f"{COURSE_REPO}/blob/{COURSE_TAG}/{notebook}"
    return {
        "colab": f"https://colab.research.google.com/github/{blob}",
        "studiolab": f"https://studiolab.sagemaker.aws/import/github/{blob}",
        "binder": (
            f"https://mybinder.org/v2/gh/{COURSE_REPO}/{COURSE_TAG}"
            f"?labpath={quote(notebook, safe='')}"
        ),
    }


_BADGE_IMAGES = {
    "colab": ("Abrir en Colab", "https://colab.research.google.com/assets/colab-badge.svg"),
    "studiolab": ("Abrir en Studio Lab", "https://studiolab.sagemaker.aws/studiolab.svg"),
    "binder": ("Binder", "https://mybinder.org/badge_logo.svg"),
}


def badges_markdown(notebook: str, kinds: tuple[str, ...] = ("colab", "studiolab")) -> list[str]:
    """Una línea de Markdown por insignia (imagen enlazada) para abrir ``notebook``."""
    urls = badge_urls(notebook)
    return [f"[![{_BADGE_IMAGES[k][0]}]({_BADGE_IMAGES[k][1]})]({urls[k]})" for k in kinds]


# --- Insignias y celda de instalación de los notebooks -------------------------------------

_LINK_PATTERNS = {
    "colab": r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/"
    r"(notebooks/[\w.-]+\.ipynb)",
    "studiolab": r"https://studiolab\.sagemaker\.aws/import/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/"
    r"(notebooks/[\w.-]+\.ipynb)",
    "binder": r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+\?labpath=(notebooks%2F[\w.-]+\.ipynb)",
}

#: Metadatos de Colab: abrir el notebook pide un entorno con GPU (T4, la gratuita).
COLAB_METADATA = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}

INSTALL_CELL = """\
# Instala el curso (versión fijada) si falta, y lo que necesita este lab; detecta el entorno.
import importlib.util

if importlib.util.find_spec("coursekit") is None:
    %pip install -q "{spec}"

from coursekit.environment import detect_environment
from coursekit.install import install_missing
from coursekit.profiles import get_profile

install_missing("{lab}")  # modelo y datos sin Hub, Keras...; avisa si hay que reiniciar
env = detect_environment()
profile = get_profile()  # COURSE_PROFILE, o full con GPU y quick sin ella
print(env.summary(profile.name))
print(profile.description)"""


def sync_links(text: str) -> str:
    """Reescribe los enlaces de Colab, Studio Lab y Binder y los ``git+https://github.com/...``
    de ``text`` con el repositorio y la etiqueta actuales."""
    import re

    text = re.sub(
        r"git\+https://github\.com/[\w.-]+/[\w.-]+?(@[\w.-]+)?(?=[\"'\s\]]|$)",
        f"git+{REPO_URL}@{COURSE_TAG}",
        text,
    )
    for kind, pattern in _LINK_PATTERNS.items():
        text = re.sub(
            pattern, lambda m, k=kind: badge_urls(m.group(1).replace("%2F", "/"))[k], text
        )
    return text


def install_cell_source(lab: str) -> str:
    """Código de la celda de instalación del lab ``lab`` (``"01"``...)."""
    return INSTALL_CELL.format(spec=install_spec(), lab=lab)


def sync_notebook(nb: dict, lab: str) -> dict:
    """Pone al día insignias (celda 0), celda de instalación (celda 2) y metadatos de Colab."""
    header, install = nb["cells"][0], nb["cells"][2]
    header["source"] = sync_links("".join(header["source"])).splitlines(keepends=True)
    install["source"] = install_cell_source(lab).splitlines(keepends=True)
    nb["metadata"].update(COLAB_METADATA)
    return nb
