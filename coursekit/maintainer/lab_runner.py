"""Ejecuta los labs de ``solutions/`` y guarda copias ejecutadas (con salidas) fuera de git."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError, MissingPathError
from coursekit.maintainer.kernel_start import call_with_start_retries
from coursekit.profiles import PROFILE_ENV_VAR, get_profile


def find_labs(
    solutions_dir: str | Path = "solutions", names: list[str] | None = None
) -> list[Path]:
    """Notebooks de ``solutions_dir`` en orden; ``names`` filtra por prefijo (``01``, ``02``)."""
    folder = Path(solutions_dir)
    if not folder.is_dir():
        raise MissingPathError(f"No existe la carpeta de labs {str(folder)!r}.")
    labs = sorted(folder.glob("*.ipynb"))
    if names:
        chosen = [lab for lab in labs if any(lab.stem.startswith(n) for n in names)]
        missing = [n for n in names if not any(lab.stem.startswith(n) for lab in labs)]
        if missing:
            raise CourseError(
                f"No hay labs que empiecen por {', '.join(missing)}. "
                f"Labs disponibles: {', '.join(lab.stem for lab in labs)}."
            )
        labs = chosen
    if not labs:
        raise CourseError(f"No hay notebooks en {str(folder)!r}.")
    return labs


def kernel_environment(profile_name: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Entorno para el kernel de un lab: el de ``base`` (por defecto, el de este proceso) con
    ``COURSE_PROFILE`` fijado y sin ``MPLBACKEND=Agg`` (con él el kernel no usaría el backend
    *inline* y las copias ejecutadas no tendrían gráficas). No modifica ``os.environ``."""
    env = dict(os.environ if base is None else base)
    env[PROFILE_ENV_VAR] = profile_name
    if env.get("MPLBACKEND", "").lower() == "agg":
        del env["MPLBACKEND"]
    return env


def execute_lab(
    lab: str | Path,
    kernel_env: dict[str, str],
    timeout: int = 1800,
    on_kernel_start: Callable[[Any], None] | None = None,
    extra_cells: list[str] | None = None,
) -> dict[str, Any]:
    """Ejecuta un notebook con nbclient en un kernel con el entorno ``kernel_env``.

    ``on_kernel_start(client)`` se llama con el kernel ya arrancado (p. ej. para medir su
    memoria con ``client.km.provisioner.process.pid``). ``extra_cells`` son celdas de código que
    se ejecutan al final y se quitan de la copia devuelta; sus salidas van en
    ``extra_outputs``. Un error de celda no se propaga: queda en ``status`` y ``detail``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError
    from nbformat.v4 import new_code_cell

    lab = Path(lab)
    notebook = nbformat.read(lab, as_version=4)
    original_cells = len(notebook.cells)
    notebook.cells.extend(new_code_cell(source) for source in extra_cells or [])

    def execute(_attempt: int) -> None:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(lab.parent)}},
        )
        if on_kernel_start is not None:
            client.on_notebook_start = lambda notebook: on_kernel_start(client)
        client.execute(env=kernel_env)  # el entorno del kernel, no el de este proceso

    start = time.perf_counter()
    status, detail = "ok", ""
    try:
        # Un kernel que muere al arrancar (ninguna celda ejecutada) se arranca otra vez.
        call_with_start_retries(execute)
    except CellExecutionError as error:
        status, detail = "error", str(error).strip().splitlines()[-1][:300]
    except DeadKernelError as error:
        status, detail = "kernel muerto", str(error).strip().splitlines()[-1][:300]
    seconds = time.perf_counter() - start
    extra_outputs = [cell.get("outputs", []) for cell in notebook.cells[original_cells:]]
    del notebook.cells[original_cells:]
    return {
        "notebook": notebook,
        "status": status,
        "detail": detail,
        "seconds": seconds,
        "extra_outputs": extra_outputs,
    }


def run_labs(
    solutions_dir: str | Path = "solutions",
    output_dir: str | Path = "executed",
    profile: str | None = None,
    names: list[str] | None = None,
    timeout: int = 1800,
) -> list[dict]:
    """Ejecuta cada lab con el perfil dado y escribe ``output_dir/<perfil>/<lab>.ipynb``.

    Devuelve (y guarda en ``timings.json``) el tiempo y el estado de cada lab. Un lab que
    falla no detiene los siguientes.
    """
    import nbformat

    profile_name = get_profile(profile).name
    kernel_env = kernel_environment(profile_name)
    target = Path(output_dir) / profile_name
    target.mkdir(parents=True, exist_ok=True)
    results = []
    for lab in find_labs(solutions_dir, names):
        print(f"▶ {lab.name} (perfil «{profile_name}»)...", flush=True)
        run = execute_lab(lab, kernel_env, timeout)
        nbformat.write(run["notebook"], target / lab.name)
        results.append(
            {
                "lab": lab.stem,
                "profile": profile_name,
                "status": run["status"],
                "seconds": round(run["seconds"], 1),
                "detail": run["detail"],
            }
        )
        mark = "✅" if run["status"] == "ok" else "❌"
        print(f"{mark} {lab.name}: {run['seconds']:.0f} s {run['detail']}", flush=True)
    (target / "timings.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results
