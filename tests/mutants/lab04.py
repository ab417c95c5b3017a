"""Variantes del lab 04 (bucle nativo en PyTorch).

Sustituyen a las listas de errores que antes vivían en tests/test_lab_checks_training.py.
``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``): el tokenizador de MiniLM, un BERT diminuto con cabeza de 2
clases, un lote de reseñas con etiquetas y un dataloader de evaluación, sin ejecutar el notebook.
"""

from __future__ import annotations

import textwrap
from functools import cache

from mutants.spec import alternative, mistake

_TO_DEVICE = "batch = {name: tensor.to(device) for name, tensor in batch.items()}\n"


def _step(*lines: str) -> str:
    """Cuerpo de ``train_step``: mover el lote, el pase hacia delante y ``lines``."""
    return _TO_DEVICE + "outputs = model(**batch)\nloss = outputs.loss\n" + "\n".join(lines)


_BACKWARD = "loss.backward()"
_CLIP = "torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)"
_STEP = "optimizer.step()"
_SCHEDULER = "lr_scheduler.step()"
_ZERO = "optimizer.zero_grad()"
_RETURN = "return loss.item()"


def _evaluation(
    mode="model.eval()", no_grad=True, metrics_per_batch=False, average="macro", axis=-1
):
    """Cuerpo de ``evaluate_model`` como el de la solución, con un error elegido."""
    metrics = 'accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")\n'
    forward = f"predictions = model(**batch).logits.argmax(dim={axis})\n"
    if no_grad:
        forward = "with torch.no_grad():\n    " + forward
    loop = (
        ("" if not metrics_per_batch else metrics)
        + "batch = {name: tensor.to(device) for name, tensor in batch.items()}\n"
        + forward
        + 'accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])\n'
        + 'f1_metric.add_batch(predictions=predictions, references=batch["labels"])\n'
    )
    return (
        (mode + "\n" if mode else "")
        + ("" if metrics_per_batch else metrics)
        + "for batch in dataloader:\n"
        + textwrap.indent(loop, "    ")
        + 'return {"accuracy": accuracy_metric.compute()["accuracy"],\n'
        + f'        "f1_macro": f1_metric.compute(average="{average}")["f1"]}}'
    )


TRAIN = "04-paso-de-entrenamiento"
EVAL = "04-bucle-de-evaluacion"

VARIANTS = [
    mistake(
        TRAIN,
        "sin-zero-grad",
        _step(_BACKWARD, _CLIP, _STEP, _SCHEDULER, _RETURN),
        "no borra los gradientes: el segundo paso suma los del primero",
        hint="acumula",
    ),
    mistake(
        TRAIN,
        "sin-scheduler",
        _step(_BACKWARD, _CLIP, _STEP, _ZERO, _RETURN),
        "no avanza el scheduler: la tasa de aprendizaje no baja",
        hint="scheduler",
    ),
    mistake(
        TRAIN,
        "recorte-despues-de-step",
        _step(_BACKWARD, _STEP, _CLIP, _SCHEDULER, _ZERO, _RETURN),
        "recorta los gradientes después de que el optimizador los use",
        hint="recorte",
    ),
    mistake(
        TRAIN,
        "recorte-fijo",
        _step(
            _BACKWARD,
            "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)",
            _STEP,
            _SCHEDULER,
            _ZERO,
            _RETURN,
        ),
        "recorta con 1.0 fijo en vez del max_grad_norm que recibe",
        hint="max_grad_norm",
    ),
    mistake(
        TRAIN,
        "sin-recorte",
        _step(_BACKWARD, _STEP, _SCHEDULER, _ZERO, _RETURN),
        "no recorta los gradientes",
        hint="recorte",
    ),
    mistake(
        TRAIN,
        "sin-optimizer-step",
        _step(_BACKWARD, _CLIP, _SCHEDULER, _ZERO, _RETURN),
        "no llama a optimizer.step(): los pesos no cambian",
        hint="optimizador",
    ),
    mistake(
        TRAIN,
        "scheduler-antes-de-step",
        _step(_BACKWARD, _CLIP, _SCHEDULER, _STEP, _ZERO, _RETURN),
        "avanza el scheduler antes de actualizar: el primer paso usa una tasa ya reducida",
        hint="scheduler",
    ),
    mistake(
        TRAIN,
        "zero-grad-antes-de-step",
        _step(_BACKWARD, _CLIP, _ZERO, _STEP, _SCHEDULER, _RETURN),
        "borra los gradientes antes de que el optimizador los use",
        hint="gradientes",
    ),
    mistake(
        TRAIN,
        "devuelve-tensor",
        _step(_BACKWARD, _CLIP, _STEP, _SCHEDULER, _ZERO, "return loss"),
        "devuelve la pérdida como tensor (mantiene vivo el grafo)",
        hint="número de python",
    ),
    alternative(
        TRAIN,
        "zero-grad-al-principio",
        "optimizer.zero_grad(set_to_none=True)\n"
        "batch = {k: v.to(device) for k, v in batch.items()}\n"
        "loss = model(**batch)[0]\n"
        "loss.backward()\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_grad_norm)\n"
        "optimizer.step()\n"
        "lr_scheduler.step()\n"
        "return float(loss)",
    ),
    alternative(
        TRAIN,
        "batchencoding-to",
        "model.zero_grad()\n"
        "outputs = model(**batch.to(device))\n"
        "outputs.loss.backward()\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)\n"
        "optimizer.step()\n"
        "lr_scheduler.step()\n"
        "return outputs.loss.detach().item()",
    ),
    mistake(
        EVAL,
        "sin-eval",
        _evaluation(mode=""),
        "evalúa en modo entrenamiento: el dropout sigue activo",
        hint="modo",
    ),
    mistake(
        EVAL,
        "sin-no-grad",
        _evaluation(no_grad=False),
        "guarda lo necesario para los gradientes (sin torch.no_grad)",
        hint="gradientes",
    ),
    mistake(
        EVAL,
        "solo-ultimo-lote",
        _evaluation(metrics_per_batch=True),
        "crea las métricas dentro del bucle: solo cuenta el último lote",
        hint="último lote",
    ),
    mistake(
        EVAL,
        "f1-sin-average",
        _evaluation().replace('f1_metric.compute(average="macro")', "f1_metric.compute()"),
        "F1 sin average: como la de evaluate, usa 'binary' y falla con más de dos clases",
        hint="solo vale con dos clases",
    ),
    mistake(
        EVAL,
        "f1-ponderada",
        _evaluation(average="weighted"),
        "F1 ponderada por la frecuencia de cada clase en vez de macro",
        hint="macro",
    ),
    mistake(
        EVAL,
        "argmax-sobre-el-lote",
        _evaluation(axis=0),
        "argmax sobre los ejemplos del lote en vez de sobre las clases",
        hint="lanzó",
    ),
    alternative(
        EVAL,
        "listas-e-inference-mode",
        """\
model.train(False)
all_predictions, all_labels = [], []
with torch.inference_mode():
    for batch in dataloader:
        batch = batch.to(device)
        logits = model(**batch).logits
        all_predictions.extend(torch.argmax(logits, -1).cpu().tolist())
        all_labels.extend(batch["labels"].cpu().tolist())
accuracy = load_metric("accuracy").compute(predictions=all_predictions, references=all_labels)
f1 = load_metric("f1").compute(predictions=all_predictions, references=all_labels,
                               average="macro")
return dict(f1_macro=f1["f1"], accuracy=accuracy["accuracy"])""",
    ),
    alternative(
        EVAL,
        "sklearn",
        """\
from sklearn.metrics import accuracy_score, f1_score
model.eval()
predicted, expected = [], []
for batch in dataloader:
    with torch.no_grad():
        output = model(input_ids=batch["input_ids"].to(device),
                       attention_mask=batch["attention_mask"].to(device))
    predicted += output.logits.argmax(-1).tolist()
    expected += batch["labels"].tolist()
return {"accuracy": accuracy_score(expected, predicted),
        "f1_macro": f1_score(expected, predicted, average="macro")}""",
    ),
]


# Reseñas y etiquetas fijas (2 clases, como ``ci``): sin cargar el CSV ni tokenizar un dataset,
# el espacio de nombres se construye en décimas de segundo.
_REVIEWS = [
    ("A wonderful film, funny and moving.", 1),
    ("Boring and far too long.", 0),
    ("Fine.", 1),
    ("I loved every minute of it, the cast is brilliant.", 1),
    ("The plot makes no sense and the jokes fall flat.", 0),
    ("Not worth the ticket.", 0),
    ("A quiet, beautiful story.", 1),
    ("Two hours of my life I will never get back.", 0),
    ("Smart script, great music.", 1),
    ("Dull.", 0),
    ("The last act almost saves it, but not quite.", 0),
]


@cache
def _shared():
    import torch
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding

    from coursekit.checks import check
    from coursekit.models import load_tokenizer
    from coursekit.profiles import get_profile
    from coursekit.toy_models import tiny_bert_classifier

    profile = get_profile("ci")
    tokenizer = load_tokenizer(profile)
    rows = [
        {**tokenizer(text, truncation=True, max_length=profile.max_length), "labels": label}
        for text, label in _REVIEWS
    ]
    collator = DataCollatorWithPadding(tokenizer)
    # Un BERT diminuto (2 capas, ancho 32) con el vocabulario de MiniLM: las comprobaciones
    # hacen varios pases con copias del modelo y así cada variante tarda décimas, no segundos.
    # El MiniLM real lo comprueba nbval al ejecutar el notebook.
    model = tiny_bert_classifier(2, seed=profile.seed, vocab_size=tokenizer.vocab_size)
    return {
        "check": check,
        "torch": torch,
        "profile": profile,
        "device": torch.device("cpu"),
        "model": model,
        "batch": collator(rows[:8]),
        "validation_dataloader": DataLoader(rows, batch_size=4, collate_fn=collator),  # 4 + 4 + 3
    }


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación.

    Las comprobaciones trabajan sobre copias del modelo, así que se comparte entre variantes."""
    return dict(_shared())
