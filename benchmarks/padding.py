"""Benchmark: relleno a ``max_length`` frente a relleno dinámico (y agrupado por longitud).

Mide, en una sola ejecución y con el mismo código que el lab 01 (``coursekit.padding``),
posiciones por batch y segundos de un forward sobre el subconjunto de entrenamiento del perfil.
Imprime una tabla en Markdown y la razón de tiempos ``max_length / dinámico``.

Uso:  python benchmarks/padding.py --profile quick --max-length 512 128
"""

from __future__ import annotations

import argparse
import platform
import time

import torch

from coursekit import data, models
from coursekit.padding import compare_padding
from coursekit.profiles import get_profile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--max-length", type=int, nargs="+", default=[512, 128])
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()

    profile = get_profile(args.profile)
    batch_size = args.batch_size or profile.batch_size
    dataset = data.load_course_dataset(profile)
    train_subset, _ = data.course_subsets(dataset, profile)
    tokenizer = models.load_tokenizer(profile)
    model = models.load_classifier(profile, data.label_names(dataset))
    print(
        f"perfil {profile.name} · {len(train_subset)} ejemplos · batch {batch_size} · "
        f"{platform.processor() or platform.machine()} · {torch.get_num_threads()} hilos · "
        f"torch {torch.__version__}"
    )
    for max_length in args.max_length:
        start = time.perf_counter()
        table = compare_padding(
            train_subset,
            tokenizer,
            model,
            batch_size=batch_size,
            max_length=max_length,
            progress=False,
        )
        print(f"\nmax_length = {max_length} (medido en {time.perf_counter() - start:.0f} s)\n")
        print(
            "| estrategia | posiciones/batch | tokens reales/batch | s forward | aceleración |"
            " misma predicción |"
        )
        print("|---|---|---|---|---|---|")
        for name, row in table.iterrows():
            print(
                f"| {name} | {row['posiciones_por_batch']:.0f} | "
                f"{row['tokens_reales_por_batch']:.0f} | {row['segundos']:.2f} | "
                f"{row['aceleración']:.1f}× | {row['misma_predicción']:.0%} |"
            )
        ratio = table.loc["max_length", "segundos"] / table.loc["dynamic", "segundos"]
        print(f"\nrazón de tiempos max_length/dinámico = {ratio:.1f}")


if __name__ == "__main__":
    main()
