"""``coursekit bench labs``: tiempo y memoria pico de ejecutar cada lab en un perfil.

Cada notebook se ejecuta con la misma función que ``coursekit run-labs``
(:func:`coursekit.maintainer.lab_runner.execute_lab`). Mientras corre, un hilo suma cada
``interval`` segundos la memoria residente (RSS) del kernel y de sus procesos hijos y guarda
el máximo. Una última celda añadida (y quitada de la copia) imprime
``torch.cuda.max_memory_allocated()`` cuando hay GPU. Con ``memory_limit`` el kernel corre dentro
de un cgroup con ese límite (como los 2 GB de Binder): si lo supera, el sistema lo mata y el lab
queda como «sin memoria».
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

#: Marca de la línea que imprime la celda añadida al final de cada lab.
CUDA_MARK = "COURSEKIT_CUDA_PEAK_BYTES"
#: La de TensorFlow (lab 03), que reserva su memoria de GPU aparte de PyTorch.
TF_MARK = "COURSEKIT_TF_PEAK_BYTES"
CUDA_PEAK_CELL = f"""import sys as _sys
_torch = _sys.modules.get("torch")
_cuda = _torch is not None and _torch.cuda.is_available()
print("{CUDA_MARK}", _torch.cuda.max_memory_allocated() if _cuda else -1)
_tf = _sys.modules.get("tensorflow")
if _tf is not None and _tf.config.list_physical_devices("GPU"):
    print("{TF_MARK}", _tf.config.experimental.get_memory_info("GPU:0")["peak"])"""
#: Límite de memoria de mybinder.org.
BINDER_LIMIT_MB = 2048
ROW_KEYS = ("lab", "perfil", "estado", "segundos", "rss_pico_MB", "cuda_pico_MB", "detalle")


def parse_memory_size(text: str) -> int:
    """Bytes de un tamaño como ``2G``, ``1536M`` o ``500000000``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGkmg]?)i?[Bb]?\s*", str(text))
    if not match:
        raise CourseError(
            f"Tamaño de memoria no válido: {text!r}. Usa, por ejemplo, 2G, 1536M o 2000000000."
        )
    number, unit = float(match.group(1)), match.group(2).upper()
    size = int(number * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[unit])
    if size <= 0:
        raise CourseError(f"El límite de memoria debe ser positivo; es {text!r}.")
    return size


def process_tree_rss(pid: int) -> int:
    """RSS en bytes de un proceso más la de todos sus descendientes (0 si ya no existe).

    Las páginas compartidas entre procesos cuentan una vez por proceso: es una cota superior.
    """
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


class TreeMemorySampler:
    """Muestrea en un hilo la RSS de un árbol de procesos y guarda el máximo (bytes)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pid: int) -> None:
        def sample() -> None:
            while not self._stop.is_set():
                self.peak = max(self.peak, process_tree_rss(pid))
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak


def kernel_pid(client: Any) -> int:
    """PID del kernel que ha arrancado un ``NotebookClient`` (proveedor local de Jupyter)."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    if process is None:
        raise CourseError("No se pudo leer el PID del kernel: ¿es un kernel remoto?")
    return int(process.pid)


def _own_cgroup(controller_line: Callable[[str], bool]) -> str | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and controller_line(parts[1]):
            return parts[2]
    return None


class MemoryCgroup:
    """Un cgroup con límite de memoria (v2 ``memory.max`` o v1 ``memory.limit_in_bytes``),
    creado como hijo del cgroup de este proceso. Sin swap, para que superar el límite mate al
    proceso como en Binder en lugar de hacerlo más lento."""

    def __init__(self, limit_bytes: int, name: str) -> None:
        self.limit_bytes = limit_bytes
        self.path: Path | None = None
        self.version = 0
        v2_root = Path("/sys/fs/cgroup")
        v1_root = Path("/sys/fs/cgroup/memory")
        own_v1 = _own_cgroup(lambda controllers: "memory" in controllers.split(","))
        own_v2 = _own_cgroup(lambda controllers: controllers == "")
        if (v2_root / "cgroup.controllers").is_file() and own_v2 is not None:
            self.version, parent = 2, v2_root / own_v2.lstrip("/")
        elif v1_root.is_dir() and own_v1 is not None:
            self.version, parent = 1, v1_root / own_v1.lstrip("/")
        else:
            raise CourseError(
                "No hay un controlador de memoria de cgroups en /sys/fs/cgroup: no se puede "
                "limitar la memoria en esta máquina."
            )
        path = parent / name
        try:
            path.mkdir()
            self.path = path
            if self.version == 2:
                self._write("memory.max", str(limit_bytes))
                self._write("memory.swap.max", "0", optional=True)
            else:
                self._write("memory.limit_in_bytes", str(limit_bytes))
                self._write("memory.memsw.limit_in_bytes", str(limit_bytes), optional=True)
                self._write("memory.move_charge_at_immigrate", "3", optional=True)
        except OSError as error:
            self.remove()
            raise CourseError(
                f"No se pudo crear un cgroup con límite de memoria en {parent} ({error}). "
                "Hace falta cgroups con permiso de escritura (p. ej. como root, o "
                "`systemd-run --user --scope -p MemoryMax=2G coursekit bench labs`)."
            ) from error

    def _write(self, name: str, value: str, optional: bool = False) -> None:
        assert self.path is not None
        target = self.path / name
        if optional and not target.exists():
            return
        try:
            target.write_text(value)
        except OSError:
            if not optional:
                raise

    def _read(self, name: str) -> str | None:
        try:
            return (self.path / name).read_text() if self.path else None
        except OSError:
            return None

    def add(self, pid: int) -> None:
        """Mete el proceso ``pid`` (y los hijos que cree después) en el cgroup."""
        self._write("cgroup.procs", str(pid))

    def peak_bytes(self) -> int | None:
        """Pico de memoria del cgroup según el núcleo (``memory.peak`` o
        ``memory.max_usage_in_bytes``), si el sistema lo da."""
        text = self._read("memory.peak" if self.version == 2 else "memory.max_usage_in_bytes")
        return int(text) if text and text.strip().isdigit() else None

    def oom_killed(self) -> bool:
        """``True`` si el núcleo mató algún proceso del cgroup por superar el límite."""
        if self.version == 2:
            events = self._read("memory.events") or ""
            return any(
                line.split()[0] == "oom_kill" and int(line.split()[1]) > 0
                for line in events.splitlines()
                if len(line.split()) == 2
            )
        failures = (self._read("memory.failcnt") or "0").strip()
        control = self._read("memory.oom_control") or ""
        killed = re.search(r"oom_kill (\d+)", control)
        return bool(killed and int(killed.group(1)) > 0) or (
            failures.isdigit() and int(failures) > 0 and "under_oom 1" in control
        )

    def remove(self) -> None:
        """Borra el cgroup (los procesos ya han terminado)."""
        if self.path is not None:
            try:
                self.path.rmdir()
            except OSError:
                pass
            self.path = None


def cuda_peak_mb(extra_outputs: Sequence[list], mark: str = CUDA_MARK) -> float | None:
    """MB de ``max_memory_allocated`` que imprimió la celda añadida, o ``None`` sin GPU
    (con ``mark=TF_MARK``, el pico de TensorFlow, si el lab lo usó en una GPU)."""
    for outputs in extra_outputs:
        for output in outputs:
            for line in str(output.get("text", "")).splitlines():
                if line.startswith(mark):
                    value = int(line.split()[1])
                    return None if value < 0 else value / 2**20
    return None


def measure_lab(
    lab: str | Path,
    profile_name: str,
    timeout: int = 1800,
    memory_limit: int | None = None,
    interval: float = 0.25,
    executed_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Ejecuta un lab y devuelve su fila: estado, segundos, RSS pico del kernel y sus hijos,
    pico CUDA y, con ``memory_limit``, el pico del cgroup y si se superó el límite."""
    import nbformat

    from coursekit.maintainer.lab_runner import execute_lab, kernel_environment

    lab = Path(lab)
    sampler = TreeMemorySampler(interval)
    cgroup = (
        MemoryCgroup(memory_limit, f"coursekit-bench-{os.getpid()}-{lab.stem}")
        if memory_limit
        else None
    )

    def on_kernel_start(client: Any) -> None:
        pid = kernel_pid(client)
        if cgroup is not None:
            cgroup.add(pid)
        sampler.start(pid)

    try:
        run = execute_lab(
            lab,
            kernel_environment(profile_name),
            timeout,
            on_kernel_start=on_kernel_start,
            extra_cells=[CUDA_PEAK_CELL],
        )
    finally:
        peak = sampler.stop()
    row: dict[str, Any] = {
        "lab": lab.stem,
        "perfil": profile_name,
        "estado": run["status"],
        "segundos": run["seconds"],
        "rss_pico_MB": peak / 2**20,
        "cuda_pico_MB": cuda_peak_mb(run["extra_outputs"]),
        "tf_pico_MB": cuda_peak_mb(run["extra_outputs"], TF_MARK),
        "detalle": run["detail"],
    }
    if cgroup is not None:
        cgroup_peak = cgroup.peak_bytes()
        row["límite_MB"] = memory_limit / 2**20
        row["cgroup_pico_MB"] = None if cgroup_peak is None else cgroup_peak / 2**20
        if cgroup.oom_killed():
            row["estado"] = "sin memoria"
        cgroup.remove()
    if executed_dir is not None:
        folder = Path(executed_dir)
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(run["notebook"], folder / lab.name)
    return row


def check_memory_limit_supported(limit_bytes: int) -> str | None:
    """Prueba a crear (y borra) un cgroup con el límite. Devuelve ``None`` si funciona o el
    mensaje en español que explica por qué no."""
    try:
        MemoryCgroup(limit_bytes, f"coursekit-bench-{os.getpid()}-prueba").remove()
    except CourseError as error:
        return str(error)
    return None


def run_labs_benchmark(
    profile_name: str,
    solutions_dir: str | Path = "solutions",
    names: Sequence[str] | None = None,
    timeout: int = 1800,
    memory_limit: int | None = None,
    executed_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Mide :func:`measure_lab` en cada lab (o en los que empiezan por ``names``)."""
    from coursekit.maintainer.lab_runner import find_labs

    rows = []
    for lab in find_labs(solutions_dir, list(names) if names else None):
        log(f"▶ {lab.name} (perfil «{profile_name}»)...")
        row = measure_lab(lab, profile_name, timeout, memory_limit, executed_dir=executed_dir)
        mark = "✅" if row["estado"] == "ok" else "❌"
        log(
            f"{mark} {lab.name}: {row['segundos']:.0f} s · RSS pico {row['rss_pico_MB']:.0f} MB "
            f"{row['detalle']}"
        )
        rows.append(row)
    return rows


TABLE_COLUMNS = (
    ("lab", "lab", "{}"),
    ("estado", "estado", "{}"),
    ("segundos", "tiempo (s)", "{:.0f}"),
    ("rss_pico_MB", "RSS pico del kernel (MB)", "{:.0f}"),
    ("cuda_pico_MB", "pico CUDA (MB)", "{:.0f}"),
)
LIMIT_COLUMNS = (
    ("cgroup_pico_MB", "pico del cgroup (MB)", "{:.0f}"),
    ("límite_MB", "límite (MB)", "{:.0f}"),
)


def headline(rows: Sequence[dict[str, Any]], limit_mb: float = BINDER_LIMIT_MB) -> str:
    """El lab de más memoria y cuántos caben en ``limit_mb`` (2 GB de Binder por defecto).

    Si las filas se midieron con un límite de verdad (``límite_MB``, un cgroup), cabe el lab que
    terminó sin que el sistema matara el kernel: la RSS sumada cuenta dos veces las páginas
    compartidas y puede pasar del límite aunque el lab quepa.
    """
    if not rows:
        raise CourseError("No se midió ningún lab.")
    biggest = max(rows, key=lambda row: row["rss_pico_MB"])
    total = sum(row["segundos"] for row in rows)
    largest = (
        f"el de más memoria, {biggest['lab']}, {biggest['rss_pico_MB']:.0f} MB "
        f"({biggest['rss_pico_MB'] / limit_mb:.2f} del límite)"
    )
    if all(row.get("límite_MB") for row in rows):
        fits = sum(row["estado"] == "ok" for row in rows)
        return (
            f"{fits}/{len(rows)} labs terminaron sin errores dentro de un cgroup de "
            f"{limit_mb:.0f} MB; {largest} de RSS sumada (cota superior); {total:.0f} s en total"
        )
    fits = sum(row["rss_pico_MB"] <= limit_mb and row["estado"] == "ok" for row in rows)
    return (
        f"{fits}/{len(rows)} labs sin errores y por debajo de {limit_mb:.0f} MB de RSS; "
        f"{largest}; {total:.0f} s en total"
    )


def plot_labs(rows: Sequence[dict[str, Any]], limit_mb: float = BINDER_LIMIT_MB):
    """Barras de RSS pico por lab con la línea del límite de Binder, y el tiempo encima."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(8, 4))
    labels = [row["lab"] for row in rows]
    bars = ax.bar(labels, [row["rss_pico_MB"] for row in rows], color="#4C72B0")
    ax.bar_label(bars, labels=[f"{row['segundos']:.0f} s" for row in rows])
    ax.axhline(limit_mb, color="#C44E52", linestyle="--", label=f"Binder ({limit_mb:.0f} MB)")
    ax.set_ylabel("RSS pico del kernel y sus hijos (MB)")
    ax.set_title(f"Memoria y tiempo por lab (perfil {rows[0]['perfil']})")
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend()
    figure.tight_layout()
    return figure
