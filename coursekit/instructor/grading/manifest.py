"""``manifiesto.json``: qué produjo cada nota, para responder a una reclamación.

Guarda la versión de coursekit y su commit, la huella (sha256) de las pruebas ocultas, de cada
entrega y del entorno (paquetes instalados y versiones), los límites, si hubo aislamiento y
los tiempos. Con el mismo commit, las mismas pruebas y el mismo entorno, ``coursekit grade``
vuelve a dar la misma nota a la misma entrega.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import coursekit

MANIFEST_NAME = "manifiesto.json"


def sha256_file(path: str | Path) -> str:
    """sha256 de un archivo, por bloques."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def environment_lines() -> list[str]:
    """``nombre==versión`` de cada paquete instalado, ordenado (lo que daría ``pip freeze``)."""
    names = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            names.add(f"{name.lower()}=={dist.version}")
    return sorted(names)


def environment_hash() -> str:
    """sha256 de :func:`environment_lines` más la versión de Python."""
    text = "\n".join([f"python=={platform.python_version()}", *environment_lines()])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_commit(folder: str | Path | None = None) -> dict | None:
    """Commit del repositorio del curso (y si tiene cambios sin guardar), o ``None``."""
    folder = Path(folder) if folder else Path(coursekit.__file__).resolve().parents[1]
    try:
        head = subprocess.run(  # noqa: S603 - orden fija, sin datos de las entregas
            ["git", "-C", str(folder), "rev-parse", "HEAD"],  # noqa: S607 - git del PATH
            capture_output=True,
            text=True,
            timeout=10,
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(  # noqa: S603 - orden fija, sin datos de las entregas
            ["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {"commit": head.stdout.strip(), "con_cambios": bool(status.stdout.strip())}


def build_manifest(
    *,
    lab: str,
    tests_file: str | Path,
    submissions: list[dict],
    limits: object | None,
    isolated: bool,
    started: datetime,
    seconds: float,
    options: dict | None = None,
    source: str | Path | None = None,
    git: dict | None | str = "ahora",
) -> dict:
    """El manifiesto de una corrida. ``submissions``: una entrada por entrega con al menos
    ``id`` y ``archivo`` (ruta o ``None``); se añade su sha256. ``git``: el commit leído al
    empezar la corrida (por defecto se lee ahora)."""
    rows = []
    for entry in submissions:
        row = dict(entry)
        path = row.pop("archivo", None)
        row["sha256"] = sha256_file(path) if path and Path(path).is_file() else None
        rows.append(row)
    limits_dict = (
        dataclasses.asdict(limits)
        if dataclasses.is_dataclass(limits) and not isinstance(limits, type)
        else limits
    )
    return {
        "coursekit": coursekit.__version__,
        "git": git_commit() if git == "ahora" else git,
        "python": platform.python_version(),
        "entorno_sha256": environment_hash(),
        "lab": lab,
        "pruebas_ocultas": {"archivo": Path(tests_file).name, "sha256": sha256_file(tests_file)},
        "aislamiento": isolated,
        "limites": limits_dict,
        "inicio": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "segundos": round(seconds, 1),
        "opciones": options or {},
        "origen": source_digests(source) if source else None,
        "entregas": rows,
    }


def source_digests(source: str | Path) -> dict:
    """sha256 del zip (o de cada archivo de la carpeta) de entregas, y de cada notebook que
    contiene, por su ruta dentro del zip o de la carpeta."""
    import zipfile

    source = Path(source)
    files: dict[str, str] = {}
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as bundle:
            for member in bundle.infolist():
                if not member.is_dir() and member.filename.lower().endswith(".ipynb"):
                    files[member.filename] = hashlib.sha256(bundle.read(member)).hexdigest()
        return {"zip": source.name, "sha256": sha256_file(source), "notebooks": files}
    if source.is_file():
        return {"notebooks": {source.name: sha256_file(source)}}
    for path in sorted(source.rglob("*.ipynb")):
        files[str(path.relative_to(source))] = sha256_file(path)
    return {"carpeta": source.name, "notebooks": files}


def write_manifest(out_dir: str | Path, manifest: dict) -> Path:
    """Escribe ``manifiesto.json`` en ``out_dir``."""
    path = Path(out_dir) / MANIFEST_NAME
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


__all__ = [
    "MANIFEST_NAME",
    "build_manifest",
    "environment_hash",
    "git_commit",
    "sha256_file",
    "source_digests",
    "write_manifest",
]
