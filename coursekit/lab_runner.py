"""Ejecuta los labs de ``solutions/`` y guarda copias ejecutadas (con salidas) fuera de git."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from coursekit.errors import CourseError, MissingPathError
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
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    profile_name = get_profile(profile).name
    kernel_env = kernel_environment(profile_name)
    target = Path(output_dir) / profile_name
    target.mkdir(parents=True, exist_ok=True)
    results = []
    for lab in find_labs(solutions_dir, names):
        notebook = nbformat.read(lab, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(lab.parent)}},
        )
        print(f"▶ {lab.name} (perfil «{profile_name}»)...", flush=True)
        start = time.perf_counter()
        status, detail = "ok", ""
        try:
            client.execute(env=kernel_env)  # el entorno del kernel, no el de este proceso
        except CellExecutionError as error:
            status, detail = "error", str(error).strip().splitlines()[-1][:300]
        seconds = time.perf_counter() - start
        nbformat.write(notebook, target / lab.name)
        results.append(
            {
                "lab": lab.stem,
                "profile": profile_name,
                "status": status,
                "seconds": round(seconds, 1),
                "detail": detail,
            }
        )
        mark = "✅" if status == "ok" else "❌"
        print(f"{mark} {lab.name}: {seconds:.0f} s {detail}", flush=True)
    (target / "timings.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return results
