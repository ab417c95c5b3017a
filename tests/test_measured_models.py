"""Volver a cargar lo que midió la comparación, para evaluar en test solo el método elegido."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.comparison import CORRECT, MethodRun, measure_method
from coursekit.errors import CourseError
from coursekit.measured_models import load_measured_model, measured_model_dir
from coursekit.profiles import get_profile

PROFILE = get_profile("ci", batch_size=8, num_epochs=1)


@pytest.fixture(scope="module")
def small_data(small_ci_data):
    """16 reseñas de entrenamiento y 8 de validación (tokenizadas y en texto), del perfil ci."""
    return small_ci_data


def _hits(model, texts, tokenizer):
    logits = _logits(model, texts, tokenizer)
    return [int(hit) for hit in logits.argmax(axis=-1) == np.asarray(texts["label"])]


def _methods(tiny_bert):
    from peft import LoraConfig, PromptTuningConfig, TaskType, get_peft_model

    from coursekit.pooling import with_mean_pooling

    def lora():
        config = LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=["query", "value"])
        return get_peft_model(tiny_bert(), config)

    def prompt():
        config = PromptTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=4)
        return get_peft_model(with_mean_pooling(tiny_bert()), config)

    return [
        MethodRun("fine-tuning completo", lambda: tiny_bert(), 1e-2),
        MethodRun("LoRA", lora, 5e-2),
        MethodRun("prompt tuning (media)", prompt, 5e-2),
    ]


@pytest.mark.slow
def test_reloaded_methods_predict_what_was_measured(tiny_bert, small_data, tmp_path):
    train, evaluation, texts, tokenizer = small_data
    for method in _methods(tiny_bert):
        row = measure_method(method, train, evaluation, tokenizer, PROFILE, tmp_path)
        assert measured_model_dir(tmp_path, method.name).is_dir()
        reloaded = load_measured_model(method, tmp_path)
        assert _hits(reloaded, texts, tokenizer) == row[CORRECT], method.name
        # Sin los pesos guardados, el modelo recién construido predice otra cosa (si no, la
        # prueba no distinguiría cargar de no cargar).
        fresh = method.build_model().eval()
        assert not np.allclose(
            _logits(fresh, texts, tokenizer), _logits(reloaded, texts, tokenizer)
        ), method.name


def _logits(model, texts, tokenizer):
    from coursekit.predictions import text_logits

    return text_logits(model, tokenizer, list(texts["text"]), max_length=32)


def test_unmeasured_method_gets_a_spanish_error(tiny_bert, tmp_path):
    with pytest.raises(CourseError, match="mide antes el método"):
        load_measured_model(MethodRun("LoRA", lambda: tiny_bert(), 1e-3), tmp_path)


def test_weights_of_another_model_get_a_spanish_error(tiny_bert, tmp_path):
    folder = measured_model_dir(tmp_path, "completo")
    tiny_bert().save_pretrained(folder)
    wider = MethodRun("completo", lambda: tiny_bert(hidden_size=64), 1e-3)
    with pytest.raises(CourseError, match="no encajan"):
        load_measured_model(wider, tmp_path)


def test_folder_name_matches_the_one_measure_method_uses(tmp_path):
    assert measured_model_dir(tmp_path, "prompt tuning (media)") == (
        tmp_path / "prompt_tuning_(media)" / "guardado"
    )
    with pytest.raises(CourseError):
        measured_model_dir(tmp_path, " ")


@pytest.mark.slow
def test_weights_saved_with_the_original_checkpoint_names_load(tiny_bert, small_data, tmp_path):
    """bert-base-cased guarda LayerNorm.gamma/beta, y transformers 5 vuelve a guardar con esos
    nombres: load_state_dict los daba por ausentes y el lab 07 fallaba en ``full``."""
    from safetensors.torch import load_file, save_file

    train, evaluation, texts, tokenizer = small_data
    method = _methods(tiny_bert)[0]  # fine-tuning completo: el modelo entero
    row = measure_method(method, train, evaluation, tokenizer, PROFILE, tmp_path)
    for file in measured_model_dir(tmp_path, method.name).glob("*.safetensors"):
        state = load_file(str(file))
        legacy = {
            key.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
                "LayerNorm.bias", "LayerNorm.beta"
            ): value
            for key, value in state.items()
        }
        assert legacy != state
        save_file(legacy, str(file), metadata={"format": "pt"})
    reloaded = load_measured_model(method, tmp_path)
    assert _hits(reloaded, texts, tokenizer) == row[CORRECT]
