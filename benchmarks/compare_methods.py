"""Benchmark: la tabla comparativa del lab 07 (fine-tuning completo, LLRD, LoRA, prompt tuning,
encoder congelado y el bucle del tutorial), medida en una sola ejecución.

Usa las mismas funciones que el lab (``coursekit.method_settings.course_methods`` y
``compare_methods``), con los mismos datos, semilla y épocas del perfil, y mide siempre de nuevo
(no reutiliza resultados guardados). Imprime la tabla en Markdown y las razones LoRA / completo.

Uso:  python benchmarks/compare_methods.py --profile quick
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time

import torch

from coursekit import data
from coursekit.comparison import compare_methods
from coursekit.method_settings import course_methods
from coursekit.models import load_classifier, load_tokenizer, resolve_model_name
from coursekit.profiles import get_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--only", nargs="*", help="medir solo estos métodos (por nombre)")
    args = parser.parse_args()

    profile = get_profile(args.profile)
    dataset = data.load_course_dataset(profile)
    class_names = data.label_names(dataset)
    train_subset, eval_subset = data.course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)
    train = data.tokenize_dataset(train_subset, tokenizer, profile.max_length)
    evaluation = data.tokenize_dataset(eval_subset, tokenizer, profile.max_length)
    _, baseline = data.majority_baseline(eval_subset)

    def new_classifier():
        return load_classifier(profile, class_names)

    methods = course_methods(new_classifier, resolve_model_name(profile), profile)
    if args.only:
        methods = [m for m in methods if m.name in args.only]
    print(
        f"perfil {profile.name} · {len(train)} ejemplos de entrenamiento, {len(evaluation)} de "
        f"validación · {profile.peft_num_epochs} épocas · batch {profile.batch_size} · "
        f"{platform.processor() or platform.machine()} · {torch.get_num_threads()} hilos · "
        f"torch {torch.__version__}\n"
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        table = compare_methods(
            methods,
            train,
            evaluation,
            tokenizer,
            profile,
            folder,
            num_epochs=profile.peft_num_epochs,
            rerun=True,
        )
    print(
        "| método | entrenables | % entrenable | lr | tiempo (s) | memoria pico (MB) |"
        " en disco (MB) | exactitud | F1 macro |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in table.iterrows():
        print(
            f"| {name} | {row['parámetros entrenables']:,.0f} | {row['% entrenable']:.3f} | "
            f"{row['learning_rate']:.0e} | {row['tiempo de entrenamiento (s)']:.1f} | "
            f"{row['memoria pico (MB)']:.0f} | {row['guardado en disco (MB)']:.2f} | "
            f"{row['exactitud']:.3f} | {row['F1 macro']:.3f} |"
        )
    print(f"| línea base (clase mayoritaria) | 0 | 0 | | | | | {baseline:.3f} | |")
    if {"LoRA", "fine-tuning completo"} <= set(table.index):
        lora, full = table.loc["LoRA"], table.loc["fine-tuning completo"]
        print(
            f"\nLoRA / completo: parámetros entrenables "
            f"{lora['parámetros entrenables'] / full['parámetros entrenables']:.4f} · tiempo "
            f"{lora['tiempo de entrenamiento (s)'] / full['tiempo de entrenamiento (s)']:.2f} · "
            f"memoria pico {lora['memoria pico (MB)'] / max(full['memoria pico (MB)'], 1e-9):.2f}"
            f" · disco {lora['guardado en disco (MB)'] / full['guardado en disco (MB)']:.4f} · "
            f"exactitud {100 * (lora['exactitud'] - full['exactitud']):+.1f} puntos"
        )
    print(f"medido en {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
