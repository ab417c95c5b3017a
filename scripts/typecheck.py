"""Comprobación de tipos de ``coursekit`` con una línea base que solo puede bajar.

Ejecuta mypy (configuración en ``[tool.mypy]`` de pyproject.toml), cuenta los errores de cada
archivo y los compara con ``mypy-baseline.json``:

- un archivo con **más** errores que los anotados (o uno nuevo con errores) hace fallar la
  comprobación y se imprimen sus errores: corrígelos;
- un archivo con **menos** errores no falla, pero pide bajar la línea base con
  ``python scripts/typecheck.py --update``, que solo acepta bajar (nunca sube un número).

Uso:  python scripts/typecheck.py [--update]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "mypy-baseline.json"
_ERROR = re.compile(r"^(?P<file>[^:\s]+\.pyi?):\d+(?::\d+)?: error: ")


def error_counts(mypy_output: str) -> tuple[Counter[str], dict[str, list[str]]]:
    """Errores por archivo (y sus líneas) en la salida de mypy."""
    counts: Counter[str] = Counter()
    lines: dict[str, list[str]] = {}
    for line in mypy_output.splitlines():
        match = _ERROR.match(line)
        if match:
            counts[match["file"]] += 1
            lines.setdefault(match["file"], []).append(line)
    return counts, lines


def compare(current: Counter[str], baseline: dict[str, int]) -> tuple[list[str], list[str]]:
    """Archivos que empeoran (más errores que la línea base) y que mejoran (menos)."""
    worse = sorted(f for f, n in current.items() if n > baseline.get(f, 0))
    better = sorted(f for f, n in baseline.items() if current.get(f, 0) < n)
    return worse, better


def run_mypy() -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode not in (0, 1):  # 2: mypy no pudo ni empezar (configuración...)
        sys.exit(f"mypy falló antes de comprobar nada:\n{completed.stdout}{completed.stderr}")
    return completed.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--update", action="store_true", help="baja la línea base a los errores de ahora"
    )
    args = parser.parse_args(argv)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.is_file() else {}
    current, lines = error_counts(run_mypy())
    worse, better = compare(current, baseline)
    total = sum(current.values())
    if worse:
        print("mypy: hay errores de tipos nuevos (más que en mypy-baseline.json):")
        for name in worse:
            print(f"\n{name}: {current[name]} (la línea base admite {baseline.get(name, 0)})")
            print("\n".join(lines[name]))
        return 1
    if args.update:  # sin errores nuevos, cada archivo tiene los mismos o menos: solo baja
        BASELINE.write_text(
            json.dumps(dict(sorted(current.items())), indent=2) + "\n",
            encoding="utf-8",
        )
        print(f"mypy: línea base actualizada ({total} errores).")
        return 0
    print(f"mypy: {total} errores, ninguno nuevo frente a mypy-baseline.json.")
    if better:
        print(
            f"Hay menos errores que en la línea base en {', '.join(better)}: bájala con "
            "«python scripts/typecheck.py --update» y guarda mypy-baseline.json."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
