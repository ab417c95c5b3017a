"""Conjuntos desequilibrados a propósito para la lección de F1 (lab 02)."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit.data import label_counts, majority_baseline
from coursekit.errors import CourseError
from coursekit.imbalance import (
    IMBALANCE_RATIO,
    class_proportions,
    demonstration_proportions,
    imbalanced_subset,
)
from coursekit.metrics import load_metric


@pytest.fixture
def balanced(make_dataset):
    return make_dataset([0] * 16 + [1] * 16, names=["negativa", "positiva"])


@pytest.fixture
def three(make_dataset):
    return make_dataset([0] * 11 + [1] * 11 + [2] * 10, names=["alegría", "enfado", "tristeza"])


def test_ninety_ten_keeps_the_whole_majority_class(make_dataset):
    dataset = make_dataset([0] * 100 + [1] * 100, names=["negativa", "positiva"])
    subset = imbalanced_subset(dataset, {"negativa": 0.9, "positiva": 0.1})
    counts = label_counts(subset)
    assert counts["negativa"] == 100
    assert counts["positiva"] == round(100 * 0.1 / 0.9)
    assert len(set(subset["text"])) == len(subset)  # sin repetidos


def test_a_list_follows_the_order_of_the_classes(balanced):
    as_list = imbalanced_subset(balanced, [0.1, 0.9], seed=3)
    as_dict = imbalanced_subset(balanced, {"positiva": 0.9, "negativa": 0.1}, seed=3)
    assert list(as_list["text"]) == list(as_dict["text"])
    assert majority_baseline(as_list)[0] == "positiva"


def test_every_class_with_a_share_gets_at_least_one_example(three):
    counts = label_counts(imbalanced_subset(three, [0.9, 0.05, 0.05]))
    assert counts["alegría"] > counts["enfado"] + counts["tristeza"]
    assert counts["enfado"] >= 1 and counts["tristeza"] >= 1


def test_a_zero_share_leaves_the_class_out(three):
    counts = label_counts(imbalanced_subset(three, [0.8, 0.2, 0.0]))
    assert counts["tristeza"] == 0 and counts["enfado"] >= 1


def test_exact_size(make_dataset):
    dataset = make_dataset([0] * 50 + [1] * 10 + [2] * 40, names=["a", "b", "c"])
    counts = label_counts(imbalanced_subset(dataset, [0.5, 0.1, 0.4], size=20))
    assert counts == {"a": 10, "b": 2, "c": 8}


def test_reproducible_seeded_and_shuffled(make_dataset):
    dataset = make_dataset([0] * 40 + [1] * 40, names=["a", "b"])
    first = list(imbalanced_subset(dataset, [0.7, 0.3], seed=7)["text"])
    assert first == list(imbalanced_subset(dataset, [0.7, 0.3], seed=7)["text"])
    assert first != list(imbalanced_subset(dataset, [0.7, 0.3], seed=8)["text"])
    labels = list(imbalanced_subset(dataset, [0.7, 0.3], seed=7)["label"])
    assert labels != sorted(labels)


@pytest.mark.parametrize("num_classes", [2, 3, 5])
def test_the_lesson_holds_for_any_number_of_classes(make_dataset, num_classes):
    # Lo que enseña el lab 02: siempre la clase mayor acierta mucho y su F1 macro se hunde.
    dataset = make_dataset([c for c in range(num_classes) for _ in range(20)])
    proportions, _ = demonstration_proportions(dataset)
    demo = imbalanced_subset(dataset, proportions)
    references = np.asarray(demo["label"])
    always_majority = np.full(len(references), int(np.bincount(references).argmax()))
    f1 = load_metric("f1")
    accuracy = load_metric("accuracy").compute(predictions=always_majority, references=references)[
        "accuracy"
    ]
    macro = f1.compute(predictions=always_majority, references=references, average="macro")["f1"]
    weighted = f1.compute(predictions=always_majority, references=references, average="weighted")[
        "f1"
    ]
    assert accuracy >= 0.75
    assert macro <= 1 / num_classes < weighted


def test_demonstration_uses_natural_proportions_when_the_data_are_imbalanced(make_dataset):
    dataset = make_dataset([0] * 50 + [1] * 10 + [2] * 40, names=["a", "b", "c"])
    assert 50 / 10 >= IMBALANCE_RATIO
    proportions, why = demonstration_proportions(dataset)
    assert proportions == class_proportions(dataset) == {"a": 0.5, "b": 0.1, "c": 0.4}
    assert "naturales" in why


def test_demonstration_on_balanced_data_gives_one_class_most(three):
    proportions, why = demonstration_proportions(three, majority_share=0.8)
    assert proportions["alegría"] == 0.8
    assert proportions["enfado"] == pytest.approx(0.1) == proportions["tristeza"]
    assert why == "«alegría» con el 80 % y las demás a partes iguales"


def test_demonstration_on_two_balanced_classes_names_both(balanced):
    proportions, why = demonstration_proportions(balanced)
    assert proportions == pytest.approx({"negativa": 0.9, "positiva": 0.1})
    assert why == "«negativa» con el 90 % y «positiva» con el 10 %"


@pytest.mark.parametrize("share", [0.5, 0.2, 1, 1.5, 0])
def test_demonstration_share_out_of_range(balanced, share):
    with pytest.raises(CourseError, match="majority_share=.* no sirve: con 2 clases"):
        demonstration_proportions(balanced, majority_share=share)


@pytest.mark.parametrize("share", ["0.9", None, True])
def test_demonstration_share_must_be_a_number(balanced, share):
    with pytest.raises(CourseError, match="majority_share debe ser un número"):
        demonstration_proportions(balanced, majority_share=share)


@pytest.mark.parametrize(
    ("proportions", "message"),
    [
        ({"negativa": 0.9, "neutra": 0.1}, "no son clases de los datos: 'neutra'; faltan: 'pos"),
        ({"negativa": 1.0}, "faltan: 'positiva'"),
        ([0.9, 0.05, 0.05], "Hay 3 proporciones para 2 clases"),
        ([0.9, 0.2], "suman 1.1 y tienen que sumar 1"),
        ([1.2, -0.2], "La proporción de 'negativa' es 1.2"),
        (["0.9", "0.1"], "La proporción de 'negativa' es '0.9'"),
        ("0.9,0.1", "diccionario {clase: fracción} o una lista"),
        (0.9, "no float"),
    ],
)
def test_bad_proportions(balanced, proportions, message):
    with pytest.raises(CourseError, match=message):
        imbalanced_subset(balanced, proportions)


@pytest.mark.parametrize("size", [0, -1, 2.5, True, "10"])
def test_bad_size(balanced, size):
    with pytest.raises(CourseError, match="size debe ser un entero positivo o None"):
        imbalanced_subset(balanced, [0.9, 0.1], size=size)


def test_bad_size_is_reported_before_looking_at_the_data(balanced):
    with pytest.raises(CourseError, match="size debe ser un entero positivo o None"):
        imbalanced_subset(balanced.select([]), [0.9, 0.1], size="3")


def test_size_larger_than_the_proportions_allow(balanced):
    with pytest.raises(CourseError, match="Pides 30 ejemplos.*solo da para 17.*size=17"):
        imbalanced_subset(balanced, [0.9, 0.1], size=30)


def test_size_smaller_than_the_classes(three):
    with pytest.raises(CourseError, match="no caben las 3 clases"):
        imbalanced_subset(three, [0.8, 0.1, 0.1], size=2)


def test_a_class_with_a_share_and_no_examples(make_dataset):
    dataset = make_dataset([0] * 10 + [1] * 10, names=["a", "b", "c"])
    with pytest.raises(CourseError, match="la\\(s\\) clase\\(s\\) 'c' no tiene\\(n\\) ninguno"):
        imbalanced_subset(dataset, [0.5, 0.3, 0.2])


def test_empty_dataset(balanced):
    with pytest.raises(CourseError, match="dataset está vacío"):
        imbalanced_subset(balanced.select([]), [0.9, 0.1])
    with pytest.raises(CourseError, match="dataset está vacío"):
        class_proportions(balanced.select([]))


def test_lab_02_measures_the_imbalanced_moment_on_validation():
    # La lección de F1 del lab 02 se calcula (no se escribe a mano) y solo mira validación.
    from pathlib import Path

    import nbformat

    lab = Path(__file__).resolve().parents[1] / "solutions" / "02_trainer.ipynb"
    cells = nbformat.read(lab, as_version=4).cells
    code = [c for c in cells if c.cell_type == "code" and "imbalanced_subset(" in c.source]
    assert len(code) == 1
    source = code[0].source
    assert "imbalanced_subset(validation_subset" in source and "test_subset" not in source
    assert 'average="macro"' in source and 'average="weighted"' in source
    assert "majority_baseline(imbalanced_validation)" in source
    position = cells.index(code[0])
    final = next(
        i for i, c in enumerate(cells) if c.source.startswith("## Evaluación final en test")
    )
    exercise = next(i for i, c in enumerate(cells) if "02-compute-metrics" in c.source)
    assert exercise < position < final


def test_demonstration_fits_a_small_validation_with_many_classes(make_dataset):
    """full con COURSE_EVAL_SIZE=20: 5 clases con 4 ejemplos de validación cada una. El 90 %
    no cabe (el lab 02 fallaba con «solo caben 4»); la primera clase recibe lo que cabe."""
    train = make_dataset([c for c in range(5) for _ in range(40)])
    validation = make_dataset([c for c in range(5) for _ in range(4)])
    with pytest.raises(CourseError, match="solo caben 4"):
        imbalanced_subset(validation, demonstration_proportions(train)[0])
    proportions, why = demonstration_proportions(train, fit_to=validation)
    demo = imbalanced_subset(validation, proportions)
    assert sorted(np.bincount(demo["label"]).tolist()) == [1, 1, 1, 1, 4]
    assert "con el 50 % (el 90 % no cabe en 20 ejemplos con 5 clases)" in why


def test_demonstration_keeps_the_share_when_it_fits(make_dataset):
    train = make_dataset([c for c in range(2) for _ in range(40)])
    validation = make_dataset([c for c in range(2) for _ in range(100)])
    assert demonstration_proportions(train, fit_to=validation) == demonstration_proportions(train)
