"""Subcomandos y opciones del corrector de después de corregir, fuera de
``coursekit/cli.py`` para que este solo los registre: opciones de ``finish-grades`` (también en
``grade``), manifiesto de cada corrida, ``rejudge`` y ``finish-grades``."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path


def configure_grade_extras(parser: argparse.ArgumentParser) -> None:
    """Lo que ``grade`` añade: ``--solo`` y las opciones de después de corregir."""
    parser.add_argument(
        "--solo",
        metavar="IDS",
        help="ejecuta solo estas entregas (ids separados por comas) y rehace la tabla de --out "
        "con las sondas guardadas de todas",
    )
    add_finish_options(parser)


def only_ids(args: argparse.Namespace) -> set[str] | None:
    """Los ids de ``--solo`` (o ``None``: todas)."""
    if not args.solo:
        return None
    return {item.strip() for item in args.solo.split(",") if item.strip()}


def before_grade(args: argparse.Namespace) -> dict:
    """Antes de ejecutar nada: valida las opciones (una fecha mal escrita falla ya, no tras
    horas de corrección) y anota la hora y el commit con los que se ejecutan las entregas."""
    from coursekit.instructor.grading.manifest import git_commit

    return {
        "options": finish_options(args, args.submissions),
        "started": datetime.now(timezone.utc),
        "commit": git_commit(),
    }


def after_grade(args: argparse.Namespace, run, limits, prepared: dict) -> None:
    """Tras ``grade_class``: ``manifiesto.json`` y las etapas de ``finish-grades``."""
    from coursekit.instructor.grading.finalize import finish

    write_run_manifest(args, run, limits, prepared["started"], prepared["commit"])
    finish(run.out_dir, run.tests.lab, prepared["options"])


def add_finish_options(parser: argparse.ArgumentParser) -> None:
    """Opciones de después de corregir (coursekit.instructor.grading.finalize)."""
    group = parser.add_argument_group("después de corregir (también con finish-grades)")
    group.add_argument(
        "--marcas-manuales", metavar="CSV", help="notas a mano: id;criterio;puntos;comentario"
    )
    group.add_argument("--fecha-limite", metavar="FECHA", help="fecha límite (2026-12-01 23:59)")
    group.add_argument(
        "--penalizacion-dia",
        type=float,
        default=10.0,
        metavar="PORCENTAJE",
        help="%% de los puntos máximos que se pierde por día de retraso (10)",
    )
    group.add_argument(
        "--penalizacion-max",
        type=float,
        default=100.0,
        metavar="PORCENTAJE",
        help="tope de la penalización en %% (100)",
    )
    group.add_argument("--prorrogas", metavar="CSV", help="prórrogas: id;nueva fecha límite")
    group.add_argument(
        "--horas-entrega", metavar="CSV", help="horas de entrega: id;fecha (si no, las del zip)"
    )
    group.add_argument(
        "--similitud",
        type=float,
        nargs="?",
        const=0.9,
        default=None,
        metavar="UMBRAL",
        help="lista las parejas de entregas parecidas (umbral 0..1, por defecto 0.9)",
    )
    group.add_argument(
        "--plantilla",
        metavar="IPYNB",
        help="notebook del estudiante del lab (por defecto: notebooks/NN_*.ipynb)",
    )
    group.add_argument(
        "--moodle-hoja",
        nargs="?",
        const="",
        default=None,
        metavar="HOJA",
        help="hoja de calificaciones de Moodle; con HOJA (la descargada de la tarea) la rellena",
    )
    group.add_argument(
        "--moodle-idioma",
        choices=("es", "en"),
        default="es",
        help="idioma de Moodle de quien sube la hoja (es)",
    )
    group.add_argument(
        "--moodle-zip", action="store_true", help="zip de archivos de retroalimentación para Moodle"
    )
    group.add_argument(
        "--canvas-tarea",
        metavar="TÍTULO",
        help="CSV para el libro de calificaciones de Canvas (título de la tarea)",
    )
    group.add_argument(
        "--canvas-id", metavar="N", help="número de la tarea en Canvas (de su dirección)"
    )
    group.add_argument(
        "--lms-escala",
        type=float,
        default=None,
        metavar="N",
        help="lleva la nota a la escala de la tarea en el LMS (p. ej. 10 o 100)",
    )


def finish_options(args: argparse.Namespace, source=None):
    from coursekit.instructor.grading.finalize import FinishOptions
    from coursekit.instructor.grading.late import LatePolicy, parse_datetime

    late = None
    if args.fecha_limite:
        late = LatePolicy(
            parse_datetime(args.fecha_limite), args.penalizacion_dia, args.penalizacion_max
        )
    return FinishOptions(
        source=source,
        manual_csv=args.marcas_manuales,
        late=late,
        extensions_csv=args.prorrogas,
        times_csv=args.horas_entrega,
        similarity=args.similitud,
        template=args.plantilla,
        moodle_sheet=args.moodle_hoja is not None,
        moodle_template=args.moodle_hoja or None,
        moodle_language=args.moodle_idioma,
        moodle_zip=args.moodle_zip,
        canvas_assignment=args.canvas_tarea,
        canvas_id=args.canvas_id,
        lms_scale=args.lms_escala,
        tests_dir=args.tests,
    )


def write_run_manifest(args, run, limits, started, commit) -> None:
    from coursekit.instructor.grading.grader import NO_SANDBOX_WARNING
    from coursekit.instructor.grading.hidden import default_tests_dir
    from coursekit.instructor.grading.manifest import build_manifest, write_manifest

    tests_dir = Path(args.tests) if args.tests else default_tests_dir()
    entries = [
        {
            "id": g.result.submission.student_id,
            "archivo_original": g.result.submission.original_name,
            "estado": g.result.status,
            "puntos": g.total,
            "segundos": round(g.result.seconds, 1),
        }
        for g in run.grades
    ]
    manifest = build_manifest(
        lab=run.tests.lab,
        tests_file=tests_dir / f"lab{run.tests.lab}.py",
        submissions=entries,
        limits=limits,
        isolated=not args.no_sandbox and NO_SANDBOX_WARNING not in run.warnings,
        started=started,
        seconds=run.seconds,
        options={"workers": args.workers},
        source=args.submissions,
        git=commit,
    )
    write_manifest(run.out_dir, manifest)


def configure_rejudge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("correccion", metavar="CORRECCION", help="carpeta --out de coursekit grade")
    parser.add_argument("--lab", required=True, help="número del lab corregido: 01, 02...")
    parser.add_argument("--entregas", metavar="ZIP", help="zip o carpeta de entregas")
    parser.add_argument("--tests", default=None, metavar="DIR", help="carpeta de pruebas ocultas")
    add_finish_options(parser)


def run_rejudge(args: argparse.Namespace) -> int:
    import time

    from coursekit.instructor.grading.finalize import finish
    from coursekit.instructor.grading.grader import normalize_lab
    from coursekit.instructor.grading.rejudge import rejudge

    start = time.monotonic()
    lab = normalize_lab(args.lab)
    options = finish_options(args, args.entregas)
    grades, warnings = rejudge(args.correccion, lab, args.tests)
    for warning in warnings:
        print(f"⚠️  {warning}")
    finish(args.correccion, lab, options)
    print(
        f"{len(grades)} entregas juzgadas de nuevo en {time.monotonic() - start:.1f} s, sin "
        f"ejecutarlas. Resultados en {args.correccion}/."
    )
    return 0


def configure_finish_grades(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("correccion", metavar="CORRECCION", help="carpeta --out de coursekit grade")
    parser.add_argument("--lab", required=True, help="número del lab corregido: 01, 02...")
    parser.add_argument(
        "--entregas",
        metavar="ZIP",
        help="zip o carpeta de entregas (horas de entrega, varios notebooks)",
    )
    parser.add_argument("--tests", default=None, metavar="DIR", help="carpeta de pruebas ocultas")
    add_finish_options(parser)


def run_finish_grades(args: argparse.Namespace) -> int:
    from coursekit.instructor.grading.finalize import FINAL_CSV, finish
    from coursekit.instructor.grading.grader import normalize_lab

    rows = finish(args.correccion, normalize_lab(args.lab), finish_options(args, args.entregas))
    flagged = sum(bool(r.review) for r in rows)
    print(
        f"{len(rows)} entregas; {flagged} para revisar a mano. Ver {args.correccion}/{FINAL_CSV}."
    )
    return 0
