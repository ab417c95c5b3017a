"""Búsqueda de ajustes de prompt tuning que superen la clase mayoritaria en ≥ 10 puntos
dentro del presupuesto del lab 06 (perfil ``quick``: 400 reseñas × 10 épocas = 250 pasos).

Cada variante entrena el ``PromptTuningConfig`` del curso (o uno cambiado) con ``Trainer`` y
evalúa cada ``--eval-steps`` pasos en las 200 reseñas de validación del perfil, así que guarda
la curva entera. Las filas se añaden a ``bench-results/prompt-sweep-<perfil>.jsonl`` en cuanto
terminan; al final imprime la tabla en Markdown.

Uso:  python -m coursekit.instructor.bench.prompt_sweep --profile quick [VARIANTE ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from coursekit.instructor.bench.report import machine_info, markdown_table
from coursekit.method_settings import PROMPT_VIRTUAL_TOKENS, prompt_init_text

#: La tasa del perfil (``profile.prompt_learning_rate``), la del lab 06.
PROFILE_RATE = None

# nombre: (ejemplos de entrenamiento, épocas, tasa, init, tokens, planificador, calentamiento)
VARIANTS = {
    "lab06": (400, 10, PROFILE_RATE, "TEXT", PROMPT_VIRTUAL_TOKENS, "linear", 0.0),
    "datos2000x2": (2000, 2, PROFILE_RATE, "TEXT", PROMPT_VIRTUAL_TOKENS, "linear", 0.0),
    "datos4000x1": (4000, 1, PROFILE_RATE, "TEXT", PROMPT_VIRTUAL_TOKENS, "linear", 0.0),
    "datos2000x2_lr1e-1_warmup": (2000, 2, 1e-1, "TEXT", PROMPT_VIRTUAL_TOKENS, "linear", 0.06),
    "datos2000x2_random": (
        2000,
        2,
        PROFILE_RATE,
        "RANDOM",
        PROMPT_VIRTUAL_TOKENS,
        "linear",
        0.0,
    ),
    "lab06_cosine_warmup": (
        400,
        10,
        PROFILE_RATE,
        "TEXT",
        PROMPT_VIRTUAL_TOKENS,
        "cosine",
        0.1,
    ),
    "datos2000x4": (2000, 4, PROFILE_RATE, "TEXT", PROMPT_VIRTUAL_TOKENS, "linear", 0.0),
}


def run_variant(name: str, profile, eval_steps: int) -> dict:
    from peft import PromptTuningConfig, PromptTuningInit, TaskType, get_peft_model
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    from coursekit import data
    from coursekit.metrics import compute_metrics
    from coursekit.models import load_classifier, load_tokenizer, resolve_model_name
    from coursekit.training import seed_everything

    train_size, epochs, lr, init, tokens, scheduler, warmup = VARIANTS[name]
    lr = lr or profile.prompt_learning_rate
    dataset = data.load_course_dataset(profile)
    names = data.label_names(dataset)
    _, eval_subset = data.course_subsets(dataset, profile)
    train_subset = data.balanced_subset(dataset["train"], train_size, profile.seed)
    tokenizer = load_tokenizer(profile)
    train = data.tokenize_dataset(train_subset, tokenizer, profile.max_length)
    evaluation = data.tokenize_dataset(eval_subset, tokenizer, profile.max_length)
    _, baseline = data.majority_baseline(eval_subset)
    model_path = resolve_model_name(profile)
    extra = (
        {
            "prompt_tuning_init_text": prompt_init_text(profile, names),
            "tokenizer_name_or_path": model_path,
        }
        if init == "TEXT"
        else {}
    )
    config = PromptTuningConfig(
        task_type=TaskType.SEQ_CLS,
        num_virtual_tokens=tokens,
        prompt_tuning_init=getattr(PromptTuningInit, init),
        **extra,
    )
    seed_everything(profile.seed)
    model = get_peft_model(load_classifier(profile, names), config)
    with tempfile.TemporaryDirectory() as folder:
        args = TrainingArguments(
            output_dir=folder,
            num_train_epochs=epochs,
            per_device_train_batch_size=profile.batch_size,
            per_device_eval_batch_size=profile.batch_size,
            learning_rate=lr,
            lr_scheduler_type=scheduler,
            warmup_steps=float(warmup),  # transformers 5: una fracción < 1 es proporción
            weight_decay=0.01,
            eval_strategy="steps",
            eval_steps=eval_steps,
            logging_strategy="steps",
            logging_steps=eval_steps,
            save_strategy="no",
            report_to="none",
            seed=profile.seed,
            dataloader_pin_memory=False,
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=train,
            eval_dataset=evaluation,
            data_collator=DataCollatorWithPadding(tokenizer),
            compute_metrics=compute_metrics,
        )
        start = time.perf_counter()
        trainer.train()
        total = time.perf_counter() - start
        final = trainer.evaluate()
    evals = [e for e in trainer.state.log_history if "eval_accuracy" in e]
    eval_seconds = sum(e.get("eval_runtime", 0.0) for e in evals[:-1])
    return {
        "variante": name,
        "ejemplos": train_size,
        "épocas": epochs,
        "pasos": trainer.state.global_step,
        "lr": lr,
        "init": init,
        "tokens": tokens,
        "planificador": f"{scheduler}, calentamiento {warmup:.0%}",
        "segundos_entrenamiento": total - eval_seconds,
        "curva": [(e["step"], e["eval_accuracy"]) for e in evals],
        "mejor": max(e["eval_accuracy"] for e in evals),
        "final": final["eval_accuracy"],
        "línea_base": baseline,
        "sobre_base_puntos": 100 * (final["eval_accuracy"] - baseline),
    }


COLUMNS = (
    ("variante", "variante", "{}"),
    ("ejemplos", "ejemplos", "{}"),
    ("épocas", "épocas", "{}"),
    ("pasos", "pasos", "{}"),
    ("lr", "lr", "{:.0e}"),
    ("init", "init", "{}"),
    ("planificador", "planificador", "{}"),
    ("segundos_entrenamiento", "s entrenando", "{:.0f}"),
    ("curva_texto", "exactitud cada 25 pasos", "{}"),
    ("final", "final", "{:.3f}"),
    ("sobre_base_puntos", "sobre la base", "{:+.1f}"),
)


def main() -> None:
    from coursekit.profiles import get_profile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=None, help=", ".join(VARIANTS))
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--eval-steps", type=int, default=25)
    parser.add_argument("--output", default="bench-results")
    args = parser.parse_args()
    profile = get_profile(args.profile)
    results = Path(args.output) / f"prompt-sweep-{profile.name}.jsonl"
    results.parent.mkdir(parents=True, exist_ok=True)
    print(machine_info())
    rows = []
    for name in args.variants or list(VARIANTS):
        row = run_variant(name, profile, args.eval_steps)
        row["máquina_carga_media"] = machine_info()["carga_media_inicio"]
        with results.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    for row in rows:
        row["curva_texto"] = " ".join(f"{acc:.2f}" for _, acc in row["curva"])
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
