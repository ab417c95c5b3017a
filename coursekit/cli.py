"""Línea de comandos del curso: ``coursekit <subcomando> ...``.

Para añadir un subcomando, escribe una función ``_configure_x(parser)`` que añada sus
argumentos, otra ``_run_x(args) -> int`` que devuelva el código de salida, y
regístralas en :data:`SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from coursekit.errors import CourseError, MissingPathError


@dataclass(frozen=True)
class Subcommand:
    """Un subcomando: texto de ayuda, cómo declarar sus argumentos y cómo ejecutarlo."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --- build-notebooks --------------------------------------------------------


def _configure_build_notebooks(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--solutions",
        default="solutions",
        metavar="DIR",
        help="carpeta con los notebooks de solución (por defecto: solutions)",
    )
    parser.add_argument(
        "--notebooks",
        default="notebooks",
        metavar="DIR",
        help="carpeta donde se escriben los notebooks del estudiante (por defecto: notebooks)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="no escribe nada; termina con código 1 si hay notebooks desactualizados",
    )


def _run_build_notebooks(args: argparse.Namespace) -> int:
    from coursekit.maintainer.notebook_builder import build_notebooks

    changed = build_notebooks(args.solutions, args.notebooks, check=args.check)
    if args.check:
        if changed:
            print(
                "Los notebooks del estudiante no están al día con las soluciones "
                f"({len(changed)} archivo(s)):"
            )
            for path in changed:
                print(f"  {path}")
            print(
                "Regenéralos con: coursekit build-notebooks "
                f"--solutions {args.solutions} --notebooks {args.notebooks}"
            )
            return 1
        print("Los notebooks del estudiante están al día.")
        return 0
    if changed:
        for path in changed:
            verb = "escrito" if path.exists() else "borrado"
            print(f"{verb}: {path}")
    else:
        print("Nada que hacer: los notebooks del estudiante ya estaban al día.")
    return 0


# --- strip-outputs ----------------------------------------------------------


def _configure_strip_outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks (.ipynb) a limpiar")


def _run_strip_outputs(args: argparse.Namespace) -> int:
    import nbformat

    from coursekit.maintainer.notebook_builder import strip_outputs

    paths = [Path(p) for p in args.paths]
    for path in paths:
        if not path.is_file():
            raise MissingPathError(f"No existe el notebook {str(path)!r}.")
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        except Exception as exc:
            raise CourseError(f"No se pudo leer el notebook {path}: {exc}") from exc
        stripped = strip_outputs(nb)
        if stripped != nb:
            with path.open("w", encoding="utf-8", newline="\n") as f:
                nbformat.write(stripped, f)
            print(f"salidas borradas: {path}")
        else:
            print(f"sin salidas: {path}")
    return 0


# --- run-labs -----------------------------------------------------------------


def _configure_run_labs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "labs",
        nargs="*",
        metavar="LAB",
        help="prefijos de los labs a ejecutar (por defecto, todos): 01 02_trainer",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="perfil: full, quick o ci (por defecto, COURSE_PROFILE o el del entorno)",
    )
    parser.add_argument(
        "--solutions",
        default="solutions",
        metavar="DIR",
        help="carpeta de los labs (por defecto: solutions)",
    )
    parser.add_argument(
        "--output",
        default="executed",
        metavar="DIR",
        help="dónde guardar las copias ejecutadas (por defecto: executed)",
    )
    parser.add_argument(
        "--timeout", type=int, default=1800, help="segundos máximos por celda (por defecto: 1800)"
    )


def _run_run_labs(args: argparse.Namespace) -> int:
    from coursekit.maintainer.lab_runner import run_labs

    results = run_labs(args.solutions, args.output, args.profile, args.labs or None, args.timeout)
    failed = [r["lab"] for r in results if r["status"] != "ok"]
    total = sum(r["seconds"] for r in results)
    print(
        f"{len(results) - len(failed)}/{len(results)} labs sin errores en {total:.0f} s; "
        f"copias ejecutadas en {args.output}/"
    )
    return 1 if failed else 0


# --- sync-release -------------------------------------------------------------


def _configure_sync_release(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--solutions", default="solutions", metavar="DIR", help="carpeta de las soluciones"
    )
    parser.add_argument(
        "--readme", default="README.md", metavar="FILE", help="README a poner al día"
    )


def _run_sync_release(args: argparse.Namespace) -> int:
    import nbformat

    from coursekit.maintainer.durations import lab_durations, sync_readme_durations
    from coursekit.maintainer.release import COURSE_TAG, sync_links, sync_notebook

    for path in sorted(Path(args.solutions).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        before = nbformat.writes(nb)
        sync_notebook(nb, path.name[:2])
        if nbformat.writes(nb) != before:
            with path.open("w", encoding="utf-8", newline="\n") as f:
                nbformat.write(nb, f)
            print(f"al día con {COURSE_TAG}: {path}")
    for other in (Path(args.readme), Path("environment.yml")):
        text = other.read_text(encoding="utf-8")
        if sync_links(text) != text:
            other.write_text(sync_links(text), encoding="utf-8")
            print(f"al día con {COURSE_TAG}: {other}")
    readme = Path(args.readme)
    text = readme.read_text(encoding="utf-8")
    synced = sync_readme_durations(text, lab_durations(args.solutions))
    if synced != text:
        readme.write_text(synced, encoding="utf-8")
        print(f"duraciones tomadas de las cabeceras de los labs: {readme}")
    print("Regenera los notebooks del estudiante: python -m coursekit build-notebooks")
    return 0


# --- grade --------------------------------------------------------------------


def _configure_grade(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "submissions", metavar="ENTREGAS", help="carpeta o zip de entregas (Moodle, Canvas o plano)"
    )
    parser.add_argument("--lab", required=True, help="número del lab que se corrige: 01, 02...")
    parser.add_argument(
        "--out", default="correccion", metavar="DIR", help="carpeta de resultados (correccion)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="entregas ejecutadas a la vez (por defecto: 2)"
    )
    parser.add_argument(
        "--tests",
        default=None,
        metavar="DIR",
        help="carpeta de pruebas ocultas (por defecto: grading/ del repositorio)",
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=120, help="segundos máximos por celda (120)"
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="segundos máximos por entrega (600)"
    )
    parser.add_argument(
        "--memory-mb", type=int, default=6144, help="memoria máxima por entrega en MB (6144)"
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="corregir SIN aislamiento, solo entregas de confianza (sin esta opción, si "
        "bubblewrap falta o no funciona, el corrector se niega y dice cómo arreglarlo)",
    )
    parser.add_argument(
        "--zip-encoding",
        default=None,
        metavar="COD",
        help="codificación de los nombres del zip sin marca UTF-8 (por defecto: UTF-8 si lo "
        "son y, si no, cp850, la de Windows en español; p. ej. cp437, cp1252)",
    )
    from coursekit.instructor.grading.commands import configure_grade_extras

    configure_grade_extras(parser)  # --solo y las opciones de después de corregir


def _run_grade(args: argparse.Namespace) -> int:
    from coursekit.instructor.grading.grader import grade_class
    from coursekit.instructor.grading.sandbox import Limits

    limits = Limits(
        cell_timeout=args.cell_timeout, total_timeout=args.timeout, memory_mb=args.memory_mb
    )
    from coursekit.instructor.grading import commands

    prepared = commands.before_grade(args)
    run = grade_class(
        args.submissions,
        args.lab,
        args.out,
        workers=args.workers,
        tests_dir=args.tests,
        limits=limits,
        sandbox=not args.no_sandbox,
        zip_encoding=args.zip_encoding,
        only=commands.only_ids(args),
    )
    commands.after_grade(args, run, limits, prepared)
    print(
        f"{len(run.grades)} entregas corregidas en {run.seconds:.0f} s. "
        f"Resultados en {run.out_dir}/: notas.csv, resumen.html, retroalimentacion/ y ejecutados/."
    )
    return 0


def _configure_rejudge(parser: argparse.ArgumentParser) -> None:
    from coursekit.instructor.grading.commands import configure_rejudge

    configure_rejudge(parser)


def _run_rejudge(args: argparse.Namespace) -> int:
    from coursekit.instructor.grading.commands import run_rejudge

    return run_rejudge(args)


def _configure_finish_grades(parser: argparse.ArgumentParser) -> None:
    from coursekit.instructor.grading.commands import configure_finish_grades

    configure_finish_grades(parser)


def _run_finish_grades(args: argparse.Namespace) -> int:
    from coursekit.instructor.grading.commands import run_finish_grades

    return run_finish_grades(args)


# --- bench --------------------------------------------------------------------


def _configure_bench(parser: argparse.ArgumentParser) -> None:
    from coursekit.instructor.bench.commands import configure

    configure(parser)


def _run_bench(args: argparse.Namespace) -> int:
    from coursekit.instructor.bench.commands import run

    return run(args)


# --- standin-hub --------------------------------------------------------------


def _configure_standin_hub(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--size",
        choices=("tiny", "full"),
        default="tiny",
        help="tiny: BERT de 2 capas y 2000 + 1000 filas (CI); full: la configuración de "
        "bert-base-cased y 650.000 + 50.000 filas (tiempo y memoria)",
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="carpeta que hará de HF_HOME (se crea)"
    )
    parser.add_argument("--train-rows", type=int, default=None, help="filas de train")
    parser.add_argument("--test-rows", type=int, default=None, help="filas de test")
    parser.add_argument("--seed", type=int, default=0, help="semilla (por defecto: 0)")


def _run_standin_hub(args: argparse.Namespace) -> int:
    from coursekit.maintainer.standin_hub import build_standin_hub

    build_standin_hub(args.out, args.size, args.seed, args.train_rows, args.test_rows)
    print(
        f"Uso: HF_HOME={args.out} HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 "
        "COURSE_PROFILE=full coursekit run-labs"
    )
    return 0


# --- registro -----------------------------------------------------------------

SUBCOMMANDS: dict[str, Subcommand] = {
    "build-notebooks": Subcommand(
        help="genera notebooks/ (versión del estudiante) a partir de solutions/",
        configure=_configure_build_notebooks,
        run=_run_build_notebooks,
    ),
    "strip-outputs": Subcommand(
        help="borra en el sitio las salidas y contadores de ejecución de notebooks",
        configure=_configure_strip_outputs,
        run=_run_strip_outputs,
    ),
    "run-labs": Subcommand(
        help="ejecuta los labs de solutions/ y guarda copias ejecutadas (fuera de git)",
        configure=_configure_run_labs,
        run=_run_run_labs,
    ),
    "sync-release": Subcommand(
        help="pone insignias, celdas de instalación y duraciones del README al día",
        configure=_configure_sync_release,
        run=_run_sync_release,
    ),
    "grade": Subcommand(
        help="corrige las entregas de un lab: notas.csv, retroalimentación y resumen.html",
        configure=_configure_grade,
        run=_run_grade,
    ),
    "rejudge": Subcommand(
        help="vuelve a juzgar una corrección con las sondas guardadas (sin ejecutar entregas)",
        configure=_configure_rejudge,
        run=_run_rejudge,
    ),
    "finish-grades": Subcommand(
        help="tras corregir: notas a mano, retrasos, revisar a mano, parecidos y archivos del LMS",
        configure=_configure_finish_grades,
        run=_run_finish_grades,
    ),
    "bench": Subcommand(
        help="benchmarks del curso: padding, methods, pooling o labs (tabla, JSON y gráfica)",
        configure=_configure_bench,
        run=_run_bench,
    ),
    "standin-hub": Subcommand(
        help="llena una caché de Hugging Face (HF_HOME) con un sustituto del modelo y los "
        "datos de full, para ejecutar los labs en full sin red",
        configure=_configure_standin_hub,
        run=_run_standin_hub,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """Construye el analizador de argumentos con todos los subcomandos registrados."""
    parser = argparse.ArgumentParser(
        prog="coursekit",
        description="Herramientas del curso de fine-tuning de modelos de lenguaje.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="SUBCOMANDO", required=True)
    for name, subcommand in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=subcommand.help, description=subcommand.help)
        subcommand.configure(sub)
        sub.set_defaults(_run=subcommand.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Punto de entrada de ``coursekit``. Devuelve el código de salida.

    Un :class:`CourseError` se muestra como ``Error: <mensaje>`` en stderr (código 2).
    """
    args = build_parser().parse_args(argv)
    args._argv = list(sys.argv[1:] if argv is None else argv)  # para guardar el comando
    try:
        return int(args._run(args) or 0)
    except CourseError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
