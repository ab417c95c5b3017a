"""LLRD: un grupo por capa, tasas que decaen desde la cabeza y cada parámetro una sola vez."""

from __future__ import annotations

import math

import pytest

from coursekit.errors import CourseError
from coursekit.optim import layerwise_lr_groups, learning_rate_table, parameter_depths


def test_groups_have_the_claimed_learning_rates(tiny_bert):
    model = tiny_bert(num_hidden_layers=3)
    groups = layerwise_lr_groups(model, base_lr=1e-3, decay=0.5)
    by_name = {g["name"]: g["lr"] for g in groups}
    assert list(by_name) == ["cabeza y pooler", "capa 2", "capa 1", "capa 0", "embeddings"]
    assert by_name["cabeza y pooler"] == pytest.approx(1e-3)
    assert by_name["capa 2"] == pytest.approx(5e-4)
    assert by_name["capa 1"] == pytest.approx(2.5e-4)
    assert by_name["capa 0"] == pytest.approx(1.25e-4)
    assert by_name["embeddings"] == pytest.approx(6.25e-5)  # la más baja
    for group in groups:
        assert group["lr"] == pytest.approx(1e-3 * 0.5 ** group["depth"])


def test_head_and_embeddings_land_in_their_groups(tiny_bert):
    model = tiny_bert()
    groups = layerwise_lr_groups(model, 1e-4, 0.9)
    names = {id(p): n for n, p in model.named_parameters()}
    head = [names[id(p)] for p in groups[0]["params"]]
    assert "classifier.weight" in head and "bert.pooler.dense.weight" in head
    bottom = [names[id(p)] for p in groups[-1]["params"]]
    assert all("embeddings" in n for n in bottom)
    assert "bert.embeddings.word_embeddings.weight" in bottom


def test_every_parameter_exactly_once(classifier):
    groups = layerwise_lr_groups(classifier, 1e-4, 0.8)
    grouped = [id(p) for g in groups for p in g["params"]]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) == {id(p) for p in classifier.parameters()}
    assert len(groups) == 6 + 2  # seis capas de MiniLM, cabeza y embeddings


def test_groups_work_in_adamw_and_keep_their_ratio_under_a_scheduler(tiny_bert):
    import torch
    from transformers import get_scheduler

    model = tiny_bert()
    optimizer = torch.optim.AdamW(layerwise_lr_groups(model, 1e-3, 0.8))
    scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0, num_training_steps=10)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    rates = [g["lr"] for g in optimizer.param_groups]
    assert rates[0] == pytest.approx(1e-3 * 0.7)
    for upper, lower in zip(rates, rates[1:], strict=False):
        assert lower / upper == pytest.approx(0.8)


def test_decay_one_gives_the_same_rate_everywhere(tiny_bert):
    groups = layerwise_lr_groups(tiny_bert(), 2e-5, 1)
    assert {g["lr"] for g in groups} == {2e-5}


def test_frozen_parameters_are_left_out(tiny_bert):
    model = tiny_bert()
    for p in model.bert.embeddings.parameters():
        p.requires_grad = False
    groups = layerwise_lr_groups(model, 1e-4, 0.9)
    assert "embeddings" not in [g["name"] for g in groups]
    grouped = {id(p) for g in groups for p in g["params"]}
    assert grouped == {id(p) for p in model.parameters() if p.requires_grad}


@pytest.mark.parametrize("decay", [0, -0.5, 1.01, 2, float("nan"), "0.9", None, True])
def test_decay_outside_zero_one(tiny_bert, decay):
    with pytest.raises(CourseError, match=r"decay debe ser un número en \(0, 1\]"):
        layerwise_lr_groups(tiny_bert(), 1e-4, decay)


@pytest.mark.parametrize("base_lr", [0, -1e-4, "1e-4", None, math.inf * 0])
def test_bad_base_learning_rate(tiny_bert, base_lr):
    with pytest.raises(CourseError, match="base_lr debe ser un número positivo"):
        layerwise_lr_groups(tiny_bert(), base_lr, 0.9)


def test_model_without_numbered_layers():
    import torch

    with pytest.raises(CourseError, match="capas numeradas"):
        parameter_depths(torch.nn.Linear(3, 2))


def test_all_frozen_has_nothing_to_train(tiny_bert):
    model = tiny_bert()
    for p in model.parameters():
        p.requires_grad = False
    with pytest.raises(CourseError, match="no tiene parámetros entrenables"):
        layerwise_lr_groups(model, 1e-4, 0.9)


def test_learning_rate_table(tiny_bert):
    model = tiny_bert()
    table = learning_rate_table(layerwise_lr_groups(model, 1e-3, 0.5))
    assert list(table.columns) == ["profundidad", "learning_rate", "parámetros"]
    assert table["parámetros"].sum() == sum(p.numel() for p in model.parameters())
    assert table.loc["embeddings", "learning_rate"] == pytest.approx(1e-3 * 0.5**3)


def test_learning_rate_table_bad_groups():
    with pytest.raises(CourseError, match="No hay grupos"):
        learning_rate_table([])
    with pytest.raises(CourseError, match="le falta 'params' o 'lr'"):
        learning_rate_table([{"lr": 1e-3}])


def test_llrd_adamw_uses_the_groups_and_the_fused_kernel(tiny_bert):
    from coursekit.optim import llrd_adamw

    optimizer = llrd_adamw(tiny_bert(), 1e-3, 0.5)
    assert [g["name"] for g in optimizer.param_groups][0] == "cabeza y pooler"
    assert [g["lr"] for g in optimizer.param_groups][-1] == pytest.approx(1e-3 * 0.5**3)
    assert all(g["weight_decay"] == 0.01 for g in optimizer.param_groups)
    assert optimizer.defaults["fused"] is True  # como el AdamW por defecto de Trainer en CPU


def test_trainer_default_optimizer_is_fused_adamw():
    # Si transformers cambia su optimizador por defecto, llrd_adamw debe seguirlo.
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir="unused", report_to="none")
    assert args.optim == "adamw_torch_fused"
