"""La comparación medida de métodos (lab 07 y ``coursekit bench methods``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coursekit import comparison
from coursekit.comparison import (
    COLUMNS,
    CORRECT,
    MethodRun,
    PeakMemory,
    compare_methods,
    measure_method,
)
from coursekit.errors import CourseError
from coursekit.profiles import get_profile

PROFILE = get_profile("ci", batch_size=8, num_epochs=1)


@pytest.fixture(scope="module")
def small_data(small_ci_data):
    """16 reseñas de entrenamiento y 8 de validación, tokenizadas (reales, del perfil ci)."""
    train, evaluation, _, tokenizer = small_ci_data
    return train, evaluation, tokenizer


def lora_builder(tiny_bert):
    from peft import LoraConfig, TaskType, get_peft_model

    def build():
        config = LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=["query", "value"])
        return get_peft_model(tiny_bert(), config)

    return build


@pytest.mark.slow
def test_measure_method_fills_every_column(tiny_bert, small_data, tmp_path):
    train, evaluation, tokenizer = small_data
    full = measure_method(
        MethodRun("completo", lambda: tiny_bert(), 1e-3),
        train,
        evaluation,
        tokenizer,
        PROFILE,
        tmp_path,
    )
    lora = measure_method(
        MethodRun("LoRA", lora_builder(tiny_bert), 1e-2),
        train,
        evaluation,
        tokenizer,
        PROFILE,
        tmp_path,
    )
    assert list(full) == [*COLUMNS, CORRECT]
    for row in (full, lora):  # aciertos por ejemplo: su media es la exactitud
        assert len(row[CORRECT]) == len(evaluation) and set(row[CORRECT]) <= {0, 1}
        assert sum(row[CORRECT]) / len(evaluation) == pytest.approx(row["exactitud"])
    total = sum(p.numel() for p in tiny_bert().parameters())
    assert full["parámetros entrenables"] == total and full["% entrenable"] == 100
    assert 0 < lora["% entrenable"] < 5
    for row in (full, lora):
        assert 0 <= row["exactitud"] <= 1 and 0 <= row["F1 macro"] <= 1
        assert row["tiempo de entrenamiento (s)"] > 0 and row["memoria pico (MB)"] >= 0
    # El adaptador de LoRA pesa una fracción del modelo completo.
    assert lora["guardado en disco (MB)"] < full["guardado en disco (MB)"] / 10
    assert (tmp_path / "LoRA" / "guardado" / "adapter_model.safetensors").exists()


@pytest.mark.slow
def test_same_method_twice_gives_the_same_scores(tiny_bert, small_data, tmp_path):
    train, evaluation, tokenizer = small_data
    method = MethodRun("completo", lambda: tiny_bert(), 1e-3)
    first = measure_method(method, train, evaluation, tokenizer, PROFILE, tmp_path)
    second = measure_method(method, train, evaluation, tokenizer, PROFILE, tmp_path)
    assert (first["exactitud"], first["F1 macro"]) == (second["exactitud"], second["F1 macro"])


@pytest.mark.slow
def test_custom_optimizer_is_used(tiny_bert, small_data, tmp_path):
    import torch

    from coursekit.optim import layerwise_lr_groups

    train, evaluation, tokenizer = small_data
    seen = []

    def make_optimizer(model):
        optimizer = torch.optim.AdamW(layerwise_lr_groups(model, 1e-3, 0.5))
        seen.append(optimizer)
        return optimizer

    row = measure_method(
        MethodRun("LLRD", lambda: tiny_bert(), 1e-3, make_optimizer),
        train,
        evaluation,
        tokenizer,
        PROFILE,
        tmp_path,
    )
    assert len(seen) == 1 and len(seen[0].param_groups) == 4
    assert row["parámetros entrenables"] == sum(p.numel() for p in tiny_bert().parameters())


@pytest.mark.slow
def test_compare_methods_saves_rows_and_reuses_them(tiny_bert, small_data, tmp_path, monkeypatch):
    train, evaluation, tokenizer = small_data
    methods = [MethodRun("completo", lambda: tiny_bert(), 1e-3)]
    table = compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path)
    assert list(table.index) == ["completo"] and list(table.columns) == list(COLUMNS[1:])
    lines = (tmp_path / "resultados.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["fila"]["método"] == "completo"

    def must_not_train(*args, **kwargs):
        raise AssertionError("no debía volver a entrenar")

    monkeypatch.setattr(comparison, "measure_method", must_not_train)
    again = compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path)
    assert again.equals(table)
    # Los aciertos por ejemplo viajan con la tabla, también desde las filas guardadas.
    assert again.attrs[CORRECT] == table.attrs[CORRECT]
    assert len(table.attrs[CORRECT]["completo"]) == len(evaluation)
    with pytest.raises(AssertionError, match="no debía volver a entrenar"):
        compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path, rerun=True)
    # Otra configuración (más épocas) es otra medida.
    with pytest.raises(AssertionError, match="no debía volver a entrenar"):
        compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path, num_epochs=2)


def test_compare_methods_bad_input(tiny_bert, small_data, tmp_path):
    train, evaluation, tokenizer = small_data
    with pytest.raises(CourseError, match="No hay métodos"):
        compare_methods([], train, evaluation, tokenizer, PROFILE, tmp_path)
    twice = [MethodRun("a", tiny_bert, 1e-3), MethodRun("a", tiny_bert, 1e-4)]
    with pytest.raises(CourseError, match="mismo nombre"):
        compare_methods(twice, train, evaluation, tokenizer, PROFILE, tmp_path)
    with pytest.raises(CourseError, match="num_epochs debe ser un entero"):
        measure_method(twice[0], train, evaluation, tokenizer, PROFILE, tmp_path, num_epochs=0)


def test_method_with_nothing_to_train(tiny_bert, small_data, tmp_path):
    train, evaluation, tokenizer = small_data

    def frozen():
        model = tiny_bert()
        for p in model.parameters():
            p.requires_grad = False
        return model

    with pytest.raises(CourseError, match="no tiene parámetros entrenables"):
        measure_method(
            MethodRun("nada", frozen, 1e-3), train, evaluation, tokenizer, PROFILE, tmp_path
        )


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(name=""), "necesita un nombre"),
        (dict(build_model="bert"), "debe ser una función"),
        (dict(learning_rate=0), "debe ser positivo"),
        (dict(learning_rate=float("nan")), "debe ser positivo"),
        (dict(learning_rate="1e-4"), "debe ser positivo"),
        (dict(make_optimizer="adamw"), "make_optimizer"),
    ],
)
def test_method_run_bad_input(changes, message):
    settings = dict(name="m", build_model=lambda: None, learning_rate=1e-4)
    with pytest.raises(CourseError, match=message):
        MethodRun(**{**settings, **changes})


def test_peak_memory_sees_a_large_allocation():
    with PeakMemory(interval=0.005) as memory:
        block = np.ones(300 * 2**20 // 8)  # 300 MB
        block[::4096] += 1  # tocar las páginas
        import time

        time.sleep(0.05)
        del block
    assert memory.device == "cpu"
    assert 250 < memory.peak_mb < 1000


def test_lab_07_methods_with_many_classes(tiny_bert, small_data, tmp_path, num_labels=20):
    """La tabla del lab 07 con 20 clases: LoRA y prompt tuning del curso (con 3 y 20 clases,
    ``tests/test_method_settings.py`` construye los seis métodos, LLRD incluido)."""
    from coursekit.method_settings import course_methods
    from coursekit.models import resolve_model_name

    train, evaluation, tokenizer = small_data

    from datasets import ClassLabel

    def relabel(split):
        split = split.cast_column("label", ClassLabel(names=[f"c{i}" for i in range(num_labels)]))
        return split.map(
            lambda batch, indices: {"label": [i % num_labels for i in indices]},
            with_indices=True,
            batched=True,
        )

    train, evaluation = relabel(train), relabel(evaluation)
    methods = [
        m
        for m in course_methods(
            lambda: tiny_bert(num_labels=num_labels), resolve_model_name("ci"), PROFILE
        )
        if m.name in ("LoRA", "prompt tuning")
    ]
    table = compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path)
    assert list(table.index) == ["LoRA", "prompt tuning"]
    assert table["exactitud"].between(0, 1).all() and table["F1 macro"].between(0, 1).all()
    assert (table["parámetros entrenables"] > 0).all()


@pytest.mark.slow
def test_compare_methods_with_test_dataset(tiny_bert, small_data, tmp_path):
    """Con ``test_dataset``, cada fila trae la exactitud y la F1 de test del mismo modelo (aquí
    el test es la misma validación: tienen que coincidir), y una fila guardada sin ellas se mide
    de nuevo en lugar de reutilizarse."""
    from coursekit.comparison import TEST_ACCURACY, TEST_F1_MACRO

    train, evaluation, tokenizer = small_data
    methods = [MethodRun("completo", lambda: tiny_bert(), 1e-3)]
    plain = compare_methods(methods, train, evaluation, tokenizer, PROFILE, tmp_path)
    assert TEST_ACCURACY not in plain.attrs
    table = compare_methods(
        methods, train, evaluation, tokenizer, PROFILE, tmp_path, test_dataset=evaluation
    )
    assert table.attrs[TEST_ACCURACY]["completo"] == table.loc["completo", "exactitud"]
    assert table.attrs[TEST_F1_MACRO]["completo"] == table.loc["completo", "F1 macro"]
    lines = (tmp_path / "resultados.jsonl").read_text().splitlines()
    assert len(lines) == 2  # la fila sin test no se reutilizó
    assert TEST_ACCURACY in json.loads(lines[1])["fila"]
