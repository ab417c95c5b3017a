"""Aislamiento de cada entrega con bubblewrap (``bwrap``) y límites de recursos.

Dentro del aislamiento la entrega ve: el sistema (``/usr``, ``/etc``) y el entorno de Python
en solo lectura, el paquete ``coursekit``, un ``/tmp`` y una carpeta de trabajo propios en
memoria (tmpfs con tamaño máximo), sin red, con su propio espacio de procesos y como un
usuario sin privilegios distinto por trabajador. No ve el repositorio (ni ``hidden_tests/``), ni
las demás entregas, ni la carpeta de resultados, ni el ``$HOME`` del instructor.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import coursekit

SANDBOX_WORKDIR = "/entrega"
SANDBOX_TMP = "/tmp"  # noqa: S108 - dentro del aislamiento: un tmpfs propio de cada entrega
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


PROC_SYS = Path("/proc/sys")  # se cambia en las pruebas para simular un núcleo bloqueado
INSTALL_BWRAP = "sudo apt-get install -y bubblewrap"
# Ajustes del núcleo que impiden a bwrap crear espacios de nombres sin root: (archivo bajo
# /proc/sys, valor que bloquea, quién lo pone, orden que lo arregla hasta reiniciar).
_BLOCKERS = (
    (
        "kernel/apparmor_restrict_unprivileged_userns",
        "1",
        "AppArmor (Ubuntu 24.04 y posteriores)",
        "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
    ),
    (
        "kernel/unprivileged_userns_clone",
        "0",
        "el núcleo (Debian antiguo)",
        "sudo sysctl -w kernel.unprivileged_userns_clone=1",
    ),
    (
        "user/max_user_namespaces",
        "0",
        "el núcleo (user.max_user_namespaces=0)",
        "sudo sysctl -w user.max_user_namespaces=15000",
    ),
)


@dataclass(frozen=True)
class SandboxCheck:
    """Si bwrap sirve aquí. ``problem``: ``""`` (sirve), ``"falta"`` o ``"bloqueado"``."""

    path: str | None
    problem: str = ""
    message: str = ""


def check_sandbox() -> SandboxCheck:
    """Prueba de verdad que bwrap crea un aislamiento como el de las entregas (``true`` dentro)
    y, si no, explica en español por qué y con qué orden se arregla."""
    path = shutil.which("bwrap")
    if not path:
        return SandboxCheck(
            None,
            "falta",
            "bubblewrap (bwrap) no está instalado, y sin él las entregas no se aíslan. "
            f"Instálalo con: {INSTALL_BWRAP} (Debian/Ubuntu; en Fedora: sudo dnf install "
            "bubblewrap). En macOS o Windows no existe: corrige en una máquina virtual Linux o "
            "en WSL2.",
        )
    try:
        probe = subprocess.run(  # noqa: S603 - ruta de bwrap hallada en PATH y argumentos fijos
            [path, *_PROBE_ARGS, "true"], capture_output=True, text=True, timeout=30
        )
        failed, detail = probe.returncode != 0, (probe.stderr or probe.stdout).strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        failed, detail = True, str(error)
    if not failed:
        return SandboxCheck(path)
    detail = detail.splitlines()[-1][:300] if detail else "sin mensaje"
    cause, fix = _blocker()
    return SandboxCheck(
        None,
        "bloqueado",
        f"bubblewrap está instalado ({path}) pero no puede crear el aislamiento: lo bloquea "
        f"{cause} (bwrap dijo: «{detail}»). Se arregla con: {fix}",
    )


_PROBE_ARGS = (
    "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", SANDBOX_TMP,
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--new-session",
    "--die-with-parent",
)  # fmt: skip


def _blocker() -> tuple[str, str]:
    """Qué ajuste del núcleo bloquea los espacios de nombres y la orden que lo cambia."""
    for name, blocking, cause, fix in _BLOCKERS:
        try:
            if (PROC_SYS / name).read_text().strip() == blocking:
                return cause, f"{fix} (hasta reiniciar; para siempre, en /etc/sysctl.d/)"
        except OSError:
            continue
    where = "ejecuta el corrector en una máquina (virtual) Linux donde bwrap funcione"
    return (
        "el sistema (¿un contenedor sin privilegios?)",
        where if os.getuid() == 0 else f"{where}, o como root (sin espacios de usuario)",
    )


def bwrap_path() -> str | None:
    """Ruta de ``bwrap`` si está instalado y funciona aquí; si no, ``None``."""
    return check_sandbox().path


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


def sandbox_environment(pythonpath: str | None, workdir: str = SANDBOX_WORKDIR) -> dict[str, str]:
    """Entorno limpio para la entrega: nada del instructor (ni tokens ni rutas). Sus carpetas
    (temporales, IPython, matplotlib, puntos de control) están todas bajo ``workdir``, propia
    de la entrega; en el aislamiento, ``/tmp`` también lo es."""
    tmp = SANDBOX_TMP if workdir == SANDBOX_WORKDIR else str(Path(workdir) / "tmp")
    env = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": tmp,
        "TMPDIR": tmp,
        "USER": "alumno",
        "LOGNAME": "alumno",
        "LANG": "C.UTF-8",
        "COURSE_PROFILE": "ci",
        "COURSE_CHECKPOINT_DIR": f"{workdir}/checkpoints",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLCONFIGDIR": f"{tmp}/matplotlib",
        "IPYTHONDIR": f"{tmp}/ipython",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter-runtime",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def private_workdir(uid: int | None) -> Path:
    """Carpeta propia de una entrega SIN aislamiento: trabajo, ``tmp/`` y ``checkpoints/``, y
    ``lib/coursekit`` (enlace al paquete) si el paquete no está instalado en el entorno, para
    que ``PYTHONPATH`` no exponga la raíz del repositorio (``hidden_tests/``). Permisos 0700; si
    el corrector es root, del usuario sin privilegios ``uid`` que ejecutará la entrega."""
    root = Path(tempfile.mkdtemp(prefix="coursekit-entrega-"))
    for name in ("tmp", "checkpoints", "lib"):
        (root / name).mkdir(mode=0o700)
    package = Path(coursekit.__file__).resolve().parent
    if not _package_in_environment(package):
        (root / "lib" / "coursekit").symlink_to(package, target_is_directory=True)
    if uid is not None:
        for path in (root, *root.rglob("*")):
            os.lchown(path, uid, uid)
    return root


def unprivileged_python_problem(uid: int) -> str:
    """``""`` si el usuario sin privilegios ``uid`` puede arrancar este Python con lo que
    necesita el corrector (sin aislamiento, como root); si no, la última línea del error (p. ej.
    un Python instalado bajo ``/root``, que solo root puede leer)."""
    workdir = private_workdir(uid)
    try:
        _, env = build_command(None, Limits(), workdir)
        code = "import ipykernel, nbclient, coursekit.instructor.grading.run_one"
        try:
            done = subprocess.run(  # noqa: S603 - este mismo Python con un código fijo
                [sys.executable, "-c", code],
                cwd=workdir,
                env=env,
                user=uid,
                group=uid,
                extra_groups=[],
                capture_output=True,
                text=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as error:  # p. ej. sin permiso para Python
            return f"{type(error).__name__}: {error}"[:300]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if done.returncode == 0:
        return ""
    return (done.stderr.strip().splitlines() or ["sin mensaje"])[-1][:300]


def _package_in_environment(package: Path) -> bool:
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    return any(package.is_relative_to(p) for p in prefixes)


def build_command(
    bwrap: str | None, limits: Limits, workdir: Path | None = None, uid: int | None = None
) -> tuple[list[str], dict[str, str]]:
    """Orden y entorno que lanzan ``run_one``: con bwrap si lo hay; si no, sin aislamiento y
    en ``workdir`` (de :func:`private_workdir`), que también es la carpeta de trabajo.

    ``uid``: el del trabajador dentro del aislamiento cuando el corrector no es root (bwrap lo
    pone en su espacio de usuarios: la entrega no se ve con el uid del instructor); como root,
    es ``run_one`` quien cambia de usuario."""
    runner = [sys.executable, "-m", "coursekit.instructor.grading.run_one"]
    if bwrap is None:
        if workdir is None:
            raise ValueError("sin aislamiento, cada entrega necesita su carpeta (workdir)")
        lib = workdir / "lib"
        pythonpath = str(lib) if (lib / "coursekit").exists() else None
        return runner, sandbox_environment(pythonpath, str(workdir))
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
        SANDBOX_TMP,
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
        *(["--unshare-user", "--uid", str(uid), "--gid", str(uid)] if uid is not None else []),
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
    command: list[str],
    env: dict[str, str],
    request: bytes,
    timeout: float,
    max_bytes: int,
    cwd: Path | None = None,
) -> Completed:
    """Ejecuta ``command`` con ``request`` en stdin; lo mata (a él y a su grupo) al pasar de
    ``timeout`` segundos o de ``max_bytes`` de salida: primero SIGTERM (``run_one`` mata
    entonces a todos sus descendientes, kernel incluido) y, si sigue vivo, SIGKILL."""
    process = subprocess.Popen(  # noqa: S603 - orden de build_command: bwrap o este Python
        command,
        cwd=cwd,
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
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace or 0.05)
            return
        except subprocess.TimeoutExpired:
            continue


UID_BLOCK = 100  # uids por corrector: 61000-61099 el primero, 61100-61199 el segundo...


def _uids_in_use(first: int, count: int) -> bool:
    import psutil

    for process in psutil.process_iter(["uids"]):
        uids = process.info["uids"]
        if uids and first <= uids.real < first + count:
            return True
    return False


@contextlib.contextmanager
def reserve_slots(workers: int, blocks: int = 40):
    """Primer número de trabajador de este corrector (el uid es ``BASE_UID`` + número), con
    un bloque de uids suyo mientras dure: dos correctores a la vez como root (p. ej. dos
    clases, o las pruebas y un CI en la misma máquina) no comparten uid, así que ni el
    RLIMIT_NPROC de uno cuenta los procesos del otro ni :func:`kill_user_processes` los mata.
    El bloque se reserva con un cerrojo (``flock``) que el sistema suelta si el proceso muere.
    Sin root, el uid solo existe dentro de bwrap: no hace falta reservar."""
    if workers > UID_BLOCK:
        raise ValueError(f"a lo sumo {UID_BLOCK} trabajadores")
    if os.getuid() != 0:
        yield 0
        return
    import fcntl

    for block in range(blocks):
        path = Path(tempfile.gettempdir()) / f"coursekit-uids-{BASE_UID + block * UID_BLOCK}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        if _uids_in_use(BASE_UID + block * UID_BLOCK, UID_BLOCK):  # alguien que no reserva
            os.close(fd)
            continue
        try:
            yield block * UID_BLOCK
        finally:
            os.close(fd)
        return
    raise RuntimeError(f"hay {blocks} correctores a la vez en esta máquina: no quedan uids")


def kill_user_processes(uid: int, wait: float = 60.0) -> int:
    """Mata los procesos que queden del usuario ``uid`` y espera (hasta ``wait`` s) a que no
    quede ninguno: los restos de una bomba de fork tardan en desaparecer y, mientras tanto,
    cuentan para el RLIMIT_NPROC de la siguiente entrega del mismo trabajador. Solo para el uid
    propio de un trabajador (corrector como root): nadie más lo usa."""
    import psutil

    if uid < BASE_UID:
        raise ValueError(f"uid {uid} no es de un trabajador del corrector")
    killed, deadline = 0, time.monotonic() + wait
    while True:
        found = 0
        for process in psutil.process_iter(["uids"]):
            try:
                if process.info["uids"] and process.info["uids"].real == uid:
                    process.kill()
                    found += 1
            except psutil.Error:
                continue
        killed += found
        if not found or time.monotonic() > deadline:
            return killed
        time.sleep(0.1)
