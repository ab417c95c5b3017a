"""Ayudas de peft: errores en español antes de get_peft_model, la cabeza entrenable con
SEQ_CLS, conteos de parámetros y un adaptador guardado que se recarga idéntico."""

from __future__ import annotations

import numpy as np
import pytest
from peft import (
    LoraConfig,
    PeftModel,
    PrefixTuningConfig,
    PromptEncoderConfig,
    PromptTuningConfig,
    TaskType,
    get_peft_model,
)

from coursekit.errors import CourseError
from coursekit.peft_methods import (
    check_head_trainable,
    check_peft_config,
    component_of,
    freeze_all_but,
    linear_layer_names,
    parameter_breakdown,
    trainable_parameter_names,
)
from coursekit.predictions import text_logits

TEXTS = ["A warm, funny and clever film.", "Dull, long and pointless.", "It was fine."]


def lora_config(**changes):
    settings = dict(
        task_type=TaskType.SEQ_CLS, r=4, lora_alpha=8, target_modules=["query", "value"]
    )
    return LoraConfig(**{**settings, **changes})


def test_linear_layer_names_lists_what_target_modules_accepts(tiny_bert):
    table = linear_layer_names(tiny_bert())
    assert {"query", "key", "value", "dense", "classifier"} <= set(table.index)
    assert table.loc["query", "capas"] == 2  # una por capa del encoder
    assert table.loc["query", "formas"] == "32 → 32"
    assert table.loc["query", "ejemplo"] == "bert.encoder.layer.0.attention.self.query"


def test_valid_lora_config_passes(tiny_bert):
    check_peft_config(tiny_bert(), lora_config())
    check_peft_config(tiny_bert(), lora_config(target_modules=r".*\.(query|value)"))


def test_target_module_not_in_model(tiny_bert):
    with pytest.raises(CourseError, match="no existen en BertForSequenceClassification: q_proj"):
        check_peft_config(tiny_bert(), lora_config(target_modules=["query", "q_proj"]))


def test_target_module_error_lists_available_layers(tiny_bert):
    with pytest.raises(CourseError, match="Capas lineales disponibles: classifier, dense, key"):
        check_peft_config(tiny_bert(), lora_config(target_modules=["c_attn"]))


def test_target_module_regex_that_matches_nothing(tiny_bert):
    with pytest.raises(CourseError, match="no coincide con ningún módulo"):
        check_peft_config(tiny_bert(), lora_config(target_modules=r".*\.q_proj"))


def test_causal_lm_task_type_on_a_classifier(tiny_bert):
    with pytest.raises(CourseError, match="necesita task_type=TaskType.SEQ_CLS"):
        check_peft_config(tiny_bert(), lora_config(task_type="CAUSAL_LM"))


def test_already_wrapped_model(tiny_bert):
    wrapped = get_peft_model(tiny_bert(), lora_config())
    with pytest.raises(CourseError, match="ya está envuelto por peft"):
        check_peft_config(wrapped, lora_config())


def test_config_that_is_not_from_peft(tiny_bert):
    with pytest.raises(CourseError, match="transformers no tiene PromptTuningConfig"):
        check_peft_config(tiny_bert(), {"num_virtual_tokens": 10})


def prompt_config(**changes):
    settings = dict(task_type=TaskType.SEQ_CLS, num_virtual_tokens=5)
    return PromptTuningConfig(**{**settings, **changes})


def test_prompt_tuning_on_a_model_that_is_not_transformers():
    import torch

    with pytest.raises(CourseError, match="peft no envuelve modelos de Keras ni módulos sueltos"):
        check_peft_config(torch.nn.Linear(4, 2), prompt_config())


def test_prompt_tuning_on_a_keras_like_object():
    class KerasLikeModel:
        config = {}

    with pytest.raises(CourseError, match="recibió KerasLikeModel"):
        check_peft_config(KerasLikeModel(), prompt_config())


def test_prompt_tuning_on_a_model_without_inputs_embeds():
    import torch

    class NoEmbedsClassifier(torch.nn.Module):
        config = None

        def forward(self, input_ids, attention_mask=None):
            return input_ids

    with pytest.raises(CourseError, match="acepte inputs_embeds"):
        check_peft_config(NoEmbedsClassifier(), prompt_config())


def _bert_accepts_past_key_values() -> bool:
    import inspect

    from transformers import BertModel

    return "past_key_values" in inspect.signature(BertModel.forward).parameters


def test_prefix_tuning_on_bert_check_agrees_with_peft(tiny_bert):
    """transformers ≤ 5.23 (Colab, 2026-08: 5.15): BERT acepta past_key_values y el prefix
    tuning entrena; desde 5.24 peft falla en el primer forward. La comprobación dice lo mismo."""
    import torch

    config = PrefixTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=5)
    wrapped = get_peft_model(tiny_bert(), config)
    if _bert_accepts_past_key_values():
        check_peft_config(tiny_bert(), config)
        loss = wrapped(input_ids=torch.tensor([[101, 102]]), labels=torch.tensor([1])).loss
        loss.backward()
        prefix = wrapped.prompt_encoder["default"].embedding.weight
        assert prefix.grad is not None and float(prefix.grad.abs().sum()) > 0
    else:
        with pytest.raises(CourseError, match="prefix tuning no funciona con BertForSequence"):
            check_peft_config(tiny_bert(), config)
        # Sin la comprobación, peft lo descubre más tarde, en el primer forward y en inglés.
        with pytest.raises(ValueError, match="does not support past key values"):
            wrapped(input_ids=torch.tensor([[101, 102]]))


def test_prompt_tuning_and_p_tuning_pass_on_bert(tiny_bert):
    check_peft_config(tiny_bert(), prompt_config())
    check_peft_config(
        tiny_bert(),
        PromptEncoderConfig(
            task_type=TaskType.SEQ_CLS, num_virtual_tokens=5, encoder_hidden_size=16
        ),
    )


def test_lora_with_seq_cls_trains_the_head(tiny_bert):
    model = get_peft_model(tiny_bert(), lora_config())
    head = check_head_trainable(model)
    assert "base_model.model.classifier.modules_to_save.default.weight" in head
    trainable = trainable_parameter_names(model)
    assert all("lora_" in n or "classifier" in n for n in trainable)
    assert any("lora_A" in n for n in trainable)


def test_lora_without_task_type_leaves_the_head_frozen(tiny_bert):
    model = get_peft_model(tiny_bert(), lora_config(task_type=None))
    with pytest.raises(CourseError, match="cabeza de clasificación está congelada"):
        check_head_trainable(model)


def test_lora_head_trainable_with_modules_to_save(tiny_bert):
    model = get_peft_model(tiny_bert(), lora_config(task_type=None, modules_to_save=["classifier"]))
    assert check_head_trainable(model)


def test_check_head_on_a_model_without_head():
    import torch

    with pytest.raises(CourseError, match="No encuentro la cabeza"):
        check_head_trainable(torch.nn.Linear(2, 2))


def _perturb_lora(model, seed=1):
    """LoRA empieza con B = 0 (no cambia nada); movemos sus pesos como lo haría entrenar."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.add_(0.1 * torch.randn(parameter.shape, generator=generator))


def test_saved_adapter_reloads_with_identical_logits(tiny_bert, tokenizer, tmp_path):
    trained = get_peft_model(tiny_bert(seed=0), lora_config())
    _perturb_lora(trained)
    expected = text_logits(trained, tokenizer, TEXTS)
    trained.save_pretrained(tmp_path / "adaptador")
    saved = sorted(p.name for p in (tmp_path / "adaptador").iterdir())
    assert saved == ["README.md", "adapter_config.json", "adapter_model.safetensors"]

    base = tiny_bert(seed=0)  # el mismo cuerpo; la cabeza y LoRA vienen del adaptador
    with np.testing.assert_raises(AssertionError):
        np.testing.assert_array_equal(text_logits(base, tokenizer, TEXTS), expected)
    reloaded = PeftModel.from_pretrained(base, tmp_path / "adaptador")
    np.testing.assert_array_equal(text_logits(reloaded, tokenizer, TEXTS), expected)


def test_head_comes_from_the_adapter_not_the_fresh_base(tiny_bert, tokenizer, tmp_path):
    import torch

    trained = get_peft_model(tiny_bert(seed=0), lora_config())
    _perturb_lora(trained)
    expected = text_logits(trained, tokenizer, TEXTS)
    trained.save_pretrained(tmp_path / "adaptador")
    base = tiny_bert(seed=0)
    with torch.no_grad():  # otra cabeza al azar en el modelo base
        base.classifier.weight.normal_()
    reloaded = PeftModel.from_pretrained(base, tmp_path / "adaptador")
    np.testing.assert_array_equal(text_logits(reloaded, tokenizer, TEXTS), expected)


def test_merge_and_unload_keeps_the_predictions(tiny_bert, tokenizer):
    trained = get_peft_model(tiny_bert(), lora_config())
    _perturb_lora(trained)
    expected = text_logits(trained, tokenizer, TEXTS)
    merged = trained.merge_and_unload()
    assert type(merged).__name__ == "BertForSequenceClassification"
    assert not any("lora_" in n for n, _ in merged.named_parameters())
    np.testing.assert_allclose(text_logits(merged, tokenizer, TEXTS), expected, atol=1e-5)


def test_breakdown_counts_lora_head_and_frozen_body(tiny_bert):
    model = get_peft_model(tiny_bert(), lora_config())
    table = parameter_breakdown(model)
    trainable, total = model.get_nb_trainable_parameters()
    assert table.loc["total", "entrenables"] == trainable
    assert table.loc["total", "entrenables"] + table.loc["total", "congelados"] == total
    # r=4 en query y value (32 → 32) de 2 capas: 2 capas × 2 módulos × 4 × (32 + 32)
    assert table.loc["LoRA", "entrenables"] == 2 * 2 * 4 * (32 + 32)
    assert table.loc["cabeza (copia entrenable)", "entrenables"] == 32 * 2 + 2
    assert table.loc["embeddings", "entrenables"] == 0


def test_breakdown_of_prompt_tuning(tiny_bert):
    model = get_peft_model(tiny_bert(), prompt_config(num_virtual_tokens=7))
    table = parameter_breakdown(model)
    assert table.loc["prompt virtual", "entrenables"] == 7 * 32
    assert table.loc["capas del codificador", "entrenables"] == 0
    check_head_trainable(model)


@pytest.mark.parametrize(
    "name, component",
    [
        (
            "base_model.model.bert.encoder.layer.3.attention.self.query.lora_A.default.weight",
            "LoRA",
        ),
        ("prompt_encoder.default.embedding.weight", "prompt virtual"),
        ("base_model.model.classifier.modules_to_save.default.bias", "cabeza (copia entrenable)"),
        ("classifier.weight", "cabeza"),
        ("bert.pooler.dense.weight", "pooler"),
        ("bert.embeddings.word_embeddings.weight", "embeddings"),
        ("bert.encoder.layer.0.output.dense.bias", "capas del codificador"),
        ("lm_head.weight", "otros"),
    ],
)
def test_component_of(name, component):
    assert component_of(name) == component


def test_freeze_all_but_the_head(tiny_bert):
    model = tiny_bert()
    kept = freeze_all_but(model, ["classifier"])
    assert kept == 32 * 2 + 2
    assert trainable_parameter_names(model) == ["classifier.weight", "classifier.bias"]


def test_freeze_all_but_bad_input(tiny_bert):
    with pytest.raises(CourseError, match="Indica qué parámetros"):
        freeze_all_but(tiny_bert(), [])
    with pytest.raises(CourseError, match="no quedaría nada que entrenar"):
        freeze_all_but(tiny_bert(), ["cabeza"])


def _train_lora_with_checkpoints(tiny_bert, tokenizer, folder, r=4):
    from datasets import Dataset
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    texts = TEXTS * 4
    dataset = Dataset.from_dict({"text": texts, "label": [i % 2 for i in range(len(texts))]})
    dataset = dataset.map(lambda b: tokenizer(b["text"]), batched=True, remove_columns=["text"])
    model = get_peft_model(tiny_bert(), lora_config(r=r))
    args = TrainingArguments(
        output_dir=str(folder),
        max_steps=2,
        per_device_train_batch_size=4,
        save_strategy="steps",
        save_steps=1,
        report_to="none",
        dataloader_pin_memory=False,
        disable_tqdm=True,
    )
    Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=DataCollatorWithPadding(tokenizer),
    ).train()
    return model


def test_last_checkpoint_of_a_lora_run(tiny_bert, tokenizer, tmp_path):
    from coursekit.checkpoints import last_checkpoint

    model = _train_lora_with_checkpoints(tiny_bert, tokenizer, tmp_path)
    checkpoint = last_checkpoint(tmp_path, model)
    assert checkpoint.endswith("checkpoint-2")
    assert (tmp_path / "checkpoint-2" / "adapter_config.json").exists()
    assert last_checkpoint(tmp_path, get_peft_model(tiny_bert(), lora_config())) == checkpoint


def test_lora_checkpoint_with_another_config_or_no_peft(tiny_bert, tokenizer, tmp_path):
    from coursekit.checkpoints import last_checkpoint

    _train_lora_with_checkpoints(tiny_bert, tokenizer, tmp_path)
    with pytest.raises(
        CourseError, match="otra configuración de peft.*r: punto de control 4 ≠ modelo 8"
    ):
        last_checkpoint(tmp_path, get_peft_model(tiny_bert(), lora_config(r=8)))
    with pytest.raises(CourseError, match="el modelo no lleva peft"):
        last_checkpoint(tmp_path, tiny_bert())
