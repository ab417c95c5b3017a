"""Genera constraints-colab.txt: las versiones del entorno de Google Colab para probar el curso.

Colab publica el ``pip freeze`` de su entorno en el repositorio googlecolab/backend-info. Este
script lo convierte en un archivo de restricciones de pip:

* las versiones de Colab de cada paquete (menos la familia de torch, que en CI se sustituye por
  la rueda de CPU ``torch==2.13.0``, y las entradas instaladas desde una URL);
* para los paquetes del curso que Colab no trae (p. ej. ``evaluate``, ``nbval``), la versión de
  constraints.txt, para que la instalación sea reproducible.

Uso (desde la raíz del repositorio; sin argumento descarga la lista actual de GitHub)::

    python scripts/colab_constraints.py [pip-freeze.txt] --date 2026-08-19 > constraints-colab.txt
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import urllib.request
from pathlib import Path

SOURCE_URL = "https://raw.githubusercontent.com/googlecolab/backend-info/main/pip-freeze.txt"
#: Paquetes que CI no toma de Colab: torch va aparte (rueda de CPU) y pip/setuptools son del venv.
SKIPPED = {
    "torch",
    "torchaudio",
    "torchvision",
    "torchcodec",
    "triton",
    "pip",
    "setuptools",
    "wheel",
}
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def normalize(name: str) -> str:
    """Nombre de paquete normalizado (PEP 503): minúsculas y ``-`` en lugar de ``_`` y ``.``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(text: str) -> dict[str, str]:
    """``{nombre normalizado: versión}`` de las líneas ``paquete==versión`` de un freeze."""
    pins = {}
    for line in text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[normalize(match.group(1))] = match.group(2)
    return pins


def build_constraints(colab_freeze: str, course_constraints: str, source: str, date: str) -> str:
    """Texto de constraints-colab.txt a partir del freeze de Colab y de constraints.txt."""
    all_colab = parse_pins(colab_freeze)
    colab = {k: v for k, v in all_colab.items() if k not in SKIPPED}
    torch_line = next((ln for ln in colab_freeze.splitlines() if ln.startswith("torch ")), "")
    torch_version = all_colab.get("torch") or re.sub(r".*/torch-([^-]+)-.*", r"\1", torch_line)
    course = {k: v for k, v in parse_pins(course_constraints).items() if k not in SKIPPED}
    lines = [
        "# Versiones del entorno de Google Colab, para probar el curso con ellas (CI, otro venv).",
        f"# Fuente: {source} (fecha: {date}).",
        "# Generado por scripts/colab_constraints.py; no se edita a mano. torch no está: CI usa",
        "# torch==2.13.0 de CPU en lugar del torch de Colab.",
        f"# torch de Colab: {torch_version.replace('%2B', '+')}",
        "",
        "# --- Versiones de Colab ---",
    ]
    lines += [f"{name}=={colab[name]}" for name in sorted(colab)]
    lines += ["", "# --- Paquetes del curso que Colab no trae: versiones de constraints.txt ---"]
    lines += [f"{name}=={course[name]}" for name in sorted(set(course) - set(colab))]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("freeze", nargs="?", help="pip-freeze.txt de Colab (por defecto, GitHub)")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    parser.add_argument("--course", default="constraints.txt")
    args = parser.parse_args(argv)
    if args.freeze:
        freeze, source = Path(args.freeze).read_text(encoding="utf-8"), SOURCE_URL
    else:
        with urllib.request.urlopen(SOURCE_URL, timeout=60) as response:
            freeze, source = response.read().decode("utf-8"), SOURCE_URL
    course = Path(args.course).read_text(encoding="utf-8")
    sys.stdout.write(build_constraints(freeze, course, source, args.date))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
