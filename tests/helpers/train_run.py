"""Un entrenamiento corto con ``Trainer`` (perfil ``ci``) que se puede matar y reanudar.

Lo usan las pruebas de reanudación y determinismo en procesos aparte, como un notebook de
Colab que se desconecta::

    python tests/helpers/train_run.py SALIDA RESULTADO.json [--kill-after-step N] [--resume]

``--kill-after-step N`` termina el proceso con ``os._exit`` justo después de guardar el
checkpoint del paso N (sin limpiar nada, como una desconexión). ``--resume`` reanuda desde
el último checkpoint de SALIDA con ``coursekit.checkpoints.resume_checkpoint`` (como los labs).
"""

from __future__ import annotations

import argparse
import json
import os

from transformers import DataCollatorWithPadding, Trainer, TrainerCallback, TrainingArguments

from coursekit.checkpoints import resume_checkpoint
from coursekit.data import course_subsets, label_names, load_course_dataset, tokenize_dataset
from coursekit.metrics import compute_metrics
from coursekit.models import load_classifier, load_tokenizer
from coursekit.profiles import get_profile
from coursekit.training import seed_everything

EPOCHS = 2


class KillAfterSave(TrainerCallback):
    """Mata el proceso en cuanto existe el checkpoint del paso indicado."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            os._exit(17)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output_dir")
    parser.add_argument("result")
    parser.add_argument("--kill-after-step", type=int)
    parser.add_argument("--resume", action="store_true")
    options = parser.parse_args()

    profile = get_profile("ci")
    seed_everything(profile.seed)
    dataset = load_course_dataset(profile)
    train, evaluation = course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)
    train = tokenize_dataset(train, tokenizer, profile.max_length)
    evaluation = tokenize_dataset(evaluation, tokenizer, profile.max_length)
    model = load_classifier(profile, label_names(dataset))

    args = TrainingArguments(
        output_dir=options.output_dir,
        num_train_epochs=EPOCHS,
        per_device_train_batch_size=profile.batch_size,
        per_device_eval_batch_size=profile.batch_size,
        learning_rate=profile.learning_rate,
        eval_strategy="epoch",
        # Como en el lab 02: evaluar y guardar al final de cada época (en ese orden, así el
        # checkpoint guarda el estado aleatorio de después de evaluar). Con save_strategy="steps"
        # y un guardado justo al final de una época, el checkpoint se escribe antes de la
        # evaluación y al reanudar el dropout de la época siguiente cambia (medido: pérdida
        # 0.69113 frente a 0.69099).
        save_strategy="epoch",
        save_total_limit=2,
        logging_strategy="epoch",
        seed=profile.seed,
        report_to="none",
        dataloader_pin_memory=False,
        use_cpu=True,
        disable_tqdm=True,
    )
    callbacks = [KillAfterSave(options.kill_after_step)] if options.kill_after_step else []
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_metrics,
        callbacks=callbacks,
    )
    checkpoint = resume_checkpoint(options.output_dir, model) if options.resume else None
    trainer.train(resume_from_checkpoint=checkpoint)
    history = [e for e in trainer.state.log_history if "eval_loss" in e]
    result = {
        "resumed_from": os.path.basename(checkpoint) if checkpoint else None,
        "global_step": trainer.state.global_step,
        "final": trainer.evaluate(),
        "history": history,
    }
    with open(options.result, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
