"""Los argumentos y la ejecución de ``coursekit bench padding|methods|pooling|labs``.

Este módulo no importa torch al cargarse (``coursekit --help`` debe ser rápido): cada
benchmark se importa al ejecutarse.
"""

from __future__ import annotations

import argparse
import shlex
import time
from typing import Any

from coursekit.instructor.bench.report import DEFAULT_OUTPUT_DIR, HEADLINE_PREFIX


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        default=None,
        help="perfil: full, quick o ci (por defecto, COURSE_PROFILE o el del entorno)",
    )
    parser.add_argument(
        "--output",
        default=DEFAULT_OUTPUT_DIR,
        metavar="DIR",
        help=f"carpeta del JSON y la gráfica (por defecto: {DEFAULT_OUTPUT_DIR})",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    """Añade los sub-benchmarks ``padding``, ``methods``, ``pooling`` y ``labs`` a ``parser``."""
    subparsers = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)

    padding = subparsers.add_parser(
        "padding",
        help="una época de entrenamiento con cada estrategia de relleno (RT e IMDB)",
    )
    _common(padding)
    padding.add_argument(
        "--sources",
        nargs="+",
        default=None,
        metavar="FUENTE",
        help="valores de la columna source del CSV (por defecto: rotten_tomatoes imdb)",
    )
    padding.add_argument("--max-length", type=int, nargs="+", default=[512, 128])
    padding.add_argument(
        "--train-size",
        type=int,
        default=None,
        help="ejemplos de entrenamiento por fuente (por defecto: 256 o los del perfil)",
    )
    padding.add_argument(
        "--eval-size",
        type=int,
        default=None,
        help="ejemplos de validación (por defecto: los del perfil, como mucho 200)",
    )
    padding.add_argument("--batch-size", type=int, default=None, help="por defecto, el del perfil")
    padding.set_defaults(_bench=_run_padding)

    methods = subparsers.add_parser(
        "methods", help="la tabla del lab 07 y las razones LoRA/completo"
    )
    _common(methods)
    methods.add_argument("--only", nargs="+", metavar="MÉTODO", help="medir solo estos métodos")
    methods.add_argument(
        "--seeds",
        type=int,
        default=1,
        metavar="N",
        help="entrena cada método con N semillas (la del perfil y las N-1 siguientes) y da "
        "media ± desviación típica y mínimo–máximo por método",
    )
    methods.add_argument(
        "--pooling",
        nargs="+",
        choices=("pooler", "mean"),
        default=None,
        help="por defecto, los siete métodos del lab 07, cada uno con la agrupación del lab; "
        "con esta opción, los seis métodos del curso desde pooler (la de "
        "AutoModelForSequenceClassification) y/o mean (media de los tokens); con las dos, "
        "cada método se mide dos veces",
    )
    methods.add_argument(
        "--reference",
        default=None,
        metavar="ARCHIVO",
        help="guarda además la referencia de varias semillas del lab 07 en ARCHIVO (p. ej. "
        "coursekit/reference_data/methods_quick.json; ver coursekit.reference_seeds)",
    )
    methods.set_defaults(_bench=_run_methods)

    pooling = subparsers.add_parser(
        "pooling",
        help="sonda lineal sobre el codificador congelado: pooler, [CLS] y media de los tokens",
    )
    _common(pooling)
    pooling.set_defaults(_bench=_run_pooling)

    labs = subparsers.add_parser("labs", help="tiempo y memoria pico de ejecutar cada lab")
    _common(labs)
    labs.add_argument(
        "labs", nargs="*", metavar="LAB", help="prefijos de los labs (por defecto, todos)"
    )
    labs.add_argument("--solutions", default="solutions", metavar="DIR")
    labs.add_argument("--timeout", type=int, default=1800, help="segundos máximos por celda")
    labs.add_argument(
        "--memory-limit",
        default=None,
        metavar="TAMAÑO",
        help="ejecuta cada kernel en un cgroup con este límite, p. ej. 2G (el de Binder)",
    )
    labs.set_defaults(_bench=_run_labs)

    rehearsal = subparsers.add_parser(
        "full-rehearsal",
        help="cada lab en full con el Hub sustituto, fp16 y 15 GiB de GPU (una T4), y la "
        "calibración con la época del tutorial original",
    )
    _common(rehearsal)
    rehearsal.set_defaults(profile="full")
    rehearsal.add_argument(
        "labs", nargs="*", metavar="LAB", help="prefijos de los labs (por defecto, todos)"
    )
    rehearsal.add_argument(
        "--hf-home",
        required=True,
        metavar="DIR",
        help="la caché del Hub sustituto (coursekit standin-hub --size full --out DIR)",
    )
    rehearsal.add_argument("--memory-gib", type=float, default=15.0, help="GiB de GPU (15)")
    rehearsal.add_argument(
        "--calibration-steps",
        type=int,
        default=None,
        help="pasos de la calibración (por defecto, la época entera: 125)",
    )
    rehearsal.add_argument("--no-calibration", action="store_true", help="sin calibración")
    rehearsal.add_argument("--solutions", default="solutions", metavar="DIR")
    rehearsal.add_argument("--timeout", type=int, default=1800, help="segundos máximos por celda")
    rehearsal.set_defaults(_bench=_run_full_rehearsal)


def run(args: argparse.Namespace) -> int:
    """Ejecuta el benchmark elegido; imprime la tabla, guarda JSON y gráfica y termina con la
    razón principal."""
    from coursekit.instructor.bench.report import describe_machine, machine_info
    from coursekit.profiles import get_profile

    profile = get_profile(args.profile)
    machine = machine_info()
    print(f"coursekit bench {args.benchmark} · perfil {profile.name} · {describe_machine(machine)}")
    start = time.perf_counter()
    args._machine = machine  # la máquina al empezar, para lo que guarde el benchmark
    code, results, table, figure, line = args._bench(args, profile)
    argv = getattr(args, "_argv", None)
    results = {
        "benchmark": args.benchmark,
        "perfil": profile.name,
        "comando": shlex.join(["coursekit", *argv]) if argv is not None else None,
        "máquina": machine,
        "segundos_totales": round(time.perf_counter() - start, 1),
        **results,
    }
    from coursekit.instructor.bench.report import output_paths, save_figure, write_results

    paths = output_paths(args.output, args.benchmark, profile.name)
    write_results(paths["json"], results)
    save_figure(figure, paths["plot"])
    print(f"\n{table}\n")
    print(f"resultados: {paths['json']} · gráfica: {paths['plot']}")
    print(f"{HEADLINE_PREFIX} {line}")
    return code


def _run_padding(args: argparse.Namespace, profile: Any):
    from coursekit.instructor.bench import padding_speed as padding
    from coursekit.instructor.bench.report import markdown_table

    rows = padding.run_padding_benchmark(
        profile,
        sources=args.sources or tuple(padding.SOURCES),
        train_size=args.train_size or min(256, profile.train_size),
        eval_size=args.eval_size or min(200, profile.eval_size),
        batch_size=args.batch_size or profile.batch_size,
        max_lengths=args.max_length,
    )
    results = {
        "ejemplos": {
            "train": args.train_size or min(256, profile.train_size),
            "eval": args.eval_size or min(200, profile.eval_size),
        },
        "batch": args.batch_size or profile.batch_size,
        "learning_rate": profile.learning_rate,
        "filas": rows,
    }
    table = markdown_table(rows, padding.TABLE_COLUMNS)
    return 0, results, table, padding.plot_padding_epochs(rows), padding.headline(rows)


def _run_methods(args: argparse.Namespace, profile: Any):
    from coursekit.comparison import COLUMNS
    from coursekit.instructor.bench import methods
    from coursekit.instructor.bench.report import markdown_table
    from coursekit.plots import plot_method_comparison

    results = methods.run_methods_benchmark(
        profile, only=args.only, seeds=args.seeds, poolings=args.pooling
    )
    summary = methods.aggregate_seeds(results["filas"])
    results["resumen"] = summary
    ratios = methods.lora_full_ratios(summary)
    results["razones_lora_completo"] = ratios
    from coursekit.comparison import TEST_ACCURACY

    baseline_row = {
        "método": "línea base (clase mayoritaria)",
        "exactitud": results["línea_base"],
        TEST_ACCURACY: results["línea_base_test"],
    }
    if args.seeds > 1:
        baseline_row["exactitud"] = f"{results['línea_base']:.3f}"
        baseline_row["exactitud test"] = f"{results['línea_base_test']:.3f}"
        table = markdown_table(
            [*methods.seed_table_rows(summary), baseline_row], methods.SEED_TABLE_COLUMNS
        )
    else:
        table = markdown_table([*summary, baseline_row], methods.TABLE_COLUMNS)
    import pandas as pd

    figure = plot_method_comparison(
        pd.DataFrame(summary).set_index("método")[list(COLUMNS[1:])],
        baseline=results["línea_base"],
    )
    gaps = methods.pooling_gaps(summary)
    results["media_menos_pooler_puntos"] = gaps or None
    if args.reference:
        _write_reference(args, profile, results)
    line = methods.headline(ratios) if ratios or not gaps else methods.pooling_headline(gaps)
    return 0, results, table, figure, line


def _write_reference(args: argparse.Namespace, profile: Any, results: dict[str, Any]) -> None:
    import json
    from pathlib import Path

    from coursekit.instructor.bench import methods
    from coursekit.instructor.bench.report import machine_info

    argv = getattr(args, "_argv", None)
    complete = {
        "perfil": profile.name,
        "comando": shlex.join(["coursekit", *argv]) if argv is not None else None,
        "máquina": getattr(args, "_machine", None) or machine_info(),
        **results,
    }
    reference = methods.reference_from_results(complete, profile, methods.library_versions())
    path = Path(args.reference)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"referencia de varias semillas: {path}")


def _run_pooling(args: argparse.Namespace, profile: Any):
    from coursekit.instructor.bench import pooling_probe
    from coursekit.instructor.bench.report import markdown_table

    results = pooling_probe.run_pooling_probe(profile)
    rows = results["filas"]
    baseline_row = {
        "agrupación": "línea base (clase mayoritaria)",
        "exactitud": results["línea_base"],
    }
    table = markdown_table([*rows, baseline_row], pooling_probe.TABLE_COLUMNS)
    figure = pooling_probe.plot_probe(rows, results["línea_base"])
    return 0, results, table, figure, pooling_probe.headline(rows)


def _run_full_rehearsal(args: argparse.Namespace, profile: Any):
    from coursekit.instructor.bench import full_rehearsal, labs
    from coursekit.instructor.bench.report import markdown_table

    results = full_rehearsal.run_full_rehearsal(
        args.hf_home,
        args.output,
        args.labs or None,
        memory_gib=args.memory_gib,
        calibration_steps=args.calibration_steps,
        skip_calibration=args.no_calibration,
        solutions_dir=args.solutions,
        timeout=args.timeout,
    )
    rows = results["filas"]
    calibration = results["calibración"]
    line = (
        f"calibración: {calibration['segundos_por_época']:.0f} s por época del tutorial en "
        f"{calibration['dispositivo']} (factor {calibration['factor_tutorial']:.3f})"
        if calibration
        else "sin calibración"
    )
    failed = any(row["estado"] != "ok" for row in rows)
    figure = labs.plot_labs(rows)
    return (
        1 if failed else 0,
        results,
        markdown_table(rows, full_rehearsal.TABLE_COLUMNS),
        figure,
        line,
    )


def _run_labs(args: argparse.Namespace, profile: Any):
    from coursekit.instructor.bench import labs
    from coursekit.instructor.bench.report import markdown_table

    limit = labs.parse_memory_size(args.memory_limit) if args.memory_limit else None
    if limit is not None:
        problem = labs.check_memory_limit_supported(limit)
        if problem:
            print(f"Aviso: se mide sin límite de memoria. {problem}")
            limit = None
    rows = labs.run_labs_benchmark(
        profile.name,
        args.solutions,
        args.labs,
        timeout=args.timeout,
        memory_limit=limit,
        executed_dir=f"{args.output}/labs-{profile.name}",
    )
    columns = labs.TABLE_COLUMNS + (labs.LIMIT_COLUMNS if limit else ())
    limit_mb = limit / 2**20 if limit else labs.BINDER_LIMIT_MB
    results = {"límite_memoria_MB": limit / 2**20 if limit else None, "filas": rows}
    failed = any(row["estado"] != "ok" for row in rows)
    return (
        1 if failed else 0,
        results,
        markdown_table(rows, columns),
        labs.plot_labs(rows, limit_mb),
        labs.headline(rows, limit_mb),
    )
