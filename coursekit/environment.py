"""Detección del entorno: Colab, SageMaker Studio Lab, Binder, CI o local; GPU sí o no."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata

PLATFORM_LABELS = {
    "colab": "Google Colab",
    "studiolab": "SageMaker Studio Lab",
    "binder": "Binder",
    "ci": "CI",
    "local": "máquina local",
}


def detect_platform(environ: Mapping[str, str] | None = None, home: str | None = None) -> str:
    """Devuelve ``colab``, ``studiolab``, ``binder``, ``ci`` o ``local``.

    Se basa en variables de entorno que cada servicio define; ``environ`` y ``home``
    existen para poder probarla.
    """
    env = os.environ if environ is None else environ
    home = os.path.expanduser("~") if home is None else home
    if (
        "COLAB_RELEASE_TAG" in env
        or "COLAB_GPU" in env
        or (environ is None and "google.colab" in sys.modules)
    ):
        return "colab"
    if os.path.basename(home.rstrip("/")) == "studio-lab-user" or "STUDIO_LAB_ENV" in env:
        return "studiolab"
    if any(key.startswith("BINDER_") for key in env):
        return "binder"
    if env.get("CI", "").lower() in {"1", "true", "yes"} or "GITHUB_ACTIONS" in env:
        return "ci"
    return "local"


def gpu_available() -> bool:
    """``True`` si PyTorch ve una GPU CUDA (sin torch instalado, ``False``)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "no instalado"


@dataclass(frozen=True)
class Environment:
    """Dónde corre el notebook y con qué hardware."""

    platform: str
    has_gpu: bool
    gpu_name: str | None
    gpu_memory_gb: float | None
    bf16_supported: bool

    @property
    def device(self) -> str:
        """Dónde calcular con PyTorch: ``"cuda"`` con GPU, ``"cpu"`` sin ella
        (``model.to(env.device)``; ``Trainer`` lo decide solo)."""
        return "cuda" if self.has_gpu else "cpu"

    @property
    def platform_label(self) -> str:
        """Nombre legible de la plataforma."""
        return PLATFORM_LABELS.get(self.platform, self.platform)

    def summary(self, profile_name: str | None = None) -> str:
        """Una línea en español para la primera celda del notebook."""
        if self.has_gpu:
            memory = f", {self.gpu_memory_gb:.0f} GB" if self.gpu_memory_gb else ""
            gpu = f"GPU {self.gpu_name}{memory}"
        else:
            gpu = "sin GPU (se usará la CPU)"
        parts = [f"Entorno: {self.platform_label}", gpu]
        if profile_name:
            parts.append(f"perfil «{profile_name}»")
        parts.append(
            f"Python {platform.python_version()}, torch {_package_version('torch')}, "
            f"transformers {_package_version('transformers')}"
        )
        return " · ".join(parts)


def detect_environment() -> Environment:
    """Detecta plataforma y GPU (nombre, memoria y soporte de bf16)."""
    has_gpu = gpu_available()
    name = memory = None
    bf16 = False
    if has_gpu:
        import torch

        props = torch.cuda.get_device_properties(0)
        name, memory = props.name, props.total_memory / 1024**3
        bf16 = bool(torch.cuda.is_bf16_supported())
    return Environment(detect_platform(), has_gpu, name, memory, bf16)


def mixed_precision_flags(env: Environment | None = None, enabled: bool = True) -> dict[str, bool]:
    """Argumentos ``fp16``/``bf16`` para ``TrainingArguments`` según la GPU.

    bf16 si la GPU lo soporta (Ampere o posterior), fp16 en otras GPU, ninguno en CPU.
    """
    env = detect_environment() if env is None else env
    if not (enabled and env.has_gpu):
        return {"fp16": False, "bf16": False}
    if env.bf16_supported:
        return {"fp16": False, "bf16": True}
    return {"fp16": True, "bf16": False}


def _read_cgroup_bytes(path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # «max»: sin límite


def _inactive_file_bytes(stat_file) -> int:
    try:
        lines = stat_file.read_text().splitlines()
    except OSError:
        return 0
    values = dict(line.split()[:2] for line in lines if len(line.split()) >= 2)
    value = values.get("total_inactive_file", values.get("inactive_file", "0"))
    return int(value) if value.isdigit() else 0


def _own_cgroup_v1_memory_path(proc_cgroup: str = "/proc/self/cgroup") -> str:
    try:
        lines = open(proc_cgroup, encoding="utf-8").read().splitlines()
    except OSError:
        return ""
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and "memory" in parts[1].split(","):
            return parts[2].strip("/")
    return ""


def available_memory_gb(
    cgroup_root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup"
) -> float:
    """Memoria libre para este proceso en GB: la del sistema o, si un cgroup limita la del
    contenedor (Binder: 2 GB), lo que queda hasta ese límite, lo que sea menor.

    ``psutil`` ve la memoria de toda la máquina, no el límite del contenedor: por eso se leen
    también ``memory.max``/``memory.current`` (cgroup v2) o sus equivalentes de cgroup v1 (en el
    cgroup del proceso o en la raíz del montaje).
    """
    from pathlib import Path

    import psutil

    free = psutil.virtual_memory().available
    root = Path(cgroup_root)
    own_v1 = _own_cgroup_v1_memory_path(proc_cgroup)
    candidates = [(root / "memory.max", root / "memory.current")]
    for folder in ([root / "memory" / own_v1] if own_v1 else []) + [root / "memory"]:
        candidates.append((folder / "memory.limit_in_bytes", folder / "memory.usage_in_bytes"))
    for limit_file, usage_file in candidates:
        limit = _read_cgroup_bytes(limit_file)
        usage = _read_cgroup_bytes(usage_file)
        if limit is not None and usage is not None and limit < 2**60:
            # La caché de archivos inactiva cuenta en el uso, pero el kernel la libera antes de
            # quedarse sin memoria: no es memoria ocupada.
            usage -= _inactive_file_bytes(limit_file.parent / "memory.stat")
            free = min(free, max(limit - usage, 0))
            break
    return free / 1024**3
