"""Precisión mixta en GPU: bf16 (Ampere o posterior), fp16 (una T4 de Colab) y fp32.

Entrena el clasificador del perfil con el ``Trainer`` del lab 02 tres veces (misma semilla y
datos) con los argumentos que da ``coursekit.environment.mixed_precision_flags``: el de la GPU
real, el de una GPU sin bf16 (simulada: así se prueba la rama fp16 en cualquier GPU) y sin
precisión mixta. Antes de medir, un entrenamiento corto de calentamiento (arranque de CUDA).

    python -m coursekit.instructor.bench.mixed_precision --profile quick

Sin GPU no tiene sentido: avisa y termina.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

from coursekit import data
from coursekit.environment import detect_environment, mixed_precision_flags
from coursekit.models import load_classifier, load_tokenizer
from coursekit.profiles import get_profile
from coursekit.training import seed_everything


def train_once(profile, names, train, evaluation, tokenizer, flags, max_steps=-1):
    """Entrena y evalúa una vez; devuelve (pérdida, exactitud, segundos, pico CUDA en MiB)."""
    seed_everything(profile.seed)
    model = load_classifier(profile, names)
    args = TrainingArguments(
        output_dir="/tmp/mixed-precision-bench",
        num_train_epochs=profile.num_epochs,
        max_steps=max_steps,
        per_device_train_batch_size=profile.batch_size,
        learning_rate=profile.learning_rate,
        eval_strategy="no",
        save_strategy="no",
        report_to="none",
        seed=profile.seed,
        disable_tqdm=True,
        **flags,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=DataCollatorWithPadding(tokenizer),
    )
    torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    loss = trainer.train().training_loss
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    prediction = trainer.predict(evaluation)
    accuracy = float((np.argmax(prediction.predictions, -1) == prediction.label_ids).mean())
    return loss, accuracy, seconds, torch.cuda.max_memory_allocated() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick")
    options = parser.parse_args()
    env = detect_environment()
    if not env.has_gpu:
        raise SystemExit("Este benchmark necesita una GPU (no se detectó ninguna).")
    profile = get_profile(options.profile)
    dataset = data.load_course_dataset(profile)
    names = data.label_names(dataset)
    train, evaluation = data.course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)

    def tokenize(batch):
        return tokenizer(batch["text"], truncation=True, max_length=profile.max_length)

    columns = [c for c in train.column_names if c != "label"]
    train = train.map(tokenize, batched=True, remove_columns=columns)
    evaluation = evaluation.map(tokenize, batched=True, remove_columns=columns)
    cases = {
        "bf16/fp16 de esta GPU": mixed_precision_flags(env),
        "fp16 (GPU sin bf16, p. ej. T4)": mixed_precision_flags(
            dataclasses.replace(env, bf16_supported=False)
        ),
        "fp32": {"fp16": False, "bf16": False},
    }
    train_once(profile, names, train, evaluation, tokenizer, cases["fp32"], max_steps=5)
    print(
        f"{env.gpu_name} · perfil {profile.name} · {len(train)} ejemplos · "
        f"{profile.num_epochs} épocas"
    )
    times = {}
    for label, flags in cases.items():
        loss, accuracy, seconds, peak = train_once(
            profile, names, train, evaluation, tokenizer, flags
        )
        times[label] = seconds
        print(
            f"{label}: {flags} · pérdida {loss:.4f} · exactitud {accuracy:.3f} · "
            f"{seconds:.1f} s · pico CUDA {peak:.0f} MiB"
        )
    fastest = min(times, key=times.get)
    print(f"Razón fp32 / {fastest}: {times['fp32'] / times[fastest]:.2f}× en tiempo")


if __name__ == "__main__":
    main()
