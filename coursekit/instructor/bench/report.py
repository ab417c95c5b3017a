"""Lo común a los benchmarks: la máquina, tablas en Markdown y los archivos de resultados."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

#: Carpeta por defecto de los resultados (ignorada por git).
DEFAULT_OUTPUT_DIR = "bench-results"
#: Prefijo de la línea con la razón principal, siempre la última que imprime un benchmark.
HEADLINE_PREFIX = "Razón principal:"


def load_average() -> list[float] | None:
    """Carga media del sistema (1, 5 y 15 minutos), o ``None`` si el sistema no la da."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def machine_info() -> dict[str, Any]:
    """Descripción de la máquina para acompañar cada cifra: CPU, hilos, GPU y versiones."""
    import psutil
    import torch
    import transformers

    info: dict[str, Any] = {
        "fecha": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": platform.processor() or platform.machine(),
        "núcleos": os.cpu_count(),
        "memoria_GiB": round(psutil.virtual_memory().total / 2**30, 1),
        "hilos_torch": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "carga_media_inicio": load_average(),
    }
    return info


def describe_machine(info: dict[str, Any]) -> str:
    """Una línea legible con lo esencial de :func:`machine_info`."""
    gpu = info.get("gpu") or "sin GPU"
    load = info.get("carga_media_inicio")
    load_text = f" · carga media {load[0]:.2f}" if load else ""
    return (
        f"{info['cpu']} · {info['núcleos']} núcleos · {info['memoria_GiB']} GiB · {gpu} · "
        f"torch {info['torch']} ({info['hilos_torch']} hilos) · "
        f"transformers {info['transformers']}{load_text}"
    )


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, str]]) -> str:
    """Tabla en Markdown. ``columns`` son ``(clave, título, formato)``, p. ej.
    ``("segundos", "s/época", "{:.1f}")``; un valor ``None`` se deja en blanco."""
    if not columns:
        raise CourseError("markdown_table necesita al menos una columna.")
    lines = [
        "| " + " | ".join(title for _, title, _ in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            value = row.get(key)
            cells.append("" if value is None else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def output_paths(output_dir: str | os.PathLike, name: str, profile_name: str) -> dict[str, Path]:
    """Rutas del JSON y de la gráfica de un benchmark: ``<carpeta>/<nombre>-<perfil>.json/.png``."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{profile_name}"
    return {"json": folder / f"{stem}.json", "plot": folder / f"{stem}.png"}


def write_results(path: str | os.PathLike, results: dict[str, Any]) -> Path:
    """Escribe ``results`` en JSON (UTF-8, con acentos legibles) y añade la carga media final."""
    results = dict(results)
    results.setdefault("máquina", {})["carga_media_fin"] = load_average()
    path = Path(path)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def save_figure(figure: Any, path: str | os.PathLike) -> Path:
    """Guarda una figura de matplotlib y la cierra (los benchmarks no la muestran)."""
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return Path(path)
