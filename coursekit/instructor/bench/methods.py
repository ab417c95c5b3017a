"""``coursekit bench methods``: la tabla del lab 07 (fine-tuning completo, LLRD, LoRA, prompt
tuning, codificador congelado con las dos agrupaciones y el bucle del tutorial) medida de nuevo,
con una o varias semillas, y las razones LoRA / fine-tuning completo.

Usa las mismas funciones que el lab (``lab_comparison_methods`` y ``compare_methods``), con los
mismos datos (``data.course_splits``: train, validación y test), semilla y épocas del perfil. La
exactitud de la tabla es la de validación, la que muestra el lab 07; la de test va aparte.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from coursekit.comparison import (
    ACCURACY,
    DISK_MB,
    F1_MACRO,
    LEARNING_RATE,
    PEAK_MEMORY_MB,
    TEST_ACCURACY,
    TEST_F1_MACRO,
    TRAIN_SECONDS,
    TRAINABLE_PARAMETERS,
    TRAINABLE_PERCENT,
)
from coursekit.errors import CourseError

LORA, FULL = "LoRA", "fine-tuning completo"
TABLE_COLUMNS = (
    ("método", "método", "{}"),
    (TRAINABLE_PARAMETERS, "entrenables", "{:,.0f}"),
    (TRAINABLE_PERCENT, "% entrenable", "{:.3f}"),
    (LEARNING_RATE, "lr", "{:.0e}"),
    (TRAIN_SECONDS, "tiempo (s)", "{:.1f}"),
    (PEAK_MEMORY_MB, "memoria pico (MB)", "{:.0f}"),
    (DISK_MB, "en disco (MB)", "{:.2f}"),
    (ACCURACY, "exactitud (validación)", "{:.3f}"),
    (F1_MACRO, "F1 macro (validación)", "{:.3f}"),
    (TEST_ACCURACY, "exactitud (test)", "{:.3f}"),
)


def lora_full_ratios(rows: Sequence[dict[str, Any]]) -> dict[str, float] | None:
    """Razones LoRA / fine-tuning completo (parámetros, tiempo, memoria, disco) y la diferencia
    de exactitud en puntos; ``None`` si falta alguno de los dos métodos."""
    by_name = {row["método"]: row for row in rows}
    if LORA not in by_name or FULL not in by_name:
        return None
    lora, full = by_name[LORA], by_name[FULL]

    def ratio(key: str) -> float:
        return lora[key] / full[key] if full[key] else float("nan")

    return {
        "parámetros": ratio(TRAINABLE_PARAMETERS),
        "tiempo": ratio(TRAIN_SECONDS),
        "memoria": ratio(PEAK_MEMORY_MB),
        "disco": ratio(DISK_MB),
        "exactitud_puntos": 100 * (lora[ACCURACY] - full[ACCURACY]),
    }


def headline(ratios: dict[str, float] | None) -> str:
    """La línea de las razones LoRA / completo."""
    if ratios is None:
        return "LoRA / completo: no se midieron los dos métodos."
    return (
        f"LoRA / completo: parámetros entrenables {ratios['parámetros']:.4f} · tiempo "
        f"{ratios['tiempo']:.2f} · memoria pico {ratios['memoria']:.2f} · disco "
        f"{ratios['disco']:.4f} · exactitud {ratios['exactitud_puntos']:+.1f} puntos"
    )


#: Lo que se resume sobre las semillas: (clave de la fila, nombre corto en el resumen). La
#: exactitud y la F1 son las de validación; las de test, solo si todas las filas las traen.
SEED_METRICS = (
    (ACCURACY, "exactitud"),
    (F1_MACRO, "f1_macro"),
    (TRAIN_SECONDS, "tiempo_s"),
    (TEST_ACCURACY, "exactitud_test"),
    (TEST_F1_MACRO, "f1_macro_test"),
)
SEED = "semilla"


def aggregate_seeds(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Resume las filas de varias semillas: por método (en el orden en que aparecen), el
    número de semillas y la media, la desviación típica (muestral, ``None`` con una sola
    semilla), el mínimo y el máximo de la exactitud, la F1 macro y el tiempo.

    Cada fila resumida trae ``"<métrica>_media"``, ``"_desv"``, ``"_mín"`` y ``"_máx"``, y las
    columnas de la tabla (``ACCURACY``, ``F1_MACRO``...) con la media, para las razones.
    """
    import statistics

    if not rows:
        raise CourseError("No hay filas que resumir.")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["método"], []).append(row)
    summary = []
    for name, group in groups.items():
        seeds = [row.get(SEED) for row in group]
        if None not in seeds and len(set(seeds)) != len(seeds):
            raise CourseError(f"«{name}» tiene dos filas con la misma semilla: {seeds}.")
        entry: dict[str, Any] = {**group[0], "método": name, "semillas": len(group)}
        entry.pop(SEED, None)
        for key in (TRAINABLE_PARAMETERS, TRAINABLE_PERCENT, PEAK_MEMORY_MB, DISK_MB):
            if all(key in row for row in group):
                entry[key] = statistics.fmean(row[key] for row in group)
        for key, short in SEED_METRICS:
            if not all(key in row for row in group):
                continue
            values = [float(row[key]) for row in group]
            mean = statistics.fmean(values)
            entry[key] = mean
            entry[f"{short}_media"] = mean
            entry[f"{short}_desv"] = statistics.stdev(values) if len(values) > 1 else None
            entry[f"{short}_mín"] = min(values)
            entry[f"{short}_máx"] = max(values)
        summary.append(entry)
    return summary


def _mean_std(mean: float, std: float | None, fmt: str) -> str:
    return fmt.format(mean) if std is None else f"{fmt.format(mean)} ± {fmt.format(std)}"


def seed_table_rows(summary: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Filas de texto para la tabla de varias semillas: media ± desviación y mínimo–máximo (de
    validación, y de test si se midió)."""
    rows = []
    for entry in summary:
        row = {
            "método": entry["método"],
            "semillas": entry["semillas"],
            "exactitud": _mean_std(entry["exactitud_media"], entry["exactitud_desv"], "{:.3f}"),
            "exactitud mín–máx": (f"{entry['exactitud_mín']:.3f}–{entry['exactitud_máx']:.3f}"),
            "F1 macro": _mean_std(entry["f1_macro_media"], entry["f1_macro_desv"], "{:.3f}"),
            "tiempo (s)": _mean_std(entry["tiempo_s_media"], entry["tiempo_s_desv"], "{:.1f}"),
        }
        if "exactitud_test_media" in entry:
            row["exactitud test"] = _mean_std(
                entry["exactitud_test_media"], entry["exactitud_test_desv"], "{:.3f}"
            )
            row["exactitud test mín–máx"] = (
                f"{entry['exactitud_test_mín']:.3f}–{entry['exactitud_test_máx']:.3f}"
            )
        rows.append(row)
    return rows


SEED_TABLE_COLUMNS = (
    ("método", "método", "{}"),
    ("semillas", "semillas", "{}"),
    ("exactitud", "exactitud validación (media ± desv.)", "{}"),
    ("exactitud mín–máx", "validación mín–máx", "{}"),
    ("exactitud test", "exactitud test (media ± desv.)", "{}"),
    ("exactitud test mín–máx", "test mín–máx", "{}"),
    ("F1 macro", "F1 macro validación (media ± desv.)", "{}"),
    ("tiempo (s)", "tiempo (s)", "{}"),
)


def _base_name(name: str) -> str:
    from coursekit.method_settings import MEAN_POOLING_SUFFIX

    return name.removesuffix(MEAN_POOLING_SUFFIX)


def pooling_gaps(summary: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Puntos de exactitud de la media de los tokens sobre el pooler, por método medido con las
    dos agrupaciones (``"<método>"`` y ``"<método> (media)"``)."""
    from coursekit.method_settings import MEAN_POOLING_SUFFIX

    by_name = {entry["método"]: entry for entry in summary}
    return {
        name: 100 * (by_name[name + MEAN_POOLING_SUFFIX][ACCURACY] - entry[ACCURACY])
        for name, entry in by_name.items()
        if name + MEAN_POOLING_SUFFIX in by_name
    }


def pooling_headline(gaps: dict[str, float]) -> str:
    """La línea de la media frente al pooler."""
    parts = " · ".join(f"{name} {gap:+.1f} puntos" for name, gap in gaps.items())
    return f"media de los tokens frente a pooler (exactitud): {parts}"


def _progress_line(row: dict[str, Any]) -> str:
    """Una fila ya medida, en una línea JSON (sin los aciertos por ejemplo): si la ejecución se
    corta, el registro guarda lo que terminó."""
    import json

    from coursekit.comparison import CORRECT

    return "fila medida: " + json.dumps(
        {k: v for k, v in row.items() if k != CORRECT}, ensure_ascii=False
    )


def run_methods_benchmark(
    profile: Any,
    only: Sequence[str] | None = None,
    new_classifier: Callable[[list[str]], Any] | None = None,
    num_epochs: int | None = None,
    seeds: int = 1,
    poolings: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Mide los métodos del lab 07 con los datos del perfil.

    Los datos son los de ``data.course_splits`` (train, validación y test); cada fila trae la
    exactitud y la F1 macro de validación (``ACCURACY``, ``F1_MACRO``: lo que muestra la tabla
    del lab 07) y las de test (``TEST_ACCURACY``, ``TEST_F1_MACRO``).

    Devuelve ``{"filas": [...], "línea_base": exactitud de la clase mayoritaria en validación,
    "línea_base_test", "épocas", "ejemplos": {"train", "validation", "test"}, "semillas": [...],
    "agrupaciones"}``. ``new_classifier(class_names)`` sustituye al clasificador del perfil (las
    pruebas usan uno diminuto); ``only`` filtra métodos por nombre (sin el sufijo de la
    agrupación).

    ``seeds`` entrena cada método con las semillas ``profile.seed``, ``profile.seed + 1``...
    (inicio de la cabeza, orden de los lotes, dropout); los datos son siempre los mismos
    (subconjuntos de la semilla del perfil), así que la dispersión es la del entrenamiento.
    Cada fila lleva su ``"semilla"``. Sin ``poolings``, los métodos son los del lab 07
    (``lab_comparison_methods``: cada uno con la agrupación que usa el lab); con ``poolings``
    (``"pooler"``, ``"mean"``), los seis de ``course_methods`` con cada agrupación.
    """
    from transformers import AutoConfig

    from coursekit import data
    from coursekit.comparison import compare_methods
    from coursekit.method_settings import (
        course_methods,
        lab_comparison_methods,
        max_length_with_prompt,
    )
    from coursekit.models import load_classifier, load_tokenizer, resolve_model_name

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise CourseError(f"seeds debe ser un entero ≥ 1; es {seeds!r}.")
    if poolings is not None and (not poolings or len(set(poolings)) != len(poolings)):
        raise CourseError(f"poolings debe nombrar cada agrupación una vez; es {poolings!r}.")
    dataset = data.load_course_dataset(profile)
    class_names = data.label_names(dataset)
    train_subset, validation_subset, test_subset = data.course_splits(dataset, profile)
    tokenizer = load_tokenizer(profile)
    # Todos los métodos con los mismos textos, truncados para que quepa el prompt virtual.
    positions = AutoConfig.from_pretrained(resolve_model_name(profile)).max_position_embeddings
    max_length = max_length_with_prompt(profile.max_length, positions)
    train = data.tokenize_dataset(train_subset, tokenizer, max_length)
    validation = data.tokenize_dataset(validation_subset, tokenizer, max_length)
    test = data.tokenize_dataset(test_subset, tokenizer, max_length)
    _, baseline = data.majority_baseline(validation_subset)
    _, test_baseline = data.majority_baseline(test_subset)

    def build():
        if new_classifier is not None:
            return new_classifier(class_names)
        return load_classifier(profile, class_names)

    model_path = resolve_model_name(profile)
    if poolings is None:
        methods = lab_comparison_methods(build, model_path, profile)
    else:
        methods = [
            method
            for pooling in poolings
            for method in course_methods(build, model_path, profile, pooling=pooling)
        ]
    if only:
        unknown = sorted(set(only) - {_base_name(m.name) for m in methods})
        if unknown:
            raise CourseError(
                f"Método(s) desconocido(s): {', '.join(unknown)}. "
                f"Válidos: {', '.join(dict.fromkeys(_base_name(m.name) for m in methods))}."
            )
        methods = [m for m in methods if _base_name(m.name) in only]
    epochs = profile.peft_num_epochs if num_epochs is None else num_epochs
    seed_list = [profile.seed + i for i in range(seeds)]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in seed_list:
            seeded = profile.with_overrides(seed=seed) if seed != profile.seed else profile
            table = compare_methods(
                methods,
                train,
                validation,
                tokenizer,
                seeded,
                folder,
                num_epochs=epochs,
                rerun=True,
                test_dataset=test,
            )
            for name, values in table.iterrows():
                row = {"método": name, **values.to_dict(), SEED: seed}
                for extra in (TEST_ACCURACY, TEST_F1_MACRO):
                    row[extra] = table.attrs[extra][name]
                print(_progress_line(row), flush=True)
                rows.append(row)
    return {
        "filas": rows,
        "línea_base": baseline,
        "línea_base_test": test_baseline,
        "épocas": epochs,
        "ejemplos": {"train": len(train), "validation": len(validation), "test": len(test)},
        "semillas": seed_list,
        "agrupaciones": list(poolings) if poolings is not None else "las del lab 07",
    }


#: Lo que se guarda de cada semilla en la referencia: (clave de la fila, clave guardada).
REFERENCE_RUN_KEYS = (
    (ACCURACY, "exactitud"),
    (F1_MACRO, "F1 macro"),
    (TEST_ACCURACY, "exactitud (test)"),
    (TEST_F1_MACRO, "F1 macro (test)"),
    (TRAIN_SECONDS, "tiempo (s)"),
)


def library_versions() -> dict[str, str]:
    """Versiones de las bibliotecas que fijan lo que mide la referencia."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("coursekit", "torch", "transformers", "peft", "datasets", "accelerate"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "no instalado"
    return found


def reference_from_results(
    results: dict[str, Any], profile: Any, versions: dict[str, str], note: str = ""
) -> dict[str, Any]:
    """La referencia de varias semillas (``coursekit.reference_seeds``) a partir del JSON de
    ``coursekit bench methods``: fecha, máquina, comando, versiones, ajustes del perfil y, por
    método, el valor de cada semilla (exactitud y F1 de validación y de test, tiempo)."""
    from coursekit.instructor.bench.report import describe_machine
    from coursekit.reference_seeds import profile_settings

    if results.get("perfil") != profile.name:
        raise CourseError(
            f"Los resultados son del perfil {results.get('perfil')!r}, no de {profile.name!r}."
        )
    methods: dict[str, list[dict[str, Any]]] = {}
    for row in results["filas"]:
        run = {"semilla": row[SEED]}
        run.update({saved: row[key] for key, saved in REFERENCE_RUN_KEYS if key in row})
        methods.setdefault(row["método"], []).append(run)
    machine = results["máquina"]
    return {
        "perfil": profile.name,
        "comando": results["comando"],
        "fecha": machine["fecha"],
        "máquina": describe_machine(machine),
        "máquina_detalle": machine,
        "segundos_totales": results.get("segundos_totales"),
        "versiones": versions,
        "ajustes_del_perfil": profile_settings(profile),
        "épocas": results["épocas"],
        "ejemplos": results["ejemplos"],
        "línea_base": results["línea_base"],
        "línea_base_test": results.get("línea_base_test"),
        "nota": note,
        "métodos": [{"método": name, "por_semilla": runs} for name, runs in methods.items()],
    }
