"""La demostración con widgets del lab 02/05: se construye, el botón clasifica y sin ipywidgets
imprime en lugar de fallar. Corre con el ipywidgets que haya: 8 en el entorno del curso y 7.7.1
(el de Colab) en scripts/test_colab.sh o con ``PYTHONPATH=/carpeta/con/ipywidgets7``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from coursekit.errors import CourseError
from coursekit.predictions import predict_texts
from coursekit.widgets import (
    EMPTY_TEXT_MESSAGE,
    MISSING_WIDGETS_MESSAGE,
    ClassifierDemo,
    class_probabilities,
    percent,
    show_classifier,
    text_bars,
)

ipywidgets = pytest.importorskip("ipywidgets")
NAMES = ["uno", "dos", "tres"]


@pytest.fixture
def model(tiny_bert):
    """Un BERT diminuto con tres clases con nombre (id2label), como un student CSV de 3 clases."""
    model = tiny_bert(num_labels=3)
    model.config.id2label = dict(enumerate(NAMES))
    model.config.label2id = {name: i for i, name in enumerate(NAMES)}
    return model


def expected_probabilities(model, tokenizer, text):
    with torch.no_grad():
        logits = model(**tokenizer([text], return_tensors="pt")).logits
    return torch.softmax(logits, dim=-1)[0].numpy()


def test_class_probabilities_match_the_model(model, tokenizer):
    text = "A tender, funny film."
    result = class_probabilities(model, tokenizer, text)
    assert [name for name, _ in result] == NAMES
    np.testing.assert_allclose(
        [p for _, p in result], expected_probabilities(model, tokenizer, text), atol=1e-6
    )
    assert sum(p for _, p in result) == pytest.approx(1.0)


def test_widget_builds_and_click_classifies_the_typed_text(model, tokenizer):
    demo = show_classifier(model, tokenizer, max_length=64, example="Dull and long.")
    assert isinstance(demo, ClassifierDemo)
    assert [bar.max for bar in demo.bars] == [1.0, 1.0, 1.0]
    # Al mostrarse ya clasifica la frase de ejemplo.
    first = [bar.value for bar in demo.bars]
    np.testing.assert_allclose(
        first, expected_probabilities(model, tokenizer, "Dull and long."), atol=1e-6
    )

    # El estudiante escribe otra frase y pulsa el botón (el manejador del clic de ipywidgets).
    typed = "An absolute delight from start to finish, with a brilliant cast."
    demo.text.value = typed
    demo.button.click()
    probabilities = expected_probabilities(model, tokenizer, typed)
    np.testing.assert_allclose([bar.value for bar in demo.bars], probabilities, atol=1e-6)
    best = int(probabilities.argmax())
    assert [bar.bar_style for bar in demo.bars] == [
        "success" if i == best else "info" for i in range(3)
    ]
    assert [label.value for label in demo.percentages] == [percent(p) for p in probabilities]
    # Lo mismo que predict_texts dice para esa frase.
    table = predict_texts(model, tokenizer, [typed], max_length=64)
    assert f"Predicción: {table.loc[0, 'predicción']} (" in demo.result.value
    # El widget que se muestra contiene la caja, el botón y una fila por clase.
    children = demo.widget.children
    assert demo.text in children and demo.button in children
    assert [row.children[0].value for row in children[-3:]] == NAMES


def test_click_with_empty_text_explains_in_spanish(model, tokenizer):
    demo = ClassifierDemo(model, tokenizer)
    demo.text.value = "   "
    demo.button.click()
    assert "Escribe una frase" in demo.result.value
    assert [bar.value for bar in demo.bars] == [0.0, 0.0, 0.0]
    assert demo.classify("") is None


def test_label_names_override_and_mismatch(model, tokenizer):
    demo = ClassifierDemo(model, tokenizer, label_names=["a", "b", "c"], example="")
    assert demo.result.value == "" and demo.label_names == ["a", "b", "c"]
    assert [name for name, _ in demo.classify("Fine.")] == ["a", "b", "c"]
    with pytest.raises(CourseError, match="3 clases .num_labels. y hay 2 nombres"):
        ClassifierDemo(model, tokenizer, label_names=["a", "b"])
    with pytest.raises(CourseError, match="lista de nombres"):
        class_probabilities(model, tokenizer, "ok", label_names="ab")
    with pytest.raises(CourseError, match="Escribe una frase"):
        class_probabilities(model, tokenizer, "")


def test_without_ipywidgets_prints_instead_of_failing(model, tokenizer, without_ipywidgets, capsys):
    assert show_classifier(model, tokenizer, example="Not bad at all.") is None
    printed = capsys.readouterr().out
    assert MISSING_WIDGETS_MESSAGE in printed and "«Not bad at all.»" in printed
    for name, probability in class_probabilities(model, tokenizer, "Not bad at all."):
        assert any(
            line.startswith(name) and percent(probability) in line for line in printed.splitlines()
        )


def test_text_bars_and_percent():
    bars = text_bars([("negativa", 0.25), ("positiva", 0.75)], width=4).splitlines()
    assert bars == ["negativa █··· 25,0 %", "positiva ███· 75,0 %"]
    assert percent(0.873) == "87,3 %"
    assert EMPTY_TEXT_MESSAGE.startswith("Escribe")
