"""``coursekit bench methods``: la tabla del lab 07 (fine-tuning completo, LLRD, LoRA, prompt
tuning, codificador congelado y el bucle del tutorial) medida de nuevo en una sola ejecución, con
las razones LoRA / fine-tuning completo.

Usa las mismas funciones que el lab (``course_methods`` y ``compare_methods``), con los mismos
datos, semilla y épocas del perfil.
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
    (ACCURACY, "exactitud", "{:.3f}"),
    (F1_MACRO, "F1 macro", "{:.3f}"),
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


#: Lo que se resume sobre las semillas: (clave de la fila, nombre corto en el resumen).
SEED_METRICS = ((ACCURACY, "exactitud"), (F1_MACRO, "f1_macro"), (TRAIN_SECONDS, "tiempo_s"))
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
    """Filas de texto para la tabla de varias semillas: media ± desviación y mínimo–máximo."""
    rows = []
    for entry in summary:
        rows.append(
            {
                "método": entry["método"],
                "semillas": entry["semillas"],
                "exactitud": _mean_std(entry["exactitud_media"], entry["exactitud_desv"], "{:.3f}"),
                "exactitud mín–máx": (f"{entry['exactitud_mín']:.3f}–{entry['exactitud_máx']:.3f}"),
                "F1 macro": _mean_std(entry["f1_macro_media"], entry["f1_macro_desv"], "{:.3f}"),
                "tiempo (s)": _mean_std(entry["tiempo_s_media"], entry["tiempo_s_desv"], "{:.1f}"),
            }
        )
    return rows


SEED_TABLE_COLUMNS = (
    ("método", "método", "{}"),
    ("semillas", "semillas", "{}"),
    ("exactitud", "exactitud (media ± desv.)", "{}"),
    ("exactitud mín–máx", "exactitud mín–máx", "{}"),
    ("F1 macro", "F1 macro (media ± desv.)", "{}"),
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


def run_methods_benchmark(
    profile: Any,
    only: Sequence[str] | None = None,
    new_classifier: Callable[[list[str]], Any] | None = None,
    num_epochs: int | None = None,
    seeds: int = 1,
    poolings: Sequence[str] = ("pooler",),
) -> dict[str, Any]:
    """Mide los métodos de ``course_methods`` con los datos del perfil.

    Devuelve ``{"filas": [...], "línea_base": exactitud de la clase mayoritaria, "épocas",
    "ejemplos": {"train", "eval"}, "semillas": [...]}``. ``new_classifier(class_names)``
    sustituye al clasificador del perfil (las pruebas usan uno diminuto); ``only`` filtra
    métodos por nombre (sin el sufijo de la agrupación).

    ``seeds`` entrena cada método con las semillas ``profile.seed``, ``profile.seed + 1``...
    (inicio de la cabeza, orden de los lotes, dropout); los datos son siempre los mismos
    (subconjuntos de la semilla del perfil), así que la dispersión es la del entrenamiento.
    Cada fila lleva su ``"semilla"``. ``poolings`` (``"pooler"``, ``"mean"``) repite los
    métodos con cada agrupación (``course_methods(..., pooling=...)``).
    """
    from transformers import AutoConfig

    from coursekit import data
    from coursekit.comparison import compare_methods
    from coursekit.method_settings import course_methods, max_length_with_prompt
    from coursekit.models import load_classifier, load_tokenizer, resolve_model_name

    dataset = data.load_course_dataset(profile)
    class_names = data.label_names(dataset)
    train_subset, eval_subset = data.course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)
    # Todos los métodos con los mismos textos, truncados para que quepa el prompt virtual.
    positions = AutoConfig.from_pretrained(resolve_model_name(profile)).max_position_embeddings
    max_length = max_length_with_prompt(profile.max_length, positions)
    train = data.tokenize_dataset(train_subset, tokenizer, max_length)
    evaluation = data.tokenize_dataset(eval_subset, tokenizer, max_length)
    _, baseline = data.majority_baseline(eval_subset)

    def build():
        if new_classifier is not None:
            return new_classifier(class_names)
        return load_classifier(profile, class_names)

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise CourseError(f"seeds debe ser un entero ≥ 1; es {seeds!r}.")
    if not poolings or len(set(poolings)) != len(poolings):
        raise CourseError(f"poolings debe nombrar cada agrupación una vez; es {poolings!r}.")
    methods = [
        method
        for pooling in poolings
        for method in course_methods(build, resolve_model_name(profile), profile, pooling=pooling)
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
                methods, train, evaluation, tokenizer, seeded, folder, num_epochs=epochs, rerun=True
            )
            rows += [{"método": n, **r.to_dict(), SEED: seed} for n, r in table.iterrows()]
    return {
        "filas": rows,
        "línea_base": baseline,
        "épocas": epochs,
        "ejemplos": {"train": len(train), "eval": len(evaluation)},
        "semillas": seed_list,
        "agrupaciones": list(poolings),
    }
