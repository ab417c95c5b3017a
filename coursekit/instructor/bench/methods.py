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


def run_methods_benchmark(
    profile: Any,
    only: Sequence[str] | None = None,
    new_classifier: Callable[[list[str]], Any] | None = None,
    num_epochs: int | None = None,
) -> dict[str, Any]:
    """Mide los métodos de ``course_methods`` con los datos del perfil.

    Devuelve ``{"filas": [...], "línea_base": exactitud de la clase mayoritaria, "épocas",
    "ejemplos": {"train", "eval"}}``. ``new_classifier(class_names)`` sustituye al clasificador
    del perfil (las pruebas usan uno diminuto); ``only`` filtra métodos por nombre.
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

    methods = course_methods(build, resolve_model_name(profile), profile)
    if only:
        unknown = sorted(set(only) - {m.name for m in methods})
        if unknown:
            raise CourseError(
                f"Método(s) desconocido(s): {', '.join(unknown)}. "
                f"Válidos: {', '.join(m.name for m in methods)}."
            )
        methods = [m for m in methods if m.name in only]
    epochs = profile.peft_num_epochs if num_epochs is None else num_epochs
    with tempfile.TemporaryDirectory() as folder:
        table = compare_methods(
            methods, train, evaluation, tokenizer, profile, folder, num_epochs=epochs, rerun=True
        )
    rows = [{"método": name, **row.to_dict()} for name, row in table.iterrows()]
    return {
        "filas": rows,
        "línea_base": baseline,
        "épocas": epochs,
        "ejemplos": {"train": len(train), "eval": len(evaluation)},
    }
