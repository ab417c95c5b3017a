"""Comprobaciones de los labs 02 y 04: aciertan con la solución y dan la pista correcta."""

from __future__ import annotations

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
def small_classifier():
    """BERT diminuto en modo evaluación (la cabeza de 2 clases del notebook, en décimas)."""
    from coursekit.toy_models import tiny_bert_classifier

    return tiny_bert_classifier(2).eval()


@pytest.fixture(scope="module")
def labelled_batch(tokenizer):
    texts = ["A wonderful film.", "Boring and far too long.", "Fine.", "I loved every minute."]
    features = [
        {**tokenizer(text, truncation=True, max_length=32), "labels": label}
        for text, label in zip(texts, [1, 0, 1, 1], strict=True)
    ]
    return DataCollatorWithPadding(tokenizer)(features)


# Los errores plausibles de los dos ejercicios del lab 04 (sin zero_grad, sin scheduler, recorte
# después de optimizer.step(), evaluación en modo entrenamiento...) y las respuestas correctas
# escritas de otra forma están en tests/mutants/lab04.py. Aquí: que la comprobación no toca el
# modelo del notebook ni el estado aleatorio.


def _step():
    def train_step(model, batch, optimizer, lr_scheduler, max_grad_norm=1.0):
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        lr_scheduler.step()
        optimizer.zero_grad()
        return loss.item()

    return train_step


def _check_step(function, classifier, batch):
    return check(
        "04-paso-de-entrenamiento",
        train_step=function,
        model=classifier,
        batch=batch,
        learning_rate=1e-4,
    )


def test_train_step_solution_passes(small_classifier, labelled_batch):
    before = [p.detach().clone() for p in small_classifier.parameters()]
    assert _check_step(_step(), small_classifier, labelled_batch)
    after = list(small_classifier.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True)), (
        "la comprobación no debe entrenar el modelo del notebook"
    )
    assert all(p.grad is None for p in small_classifier.parameters())


def test_train_step_does_not_disturb_random_state(small_classifier, labelled_batch):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _check_step(_step(), small_classifier, labelled_batch)
    assert torch.equal(torch.rand(3), expected)


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


def _evaluation():
    def evaluate_model(model, dataloader):
        model.eval()
        accuracy, f1 = load_metric("accuracy"), load_metric("f1")
        for batch in dataloader:
            with torch.no_grad():
                predictions = model(**batch).logits.argmax(dim=-1)
            accuracy.add_batch(predictions=predictions, references=batch["labels"])
            f1.add_batch(predictions=predictions, references=batch["labels"])
        return {
            "accuracy": accuracy.compute()["accuracy"],
            "f1_macro": f1.compute(average="macro")["f1"],
        }

    return evaluate_model


def test_evaluation_solution_passes(small_classifier, eval_loader):
    assert check(
        "04-bucle-de-evaluacion",
        evaluate_model=_evaluation(),
        model=small_classifier,
        dataloader=eval_loader,
    )
    assert not small_classifier.training, (
        "la comprobación evalúa una copia: el modelo queda como estaba"
    )
