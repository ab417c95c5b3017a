"""Agrupación (pooling): media de los tokens con la máscara, y el clasificador que la usa."""

from __future__ import annotations

import pytest
import torch

from coursekit.errors import CourseError
from coursekit.method_settings import (
    MEAN_POOLING_SUFFIX,
    course_methods,
    frozen_encoder_method,
)
from coursekit.pooling import (
    MeanPoolingBertForSequenceClassification,
    mean_pool,
    pooled_vectors,
    with_mean_pooling,
)
from coursekit.profiles import get_profile

IDS = torch.tensor([[101, 2023, 3185, 2001, 2307, 102], [101, 6659, 102, 0, 0, 0]])
MASK = (IDS != 0).long()


def test_mean_pool_ignores_padding():
    hidden = torch.arange(2 * 3 * 2, dtype=torch.float32).reshape(2, 3, 2)
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]])
    pooled = mean_pool(hidden, mask)
    assert torch.allclose(pooled[0], hidden[0].mean(dim=0))
    assert torch.allclose(pooled[1], hidden[1, 0])  # solo el token no relleno
    assert torch.allclose(mean_pool(hidden), hidden.mean(dim=1))


def test_mean_pool_rejects_wrong_shapes():
    with pytest.raises(CourseError, match="lote × tokens × ancho"):
        mean_pool(torch.zeros(2, 3))
    with pytest.raises(CourseError, match="no cuadra"):
        mean_pool(torch.zeros(2, 3, 4), torch.ones(2, 5))


def test_with_mean_pooling_keeps_the_weights_and_classifies_from_the_mean(tiny_bert):
    model = tiny_bert()
    pooled_model = with_mean_pooling(model)
    assert isinstance(pooled_model, MeanPoolingBertForSequenceClassification)
    assert type(model).__name__ == "BertForSequenceClassification"  # el original no cambia
    original, converted = model.state_dict(), pooled_model.state_dict()
    assert original.keys() == converted.keys()
    assert all(torch.equal(original[k], converted[k]) for k in original)
    assert not pooled_model.training  # el modo de model (eval) se conserva
    with torch.no_grad():
        outputs = model.bert(input_ids=IDS, attention_mask=MASK)
        expected = model.classifier(mean_pool(outputs.last_hidden_state, MASK))
        logits = pooled_model(input_ids=IDS, attention_mask=MASK).logits
        from_pooler = model(input_ids=IDS, attention_mask=MASK).logits
    assert torch.allclose(logits, expected, atol=1e-6)
    assert not torch.allclose(logits, from_pooler)  # no es el pooler de siempre
    assert with_mean_pooling(pooled_model) is pooled_model


def test_mean_pooling_classifier_is_blind_to_padding(tiny_bert):
    model = with_mean_pooling(tiny_bert())
    short = IDS[1:, :3]
    with torch.no_grad():
        alone = model(input_ids=short, attention_mask=torch.ones_like(short)).logits
        padded = model(input_ids=IDS, attention_mask=MASK).logits[1:]
    assert torch.allclose(alone, padded, atol=1e-5)


def test_mean_pooling_classifier_loss_and_gradients(tiny_bert):
    model = with_mean_pooling(tiny_bert()).train()
    labels = torch.tensor([1, 0])
    output = model(input_ids=IDS, attention_mask=MASK, labels=labels)
    expected = torch.nn.functional.cross_entropy(output.logits, labels)
    assert torch.allclose(output.loss, expected)
    output.loss.backward()
    assert model.classifier.weight.grad is not None
    assert model.bert.pooler.dense.weight.grad is None  # el pooler no interviene


def test_mean_pooling_classifier_saves_and_loads(tiny_bert, tmp_path):
    model = with_mean_pooling(tiny_bert())
    model.save_pretrained(tmp_path)
    loaded = MeanPoolingBertForSequenceClassification.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        before = model(input_ids=IDS, attention_mask=MASK).logits
        after = loaded(input_ids=IDS, attention_mask=MASK).logits
    assert torch.allclose(before, after, atol=1e-6)


def test_with_mean_pooling_needs_a_bert_classifier():
    with pytest.raises(CourseError, match="necesita un BertForSequenceClassification"):
        with_mean_pooling(torch.nn.Linear(2, 2))


def test_pooled_vectors(tiny_bert):
    model = tiny_bert()
    with torch.no_grad():
        outputs = model.bert(input_ids=IDS, attention_mask=MASK)
    assert torch.equal(pooled_vectors(outputs, MASK, "pooler"), outputs.pooler_output)
    assert torch.equal(pooled_vectors(outputs, MASK, "cls"), outputs.last_hidden_state[:, 0])
    assert torch.allclose(
        pooled_vectors(outputs, MASK, "mean"), mean_pool(outputs.last_hidden_state, MASK)
    )
    with pytest.raises(CourseError, match="Agrupación desconocida"):
        pooled_vectors(outputs, MASK, "max")


def test_frozen_encoder_with_mean_pooling_trains_only_the_head(tiny_bert):
    method = frozen_encoder_method(tiny_bert, pooling="mean")
    assert method.name == "codificador congelado" + MEAN_POOLING_SUFFIX
    assert "media" in method.description
    model = method.build_model()
    assert isinstance(model, MeanPoolingBertForSequenceClassification)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ["classifier.weight", "classifier.bias"]
    assert frozen_encoder_method(tiny_bert).name == "codificador congelado"
    with pytest.raises(CourseError, match="pooling debe ser"):
        frozen_encoder_method(tiny_bert, pooling="max")


def test_course_methods_with_mean_pooling_wrap_peft(tiny_bert):
    from coursekit.models import resolve_model_name
    from coursekit.peft_methods import check_head_trainable

    profile = get_profile("ci")
    methods = {
        m.name: m
        for m in course_methods(tiny_bert, resolve_model_name("ci"), profile, pooling="mean")
    }
    assert all(name.endswith(MEAN_POOLING_SUFFIX) for name in methods)
    for name in ("LoRA", "prompt tuning"):
        model = methods[name + MEAN_POOLING_SUFFIX].build_model()
        assert isinstance(
            model.base_model.model if name == "LoRA" else model.base_model,
            MeanPoolingBertForSequenceClassification,
        )
        assert check_head_trainable(model)
        output = model(input_ids=IDS, attention_mask=MASK, labels=torch.tensor([1, 0]))
        output.loss.backward()  # con prompt tuning, peft alarga la máscara: la media los cuenta
        assert output.logits.shape == (2, 2)
    with pytest.raises(CourseError, match="pooling debe ser"):
        course_methods(tiny_bert, "x", profile, pooling="cls")
