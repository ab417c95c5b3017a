"""La primera celda: qué extras instala cada lab y cuándo pide reiniciar el entorno."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from coursekit import install
from coursekit.install import (
    RestartRequired,
    extra_requirements,
    install_missing,
    missing_requirements,
    required_extras,
    stale_modules,
)

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requires() -> list[str]:
    """Los requisitos de pyproject.toml como los escribe pip en los metadatos instalados."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra, reqs in project["optional-dependencies"].items():
        lines += [f'{req}; extra == "{extra}"' for req in reqs]
    return lines


@pytest.mark.parametrize(
    ("lab", "profile", "expected"),
    [
        ("01", "ci", ("offline",)),
        ("03", "quick", ("offline", "keras")),
        ("02", "full", ()),
        ("3", "full", ("keras",)),
    ],
)
def test_required_extras_follow_lab_and_profile(lab, profile, expected):
    assert required_extras(lab, profile) == expected


def test_keras_extra_only_for_lab_03():
    keras = extra_requirements(["keras"], _pyproject_requires())
    from packaging.requirements import Requirement

    names = {Requirement(r).name for r in keras}
    assert names >= {"tensorflow", "tensorflow-text", "keras", "keras-hub", "safetensors"}
    core = [r for r in _pyproject_requires() if "extra ==" not in r]
    assert not any(r.startswith(("tensorflow", "keras", "jupyterlab")) for r in core)
    assert "ipywidgets>=7.6" in core  # Colab trae 7.7.1: se queda


def test_missing_requirements_checks_installed_versions():
    versions = {"keras-hub": "0.26.0", "tensorflow": "2.20.0"}
    reqs = ["keras-hub>=0.26,<1", "tensorflow>=2.21", "sentencepiece>=0.2"]
    assert missing_requirements(reqs, versions.get) == ["tensorflow>=2.21", "sentencepiece>=0.2"]


def test_stale_modules_only_for_changed_and_loaded_packages():
    before = {"numpy": "2.1.3", "keras-hub": "0.26.0", "pandas": "2.2.3"}
    after = {"numpy": "2.4.6", "keras-hub": "0.32.0", "pandas": "2.2.3"}
    modules = ["numpy", "numpy.linalg", "pandas"]  # keras_hub no está cargado
    dists = {"numpy": ["numpy"], "keras_hub": ["keras-hub"], "pandas": ["pandas"]}
    assert stale_modules(before, after, modules, dists) == [("numpy", "2.1.3", "2.4.6")]
    assert stale_modules(before, before, modules, dists) == []


def test_install_missing_installs_only_what_is_missing(monkeypatch):
    calls = []
    requires = ['paquete-que-no-existe>=1; extra == "keras"', 'pytest>=1; extra == "keras"']
    assert install_missing("03", "full", installer=calls.append, requires=requires) == [
        "paquete-que-no-existe>=1"
    ]
    assert calls == [["paquete-que-no-existe>=1"]]
    calls.clear()
    assert install_missing("02", "full", installer=calls.append, requires=requires) == []
    assert calls == []


def test_install_missing_asks_to_restart_in_spanish(monkeypatch):
    snapshots = iter([{"pytest": "8.0.0"}, {"pytest": "9.0.0"}])
    monkeypatch.setattr(install, "installed_versions", lambda: next(snapshots))
    requires = ['paquete-que-no-existe>=1; extra == "keras"']
    with pytest.raises(RestartRequired, match="Reiniciar sesión.*vuelve a ejecutar esta celda"):
        install_missing("03", "full", installer=lambda reqs: None, requires=requires)


def test_pip_install_uses_the_magic_inside_ipython(monkeypatch):
    class FakeShell:
        def __init__(self):
            self.calls = []

        def run_line_magic(self, name, line):
            self.calls.append((name, line))

    shell = FakeShell()
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    install._pip_install(["keras-hub>=0.26,<1"])
    assert shell.calls == [("pip", "install -q 'keras-hub>=0.26,<1'")]
