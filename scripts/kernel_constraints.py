"""Genera binder/constraints-kernel.txt: las versiones del curso sin tocar las del servidor Jupyter.

En Binder (repo2docker) el servidor (JupyterLab, Notebook, jupyter_server, ipykernel, tornado...)
ya está instalado. Instalar el curso con constraints.txt entero cambiaría esas versiones y pip
avisaría de conflictos con el servidor. Este script resuelve, con ``pip install --dry-run``, qué
paquetes necesita ``coursekit[offline]`` y cuáles el servidor, y deja en el archivo las versiones
de constraints.txt solo de los que necesita el curso y no el servidor.

Uso (desde la raíz del repositorio; necesita PyPI)::

    python scripts/kernel_constraints.py > binder/constraints-kernel.txt
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_constraints import normalize, parse_pins

SERVER = ["notebook", "jupyterlab", "ipykernel", "jupyter-resource-usage"]


def resolved_names(*requirements: str, constraints: str | None = None) -> set[str]:
    """Nombres normalizados de todo lo que pip instalaría para ``requirements`` desde cero."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed"]
        command += ["--report", str(report), *requirements]
        if constraints:
            command += ["-c", constraints]
        subprocess.run(command, check=True)
        data = json.loads(report.read_text(encoding="utf-8"))
    return {normalize(item["metadata"]["name"]) for item in data["install"]}


def main() -> int:
    pins = parse_pins(Path("constraints.txt").read_text(encoding="utf-8"))
    course = resolved_names("torch==2.13.0", ".[offline]", constraints="constraints.txt")
    server = resolved_names(*SERVER)
    kernel = sorted((course - server - {"torch", "coursekit"}) & set(pins))
    print("# Versiones del curso para Binder que no tocan el servidor Jupyter de repo2docker.")
    print("# Generado por scripts/kernel_constraints.py a partir de constraints.txt; no se edita.")
    for name in kernel:
        print(f"{name}=={pins[name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
