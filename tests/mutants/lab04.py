"""Variantes del lab 04 (bucle nativo en PyTorch).

Sustituyen a las listas de errores que antes vivían en tests/test_lab_checks_training.py.
``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``): los datos y el tokenizador de MiniLM, un BERT diminuto con cabeza
de 2 clases, un lote con etiquetas y el dataloader de evaluación, sin ejecutar el notebook.
"""

from __future__ import annotations

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
        """\
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")
for batch in dataloader:
    batch = {name: tensor.to(device) for name, tensor in batch.items()}
    with torch.no_grad():
        predictions = model(**batch).logits.argmax(dim=-1)
    accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])
    f1_metric.add_batch(predictions=predictions, references=batch["labels"])
return {"accuracy": accuracy_metric.compute()["accuracy"],
        "f1_macro": f1_metric.compute(average="macro")["f1"]}""",
        "evalúa en modo entrenamiento: el dropout sigue activo",
        hint="modo",
    ),
    mistake(
        EVAL,
        "sin-no-grad",
        """\
model.eval()
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")
for batch in dataloader:
    batch = {name: tensor.to(device) for name, tensor in batch.items()}
    predictions = model(**batch).logits.argmax(dim=-1)
    accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])
    f1_metric.add_batch(predictions=predictions, references=batch["labels"])
return {"accuracy": accuracy_metric.compute()["accuracy"],
        "f1_macro": f1_metric.compute(average="macro")["f1"]}""",
        "guarda lo necesario para los gradientes (sin torch.no_grad)",
        hint="gradientes",
    ),
    mistake(
        EVAL,
        "solo-ultimo-lote",
        """\
model.eval()
for batch in dataloader:
    accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")
    batch = {name: tensor.to(device) for name, tensor in batch.items()}
    with torch.no_grad():
        predictions = model(**batch).logits.argmax(dim=-1)
    accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])
    f1_metric.add_batch(predictions=predictions, references=batch["labels"])
return {"accuracy": accuracy_metric.compute()["accuracy"],
        "f1_macro": f1_metric.compute(average="macro")["f1"]}""",
        "crea las métricas dentro del bucle: solo cuenta el último lote",
        hint="último lote",
    ),
    mistake(
        EVAL,
        "f1-ponderada",
        """\
model.eval()
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")
for batch in dataloader:
    batch = {name: tensor.to(device) for name, tensor in batch.items()}
    with torch.no_grad():
        predictions = model(**batch).logits.argmax(dim=-1)
    accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])
    f1_metric.add_batch(predictions=predictions, references=batch["labels"])
return {"accuracy": accuracy_metric.compute()["accuracy"],
        "f1_macro": f1_metric.compute(average="weighted")["f1"]}""",
        "F1 ponderada por la frecuencia de cada clase en vez de macro",
        hint="macro",
    ),
    mistake(
        EVAL,
        "argmax-sobre-el-lote",
        """\
model.eval()
accuracy_metric, f1_metric = load_metric("accuracy"), load_metric("f1")
for batch in dataloader:
    batch = {name: tensor.to(device) for name, tensor in batch.items()}
    with torch.no_grad():
        predictions = model(**batch).logits.argmax(dim=0)
    accuracy_metric.add_batch(predictions=predictions, references=batch["labels"])
    f1_metric.add_batch(predictions=predictions, references=batch["labels"])
return {"accuracy": accuracy_metric.compute()["accuracy"],
        "f1_macro": f1_metric.compute(average="macro")["f1"]}""",
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


@cache
def _shared():
    import torch
    from torch.utils.data import DataLoader
    from transformers import BertConfig, BertForSequenceClassification, DataCollatorWithPadding

    from coursekit import data
    from coursekit.models import load_tokenizer
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    dataset = data.load_course_dataset(profile)
    class_names = data.label_names(dataset)
    train_subset, eval_subset = data.course_subsets(dataset, profile)
    tokenizer = load_tokenizer(profile)

    def to_torch(subset):
        tokenized = subset.map(
            lambda b: tokenizer(b["text"], truncation=True, max_length=profile.max_length),
            batched=True,
        )
        tokenized = tokenized.remove_columns([c for c in subset.column_names if c != "label"])
        tokenized = tokenized.rename_column("label", "labels")
        tokenized.set_format("torch")
        return tokenized

    collator = DataCollatorWithPadding(tokenizer)
    train_loader = DataLoader(
        to_torch(train_subset), batch_size=profile.batch_size, collate_fn=collator
    )
    eval_loader = DataLoader(
        to_torch(eval_subset), batch_size=profile.batch_size, collate_fn=collator
    )
    # Un BERT diminuto (2 capas, ancho 32) con el vocabulario de MiniLM: las comprobaciones
    # hacen varios pases con copias del modelo y así cada variante tarda décimas, no segundos.
    # El MiniLM real lo comprueba nbval al ejecutar el notebook.
    torch.manual_seed(profile.seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(class_names),
    )
    model = BertForSequenceClassification(config)
    from coursekit.checks import check

    return {
        "check": check,
        "torch": torch,
        "profile": profile,
        "device": torch.device("cpu"),
        "model": model,
        "batch": next(iter(train_loader)),
        "eval_dataloader": eval_loader,
    }


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación.

    Las comprobaciones trabajan sobre copias del modelo, así que se comparte entre variantes."""
    return dict(_shared())
