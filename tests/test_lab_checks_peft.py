"""Comprobaciones de los ejercicios de los labs 05 (LoRA), 06 (prompt tuning) y 07 (LLRD)."""

from __future__ import annotations

import pandas as pd
import pytest
from peft import LoraConfig, PromptTuningConfig, TaskType, get_peft_model

from coursekit.checks import CheckFailed, check
from coursekit.optim import layerwise_lr_groups, parameter_depths

# Los errores plausibles de los ejercicios del lab 05 (y las respuestas correctas escritas de
# otra forma) están en tests/mutants/lab05.py; aquí, solo entradas raras.


def lora(**changes):
    settings = dict(task_type=TaskType.SEQ_CLS, r=5, target_modules=["query", "key", "value"])
    return LoraConfig(**{**settings, **changes})


def _reference():
    return LoraConfig(task_type=TaskType.SEQ_CLS, r=8, target_modules=["query", "value"])


def test_05_lora_config(tiny_bert):
    assert check(
        "05-lora-config", config=lora(), reference=_reference(), model=tiny_bert(), verbose=False
    )


@pytest.mark.parametrize(
    "config, hint",
    [
        (lora(target_modules=["query", "key", "valu"]), "no existen en BertForSequence"),
        (PromptTuningConfig(task_type=TaskType.SEQ_CLS, num_virtual_tokens=4), "LoraConfig"),
    ],
)
def test_05_lora_config_hints(tiny_bert, config, hint):
    with pytest.raises(CheckFailed, match=hint):
        check("05-lora-config", config=config, reference=_reference(), model=tiny_bert())


def test_05_trainable_by_hand_rejects_non_integers(tiny_bert):
    model = get_peft_model(tiny_bert(), _reference())
    with pytest.raises(CheckFailed, match="número entero"):
        check("05-parametros-a-mano", trainable=1.5, share=0.1, peft_model=model)


def prompt(**changes):
    settings = dict(task_type=TaskType.SEQ_CLS, num_virtual_tokens=8)
    return PromptTuningConfig(**{**settings, **changes})


def prompt_size(num_virtual_tokens, model):
    return num_virtual_tokens * model.config.hidden_size


def test_06_virtual_tokens(tiny_bert):
    assert check(
        "06-tokens-virtuales",
        virtual_prompt_size=prompt_size,
        config=prompt(),
        model=tiny_bert(),
        verbose=False,
    )


@pytest.mark.parametrize(
    "function, config, hint",
    [
        # Más errores plausibles en tests/mutants/lab06.py.
        (prompt_size, prompt(num_virtual_tokens=20), "debe ser 8"),
        (prompt_size, lora(), "PromptTuningConfig"),
        (lambda n: n * 32, prompt(), "debe recibir dos argumentos"),
        (8 * 32, prompt(), "debe ser una función de dos argumentos"),
        (lambda n, model: None, prompt(), "número entero"),
        # El modelo del fixture tiene hidden_size 32: a mano acierta solo con él.
        (lambda n, model: n * 32, prompt(), "otro tamaño"),
    ],
)
def test_06_virtual_tokens_hints(tiny_bert, function, config, hint):
    with pytest.raises(CheckFailed, match=hint):
        check("06-tokens-virtuales", virtual_prompt_size=function, config=config, model=tiny_bert())


def test_06_check_measures_the_prompt_with_peft(tiny_bert):
    """La comprobación compara con lo que peft entrena de verdad, no con una fórmula propia."""
    from coursekit.lab_checks.lab06 import measured_prompt_size

    model = tiny_bert()
    before = [p.requires_grad for p in model.parameters()]
    assert measured_prompt_size(8, model) == 8 * model.config.hidden_size
    assert [p.requires_grad for p in model.parameters()] == before  # mide sobre una copia


def test_06_prompt_length_wrong_signature_and_non_integer():
    # Los errores plausibles (no restar el prompt, truncar de más...): tests/mutants/lab06.py.
    with pytest.raises(CheckFailed, match="tres argumentos"):
        check("06-longitud-con-prompt", prompt_max_length=lambda max_length: max_length)
    with pytest.raises(CheckFailed, match="número entero"):
        check("06-longitud-con-prompt", prompt_max_length=lambda m, p, n: min(m, (p - n) / 1))


def student_groups(model, base_lr, decay, depth_of=None):
    depths = parameter_depths(model)
    depth_of = depth_of or (lambda d: d)
    groups = []
    for depth in sorted(set(depths.values())):
        params = [p for n, p in model.named_parameters() if depths[n] == depth]
        groups.append({"params": params, "lr": base_lr * decay ** depth_of(depth)})
    return groups


def test_07_llrd_groups_from_the_solution_and_from_coursekit(tiny_bert):
    model = tiny_bert()
    for groups in (student_groups(model, 1e-4, 0.8), layerwise_lr_groups(model, 1e-4, 0.8)):
        assert check(
            "07-grupos-llrd",
            param_groups=groups,
            model=model,
            base_lr=1e-4,
            decay=0.8,
            verbose=False,
        )


def test_07_llrd_hints(tiny_bert):
    model = tiny_bert()
    kwargs = dict(model=model, base_lr=1e-4, decay=0.8)
    with pytest.raises(CheckFailed, match="lista de diccionarios"):
        check("07-grupos-llrd", param_groups={}, **kwargs)
    with pytest.raises(CheckFailed, match="'params'"):
        check("07-grupos-llrd", param_groups=[{"lr": 1e-4}], **kwargs)
    groups = student_groups(model, 1e-4, 0.8)
    with pytest.raises(CheckFailed, match="faltan .* parámetros"):
        check("07-grupos-llrd", param_groups=groups[:-1], **kwargs)
    with pytest.raises(CheckFailed, match="está en dos grupos"):
        check("07-grupos-llrd", param_groups=[*groups, groups[0]], **kwargs)
    upside_down = student_groups(model, 1e-4, 0.8, depth_of=lambda d: 3 - d)
    with pytest.raises(CheckFailed, match="crece hacia los embeddings"):
        check("07-grupos-llrd", param_groups=upside_down, **kwargs)
    import torch

    stranger = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1e-4}]
    with pytest.raises(CheckFailed, match="no es un parámetro de `model`"):
        check("07-grupos-llrd", param_groups=stranger, **kwargs)


def test_07_points_over_baseline():
    results = pd.DataFrame({"exactitud": [0.77, 0.55]}, index=["completo", "prompt"])
    results["puntos sobre la línea base"] = 100 * (results["exactitud"] - 0.5)
    assert check("07-puntos-sobre-base", results=results, baseline_accuracy=0.5, verbose=False)
    results["puntos sobre la línea base"] = results["exactitud"] - 0.5
    with pytest.raises(CheckFailed, match="multiplica por 100"):
        check("07-puntos-sobre-base", results=results, baseline_accuracy=0.5)
    results["puntos sobre la línea base"] = 100 * results["exactitud"]
    with pytest.raises(CheckFailed, match="menos la de la línea base"):
        check("07-puntos-sobre-base", results=results, baseline_accuracy=0.5)
    with pytest.raises(CheckFailed, match="añade a `results`"):
        check(
            "07-puntos-sobre-base",
            results=results.drop(columns="puntos sobre la línea base"),
            baseline_accuracy=0.5,
        )
