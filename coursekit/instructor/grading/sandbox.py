"""Aislamiento de cada entrega con bubblewrap (``bwrap``) y límites de recursos.

Dentro del aislamiento la entrega ve: el sistema (``/usr``, ``/etc``) y el entorno de Python
en solo lectura, el paquete ``coursekit``, un ``/tmp`` y una carpeta de trabajo propios en
memoria (tmpfs con tamaño máximo), sin red, con su propio espacio de procesos y como un
usuario sin privilegios distinto por trabajador. No ve el repositorio (ni ``hidden_tests/``), ni
las demás entregas, ni la carpeta de resultados, ni el ``$HOME`` del instructor.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import coursekit

SANDBOX_WORKDIR = "/entrega"
SANDBOX_PACKAGE_ROOT = "/opt/coursekit"
BASE_UID = 61000  # uid sin privilegios del trabajador 0 (61001 el 1...), cuando se corre como root


@dataclass(frozen=True)
class Limits:
    """Límites de una entrega. Los tiempos en segundos; el resto en MB o en número."""

    cell_timeout: int = 120
    total_timeout: int = 600
    probe_timeout: int = 60
    memory_mb: int = 6144
    file_mb: int = 512
    disk_mb: int = 2048
    nproc: int = 512
    nofile: int = 1024
    max_cell_output_kb: int = 512
    max_result_mb: int = 64


def bwrap_path() -> str | None:
    """Ruta de ``bwrap`` si está instalado y funciona aquí; si no, ``None``."""
    path = shutil.which("bwrap")
    if not path:
        return None
    probe = subprocess.run(
        [path, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
        capture_output=True,
        timeout=30,
    )
    return path if probe.returncode == 0 else None


def _system_mounts() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / top
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    if Path("/etc").is_dir():
        args += ["--ro-bind", "/etc", "/etc"]
    return args


def _bind(source: Path, destination: str, created: set[str]) -> list[str]:
    """``--ro-bind`` creando antes las carpetas intermedias con permisos 0755 (bwrap las
    crearía 0700 y el usuario sin privilegios no podría atravesarlas)."""
    args: list[str] = []
    for parent in reversed(Path(destination).parents):
        if str(parent) != "/" and str(parent) not in created:
            created.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return [*args, "--ro-bind", str(source), destination]


def _python_mounts() -> tuple[list[str], str | None]:
    """Monta Python, el entorno virtual y, si no está instalado en él, el paquete coursekit."""
    args: list[str] = []
    created: set[str] = set()
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    for prefix in sorted(prefixes):
        if not str(prefix).startswith("/usr/"):
            args += _bind(prefix, str(prefix), created)
    package = Path(coursekit.__file__).resolve().parent
    inside_env = any(package.is_relative_to(p.resolve()) for p in prefixes)
    if inside_env:
        return args, None
    args += _bind(package, f"{SANDBOX_PACKAGE_ROOT}/coursekit", created)
    return args, SANDBOX_PACKAGE_ROOT


def sandbox_environment(pythonpath: str | None) -> dict[str, str]:
    """Entorno limpio para la entrega: nada del instructor (ni tokens ni rutas)."""
    env = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "USER": "alumno",
        "LOGNAME": "alumno",
        "LANG": "C.UTF-8",
        "COURSE_PROFILE": "ci",
        "COURSE_CHECKPOINT_DIR": f"{SANDBOX_WORKDIR}/checkpoints",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def build_command(bwrap: str | None, limits: Limits) -> tuple[list[str], dict[str, str]]:
    """Orden y entorno que lanzan ``run_one``: con bwrap si lo hay; si no, sin aislamiento."""
    runner = [sys.executable, "-m", "coursekit.instructor.grading.run_one"]
    if bwrap is None:
        package_root = str(Path(coursekit.__file__).resolve().parents[1])
        return runner, sandbox_environment(package_root)
    python_args, pythonpath = _python_mounts()
    command = [
        bwrap,
        *_system_mounts(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
        str(512 * 1024**2),
        "--tmpfs",
        "/tmp",
        "--perms",
        "1777",
        "--size",
        str(limits.disk_mb * 1024**2),
        "--tmpfs",
        SANDBOX_WORKDIR,
        # Python y el curso después de los tmpfs: si el entorno o el clon están bajo /tmp (un
        # CI que clona en /tmp), montarlos antes los dejaría tapados por el /tmp vacío.
        *python_args,
        "--chdir",
        SANDBOX_WORKDIR,
        # Sin --unshare-all: como root, un espacio de usuarios nuevo no tendría el uid sin
        # privilegios al que run_one cambia; sin root, bwrap crea uno él solo.
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        *runner,
    ]
    return command, sandbox_environment(pythonpath)


@dataclass
class Completed:
    """Lo que devolvió el proceso aislado."""

    stdout: bytes
    returncode: int | None
    timed_out: bool
    too_much_output: bool
    stderr_tail: str


def run_sandboxed(
    command: list[str], env: dict[str, str], request: bytes, timeout: float, max_bytes: int
) -> Completed:
    """Ejecuta ``command`` con ``request`` en stdin; lo mata (a él y a su grupo) al pasar de
    ``timeout`` segundos o de ``max_bytes`` de salida."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    chunks: list[bytes] = []
    state = {"size": 0, "too_much": False}
    stderr_tail: list[bytes] = []

    def read_stdout() -> None:
        while True:
            chunk = process.stdout.read(1 << 16)
            if not chunk:
                return
            state["size"] += len(chunk)
            if state["size"] > max_bytes:
                state["too_much"] = True
                _kill(process)
                return
            chunks.append(chunk)

    def read_stderr() -> None:
        for line in process.stderr:
            stderr_tail.append(line[-500:])
            del stderr_tail[:-20]

    readers = [threading.Thread(target=f, daemon=True) for f in (read_stdout, read_stderr)]
    for reader in readers:
        reader.start()
    try:
        process.stdin.write(request)
        process.stdin.close()
    except BrokenPipeError:
        pass
    timed_out = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(process)
        process.wait()
    for reader in readers:
        reader.join(timeout=10)
    return Completed(
        stdout=b"".join(chunks),
        returncode=process.returncode,
        timed_out=timed_out,
        too_much_output=state["too_much"],
        stderr_tail=b"".join(stderr_tail).decode("utf-8", "replace")[-2000:],
    )


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    time.sleep(0.05)
