"""Insignias, celda de instalación y metadatos de Colab: todo sale de
``coursekit.maintainer.release``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomllib

from coursekit import __version__
from coursekit.maintainer.release import (
    COLAB_METADATA,
    COURSE_REPO,
    COURSE_TAG,
    badge_urls,
    install_cell_source,
    install_spec,
    sync_links,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
STUDENT = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_tag_is_the_package_version():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # La versión vive solo en coursekit/__init__.py; pyproject.toml la lee de ahí.
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "coursekit.__version__"
    }
    assert COURSE_TAG == f"v{__version__}"
    assert install_spec(["keras"]) == (
        f"coursekit[keras] @ git+https://github.com/{COURSE_REPO}@{COURSE_TAG}"
    )


@pytest.mark.parametrize("path", SOLUTIONS + STUDENT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_header_install_cell_and_colab_metadata(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    header = _source(nb["cells"][0])
    urls = badge_urls(f"notebooks/{path.name}")
    assert urls["colab"] in header and urls["studiolab"] in header
    assert sync_links(header) == header  # ningún enlace con otro repositorio o etiqueta
    assert _source(nb["cells"][2]) == install_cell_source(path.name[:2])
    assert f'%pip install -q "{install_spec()}"' in _source(nb["cells"][2])
    for key, value in COLAB_METADATA.items():
        assert nb["metadata"][key] == value


def test_readme_badges_use_the_release():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sync_links(readme) == readme
    for path in SOLUTIONS:
        for url in badge_urls(f"notebooks/{path.name}").values():
            assert url in readme


def test_studio_lab_environment_installs_the_release():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert f'"{install_spec(["offline"])}"' in text
    assert sync_links(text) == text


def test_sync_links_rewrites_old_placeholders():
    old = (
        "[x](https://colab.research.google.com/github/otro/repo/blob/main/notebooks/01_a.ipynb) "
        "[y](https://mybinder.org/v2/gh/otro/repo/main?labpath=notebooks%2F01_a.ipynb) "
        '"coursekit @ git+https://github.com/otro/repo"'
    )
    new = sync_links(old)
    assert badge_urls("notebooks/01_a.ipynb")["colab"] in new
    assert badge_urls("notebooks/01_a.ipynb")["binder"] in new
    assert f'"coursekit @ git+https://github.com/{COURSE_REPO}@{COURSE_TAG}"' in new
    assert "otro/repo" not in new


def test_student_notebooks_keep_colab_metadata(tmp_path):
    from coursekit.maintainer.notebook_builder import build_notebooks

    build_notebooks(ROOT / "solutions", tmp_path)
    for path in sorted(tmp_path.glob("*.ipynb")):
        metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
        assert metadata["accelerator"] == "GPU"
        assert metadata["colab"]["gpuType"] == "T4"


def test_install_cell_is_valid_ipython_with_the_pip_magic():
    """La celda se ejecuta antes de que exista coursekit: IPython convierte el ``%pip`` indentado
    en una llamada a la magia (la que hace que Colab avise de reiniciar) y el resto compila."""
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(install_cell_source("03"))
    compile(python, "celda", "exec")
    assert f"run_line_magic('pip', 'install -q \"{install_spec()}\"')" in python
