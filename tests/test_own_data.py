"""«Usa tus propios datos»: variables de entorno, perfil sin el filtro de los datos empaquetados,
CSV de Excel (Windows-1252, ``;``) y un error en español para cada CSV que no sirve."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from coursekit.data import (
    course_splits,
    csv_reading_options,
    detect_csv_encoding,
    detect_csv_separator,
    label_names,
    load_course_dataset,
    load_csv_dataset,
)
from coursekit.errors import CourseError
from coursekit.profiles import OWN_DATA_ENV_VARS, PROFILES, get_profile, own_data_overrides

CLASSES = ["positivo", "neutro", "negativo"]


@pytest.fixture(autouse=True)
def _no_own_data_env(monkeypatch):
    for variable in OWN_DATA_ENV_VARS:
        monkeypatch.delenv(variable, raising=False)


def spanish_rows(per_class: int = 10, classes=CLASSES) -> list[tuple[str, str]]:
    """Textos en español con tildes y eñes, ``per_class`` por clase."""
    return [
        (f"Opinión nº {i} sobre el año pasado: {label}, señor; ¿qué tal? «{i}»", label)
        for label in classes
        for i in range(per_class)
    ]


def write_rows(
    folder: Path,
    rows,
    name: str = "mis_datos.csv",
    separator: str = ";",
    encoding: str = "cp1252",
    header: tuple[str, str] = ("texto", "clase"),
) -> Path:
    """Escribe un CSV como lo haría Excel (por defecto: Windows-1252 y ``;``)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def own_profile(path: Path, **changes):
    return get_profile(
        "ci", dataset_name=str(path), text_column="texto", label_column="clase", **changes
    )


# --- perfil -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["full", "quick", "ci"])
def test_own_data_drops_the_packaged_filter_names_and_prompt(name, tmp_path):
    profile = get_profile(name, dataset_name="mis_datos.csv", text_column="t", label_column="l")
    assert profile.row_filter == {} and profile.label_display_names == {}
    assert profile.prompt_init_text is None
    assert (profile.text_column, profile.label_column) == ("t", "l")
    assert profile.uses_own_data and "tus datos (mis_datos.csv)" in profile.description
    assert profile.model_name == PROFILES[name].model_name  # el modelo no cambia
    # Sin columnas, las de por defecto (no las del CSV anterior).
    assert get_profile(name, dataset_name="x.csv").text_column == "text"


def test_environment_variables_pick_own_data(monkeypatch):
    monkeypatch.setenv("COURSE_DATA", "mis_datos.csv")
    monkeypatch.setenv("COURSE_TEXT_COLUMN", "texto")
    monkeypatch.setenv("COURSE_LABEL_COLUMN", "clase")
    monkeypatch.setenv("COURSE_CSV_SEPARATOR", ";")
    monkeypatch.setenv("COURSE_CSV_ENCODING", "cp1252")
    monkeypatch.setenv("COURSE_TRAIN_SIZE", "30")
    profile = get_profile("quick")
    assert profile.dataset_name == "mis_datos.csv" and profile.row_filter == {}
    assert (profile.text_column, profile.label_column) == ("texto", "clase")
    assert (profile.csv_separator, profile.csv_encoding, profile.train_size) == (";", "cp1252", 30)
    # Los argumentos ganan a las variables; un objeto Profile no las lee.
    assert get_profile("quick", text_column="otra").text_column == "otra"
    assert get_profile(PROFILES["quick"]) is PROFILES["quick"]


def test_environment_variables_blank_or_bad(monkeypatch):
    monkeypatch.setenv("COURSE_DATA", "  ")
    assert get_profile("quick") is PROFILES["quick"]
    assert own_data_overrides({"COURSE_CSV_SEPARATOR": "tab"}) == {"csv_separator": "\t"}
    with pytest.raises(CourseError, match="COURSE_EVAL_SIZE='muchos' no es válido.*entero"):
        own_data_overrides({"COURSE_EVAL_SIZE": "muchos"})


@pytest.mark.parametrize("name", ["full", "quick", "ci"])
def test_lab_02_comparison_rate_differs_in_every_profile(name):
    profile = get_profile(name)
    assert profile.comparison_learning_rate != profile.learning_rate


def test_equal_comparison_rate_is_a_clear_error():
    with pytest.raises(
        CourseError, match="compararía dos entrenamientos idénticos.*comparison_learning_rate="
    ):
        get_profile("quick", learning_rate=5e-5)


# --- leer CSV de cualquier origen -----------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, separator",
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("utf-8-sig", ";"),
        ("cp1252", ";"),
        ("cp1252", ","),
        ("latin-1", ";"),
        ("utf-8", "\t"),
    ],
)
def test_reads_excel_and_utf8_csv_with_any_separator(tmp_path, encoding, separator):
    path = write_rows(tmp_path, spanish_rows(), separator=separator, encoding=encoding)
    data = load_course_dataset(own_profile(path))
    assert label_names(data) == sorted(CLASSES)
    texts = list(data["train"]["text"]) + list(data["test"]["text"])
    assert len(texts) == 30 and any("año" in t and "Opinión" in t and "¿" in t for t in texts)


def test_detection_helpers():
    assert detect_csv_encoding(codecs.BOM_UTF8 + "año".encode()) == "utf-8-sig"
    assert detect_csv_encoding("año".encode()) == "utf-8"
    assert detect_csv_encoding("año".encode("cp1252")) == "cp1252"
    assert detect_csv_encoding(b"\x81\xf1") == "latin-1"  # 0x81 no existe en Windows-1252
    assert detect_csv_separator("texto;clase", ["texto", "clase"]) == ";"
    # Una coma dentro de la cabecera no engaña: cuenta que estén las columnas pedidas.
    assert detect_csv_separator('"texto, largo";clase', ["texto, largo", "clase"]) == ";"
    assert detect_csv_separator("texto|clase", ["texto", "clase"]) == "|"
    assert detect_csv_separator("a,b", ["texto"]) is None


def test_given_separator_and_encoding_are_used(tmp_path):
    path = write_rows(tmp_path, spanish_rows(), separator=";", encoding="cp1252")
    options = csv_reading_options(path, ["texto", "clase"], separator=";", encoding="cp1252")
    assert options == {"sep": ";", "encoding": "cp1252"}
    data = load_course_dataset(own_profile(path, csv_separator=";", csv_encoding="cp1252"))
    assert len(label_names(data)) == 3


def test_int_labels_and_labels_with_spaces(tmp_path):
    rows = [(text, f" {label} ") for text, label in spanish_rows()]
    data = load_course_dataset(own_profile(write_rows(tmp_path, rows)))
    assert label_names(data) == sorted(CLASSES)
    stars = [(f"texto {i}", str(1 + i % 5)) for i in range(50)]
    data = load_course_dataset(own_profile(write_rows(tmp_path, stars, name="estrellas.csv")))
    assert label_names(data) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("num_classes", [3, 20])
def test_many_classes_end_to_end_subsets(tmp_path, num_classes):
    classes = [f"clase_{i:02d}" for i in range(num_classes)]
    path = write_rows(tmp_path, spanish_rows(10, classes))
    profile = own_profile(path, train_size=2 * num_classes, eval_size=num_classes)
    train, validation, test = course_splits(load_course_dataset(profile), profile)
    assert label_names(train) == classes
    assert sorted(set(train["label"])) == list(range(num_classes))
    assert len(validation) == len(test) == num_classes


# --- cada CSV que no sirve: un error en español que dice qué hacer ---------------------------


def _error(path: Path, **changes) -> str:
    with pytest.raises(CourseError) as info:
        profile = own_profile(path, **changes)
        course_splits(load_course_dataset(profile), profile)
    message = str(info.value)
    assert "An error occurred" not in message
    return message


def test_bad_csv_missing_label(tmp_path):
    rows = spanish_rows()
    rows[3] = (rows[3][0], "")
    rows[7] = (rows[7][0], "   ")
    message = _error(write_rows(tmp_path, rows))
    assert "Hay 2 fila(s) sin etiqueta en la columna 'clase'" in message
    assert "filas de datos 4, 8" in message and "Quítalas del CSV o ponles su clase" in message


def test_bad_csv_class_with_one_example(tmp_path):
    rows = spanish_rows() + [("un texto suelto", "sorpresa")]
    message = _error(write_rows(tmp_path, rows))
    assert "'sorpresa'" in message and "un solo ejemplo" in message
    assert "cada clase necesita al menos 2 ejemplos" in message


def test_bad_csv_more_classes_than_the_subset_can_balance(tmp_path):
    classes = [f"clase_{i:02d}" for i in range(20)]
    message = _error(write_rows(tmp_path, spanish_rows(10, classes)), train_size=10)
    assert "Con 10 ejemplos no se pueden representar las 20 clases" in message
    assert "COURSE_TRAIN_SIZE" in message


def test_bad_csv_class_too_small_for_a_balanced_subset(tmp_path):
    rows = spanish_rows(30, ["positivo", "negativo"]) + spanish_rows(4, ["neutro"])
    message = _error(write_rows(tmp_path, rows), train_size=30, eval_size=3)
    # 3 de las 4 filas de «neutro» caen en train (80 %) y una de ellas va a la validación.
    assert "La clase 'neutro' solo tiene 2 ejemplos en la partición 'train'" in message
    assert "hacen falta 10" in message and "3 de sus 51 ejemplos ya son de validación" in message
    assert "el mayor subconjunto equilibrado posible aquí es de 6" in message
    assert "COURSE_TRAIN_SIZE" in message


def test_bad_csv_subset_larger_than_the_data(tmp_path):
    message = _error(write_rows(tmp_path, spanish_rows()), train_size=12, eval_size=100)
    assert "Pides 100 ejemplos pero la partición 'test' solo tiene 6" in message
    assert "COURSE_EVAL_SIZE" in message and "como mucho 6" in message


def test_bad_csv_wrong_column_names(tmp_path):
    path = write_rows(tmp_path, spanish_rows(), header=("Texto", "Etiqueta"))
    message = _error(path)
    assert "no tiene la(s) columna(s) 'texto', 'clase'" in message
    assert "Columnas disponibles: Texto, Etiqueta" in message
    assert "COURSE_TEXT_COLUMN" in message and "csv_separator" in message


def test_bad_csv_rows_with_extra_fields(tmp_path, capfd):
    path = write_rows(tmp_path, spanish_rows())
    with path.open("ab") as handle:
        handle.write("otro texto;positivo;sobra;y más\r\n".encode("cp1252"))
    message = _error(path)
    assert (
        "No pude leer el CSV mis_datos.csv con el separador ';' y la codificación cp1252 "
        "(línea 32)" in message
    )
    assert "Failed to read file" not in capfd.readouterr().err  # el registro en inglés de datasets
    assert "csv_separator=" in message and "COURSE_CSV_SEPARATOR" in message


def test_bad_csv_wrong_encoding_given(tmp_path):
    path = write_rows(tmp_path, spanish_rows(), encoding="cp1252")
    message = _error(path, csv_encoding="utf-8")
    assert "no está en utf-8" in message and "csv_encoding='cp1252'" in message
    assert "COURSE_CSV_ENCODING" in message
    assert "No conozco la codificación 'klingon'" in _error(path, csv_encoding="klingon")


def test_bad_csv_empty_file(tmp_path):
    path = tmp_path / "vacio.csv"
    path.write_bytes(b"")
    assert "está vacío" in _error(path)


def test_bad_csv_single_class(tmp_path):
    message = _error(write_rows(tmp_path, spanish_rows(10, ["positivo"])))
    assert "una sola clase" in message and "al menos dos" in message


def test_bad_csv_missing_file(tmp_path):
    assert "No encuentro el archivo CSV" in _error(tmp_path / "no_existe.csv")


def test_bad_csv_float_labels(tmp_path):
    rows = [(text, "1.5") for text, _ in spanish_rows()]
    rows[0] = (rows[0][0], "2.5")
    assert "conviértelos a enteros" in _error(write_rows(tmp_path, rows))


def test_load_csv_dataset_reads_excel_file_directly(tmp_path):
    path = write_rows(tmp_path, spanish_rows())
    data = load_csv_dataset(path, text_column="texto", label_column="clase")
    assert label_names(data) == sorted(CLASSES)


def test_own_data_checkpoints_never_mix_with_the_packaged_data(tmp_path):
    from coursekit.checkpoints import run_directory

    packaged = run_directory("02_trainer", get_profile("quick"), root=tmp_path)
    own = run_directory(
        "02_trainer", get_profile("quick", dataset_name="mis datos.csv"), root=tmp_path
    )
    assert packaged.name.startswith("02_trainer-quick-all-MiniLM-L6-v2-")
    assert own.name.startswith("02_trainer-quick-all-MiniLM-L6-v2-mis_datos-")
    assert packaged != own
