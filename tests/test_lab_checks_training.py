"""Comprobaciones de los labs 02 y 04: aciertan con la solución y dan la pista correcta."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch
from transformers import DataCollatorWithPadding, TrainingArguments, get_scheduler

from coursekit.checks import CheckFailed, available_checks, check
from coursekit.metrics import load_metric


def test_training_lab_checks_are_registered():
    assert {
        "02-compute-metrics",
        "02-tasa-de-aprendizaje",
        "04-paso-de-entrenamiento",
        "04-bucle-de-evaluacion",
    } <= set(available_checks())


# --- 02-compute-metrics ---------------------------------------------------------------------


def _metrics_function(average="macro", argmax=True, keys=("accuracy", "f1_macro")):
    accuracy, f1 = load_metric("accuracy"), load_metric("f1")

    def compute_metrics(eval_pred):
        logits, labels = eval_pred
        predictions = np.argmax(logits, axis=-1) if argmax else logits
        values = {
            "accuracy": accuracy.compute(predictions=predictions, references=labels)["accuracy"],
            "f1_macro": f1.compute(predictions=predictions, references=labels, average=average)[
                "f1"
            ],
        }
        return {key: values[key] for key in keys}

    return compute_metrics


@pytest.mark.parametrize("num_labels", [2, 5])
def test_compute_metrics_solution_passes(num_labels, capsys):
    assert check("02-compute-metrics", compute_metrics=_metrics_function(), num_labels=num_labels)
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (_metrics_function(keys=("accuracy",)), r"faltan las claves \['f1_macro'\]"),
        (lambda eval_pred: [0.5, 0.5], "diccionario"),
        ("no soy una función", "tiene que ser una función"),
    ],
)
def test_compute_metrics_mistakes(function, hint):
    """Lo que no está en tests/mutants/lab02.py (eje, micro, ponderada, porcentajes...)."""
    with pytest.raises(CheckFailed, match=hint):
        check("02-compute-metrics", compute_metrics=function, num_labels=3)


# --- 02-tasa-de-aprendizaje -----------------------------------------------------------------


def _args(tmp_path, name="a", **overrides):
    settings = dict(
        output_dir=str(tmp_path / name),
        num_train_epochs=3,
        per_device_train_batch_size=16,
        learning_rate=1e-4,
        eval_strategy="epoch",
        save_strategy="epoch",
        seed=42,
        report_to="none",
    )
    return TrainingArguments(**(settings | overrides))


def test_learning_rate_args_solution_passes(tmp_path):
    reference = _args(tmp_path)
    new = _args(tmp_path, "b", learning_rate=5e-5)
    assert check(
        "02-tasa-de-aprendizaje", new_args=new, reference_args=reference, learning_rate=5e-5
    )


@pytest.mark.parametrize(
    ("name", "overrides", "hint"),
    [
        ("b", {"learning_rate": 5e-5, "num_train_epochs": 2}, r"num_train_epochs \(2"),
        ("b", {"learning_rate": 5e-5, "eval_strategy": "no"}, "eval_strategy"),
    ],
)
def test_learning_rate_args_mistakes(tmp_path, name, overrides, hint):
    with pytest.raises(CheckFailed, match=hint):
        check(
            "02-tasa-de-aprendizaje",
            new_args=_args(tmp_path, name, **overrides),
            reference_args=_args(tmp_path),
            learning_rate=5e-5,
        )


def test_learning_rate_args_must_be_training_arguments(tmp_path):
    with pytest.raises(CheckFailed, match="TrainingArguments"):
        check(
            "02-tasa-de-aprendizaje",
            new_args={"learning_rate": 5e-5},
            reference_args=_args(tmp_path),
            learning_rate=5e-5,
        )


# --- 04-paso-de-entrenamiento ---------------------------------------------------------------


@pytest.fixture(scope="module")
def labelled_batch(tokenizer):
    texts = ["A wonderful film.", "Boring and far too long.", "Fine.", "I loved every minute."]
    features = [
        {**tokenizer(text, truncation=True, max_length=32), "labels": label}
        for text, label in zip(texts, [1, 0, 1, 1], strict=True)
    ]
    return DataCollatorWithPadding(tokenizer)(features)


def _step(clip=True, scheduler_step=True, zero_grad=True, optimizer_step=True, item=True):
    def train_step(model, batch, optimizer, lr_scheduler, max_grad_norm=1.0):
        loss = model(**batch).loss
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        if optimizer_step:
            optimizer.step()
        if scheduler_step:
            lr_scheduler.step()
        if zero_grad:
            optimizer.zero_grad()
        return loss.item() if item else loss

    return train_step


def _check_step(function, classifier, batch):
    return check(
        "04-paso-de-entrenamiento",
        train_step=function,
        model=classifier,
        batch=batch,
        learning_rate=1e-4,
    )


def test_train_step_solution_passes(classifier, labelled_batch):
    before = [p.detach().clone() for p in classifier.parameters()]
    assert _check_step(_step(), classifier, labelled_batch)
    after = list(classifier.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True)), (
        "la comprobación no debe entrenar el modelo del notebook"
    )
    assert all(p.grad is None for p in classifier.parameters())


def test_train_step_does_not_disturb_random_state(classifier, labelled_batch):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _check_step(_step(), classifier, labelled_batch)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (_step(zero_grad=False), "optimizer.zero_grad"),
        (_step(scheduler_step=False), "lr_scheduler.step"),
        (_step(clip=False), "clip_grad_norm_"),
        (_step(optimizer_step=False), r"optimizer.step\(\) no se llamó"),
        (_step(item=False), r"loss.item\(\)"),
        (lambda model, batch, optimizer, lr_scheduler: None, "no devuelve nada"),
    ],
)
def test_train_step_mistakes(classifier, labelled_batch, function, hint):
    with pytest.raises(CheckFailed, match=hint):
        _check_step(function, classifier, labelled_batch)


def test_scheduler_from_transformers_is_linear_to_zero():
    """El ejercicio da por hecho que get_scheduler('linear') baja la lr en cada paso."""
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0, num_training_steps=4)
    rates = []
    for _ in range(4):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    assert rates == [1.0, 0.75, 0.5, 0.25]


# --- 04-bucle-de-evaluacion -----------------------------------------------------------------


@pytest.fixture(scope="module")
def eval_loader(labelled_batch):
    rows = [
        {name: tensor[i] for name, tensor in labelled_batch.items()}
        for i in range(len(labelled_batch["labels"]))
    ]
    return torch.utils.data.DataLoader(rows, batch_size=3)  # dos batches: 3 + 1


def _evaluation(only_last_batch=False, average="macro", as_dict=True, no_grad=True):
    def evaluate_model(model, dataloader):
        model.eval()
        accuracy, f1 = load_metric("accuracy"), load_metric("f1")
        for batch in dataloader:
            with torch.no_grad() if no_grad else contextlib.nullcontext():
                predictions = model(**batch).logits.argmax(dim=-1)
            if only_last_batch:
                accuracy, f1 = load_metric("accuracy"), load_metric("f1")
            accuracy.add_batch(predictions=predictions, references=batch["labels"])
            f1.add_batch(predictions=predictions, references=batch["labels"])
        result = {
            "accuracy": accuracy.compute()["accuracy"],
            "f1_macro": f1.compute(average=average)["f1"],
        }
        return result if as_dict else list(result.values())

    return evaluate_model


def test_evaluation_solution_passes(classifier, eval_loader):
    assert check(
        "04-bucle-de-evaluacion",
        evaluate_model=_evaluation(),
        model=classifier,
        dataloader=eval_loader,
    )


@pytest.mark.parametrize(
    ("mistake", "biased", "hint"),
    [
        # Con la cabeza al azar todo podría predecirse igual: se sesga para que el último
        # batch (todo aciertos) dé otra exactitud que el dataloader entero.
        ({"only_last_batch": True}, True, "add_batch en cada lote"),
        ({"no_grad": False}, False, "torch.no_grad"),
        ({"as_dict": False}, False, "diccionario"),
    ],
)
def test_evaluation_mistakes(classifier, eval_loader, mistake, biased, hint):
    model = _biased_towards(classifier, 1) if biased else classifier
    with pytest.raises(CheckFailed, match=hint):
        check(
            "04-bucle-de-evaluacion",
            evaluate_model=_evaluation(**mistake),
            model=model,
            dataloader=eval_loader,
        )


def _biased_towards(classifier, label):
    """Copia del clasificador que siempre predice ``label`` (sesgo enorme en la cabeza)."""
    import copy

    model = copy.deepcopy(classifier)
    with torch.no_grad():
        model.classifier.bias.zero_()
        model.classifier.bias[label] = 100.0
    return model
