"""Pruebas ocultas del lab 03 (Keras). Ver coursekit/instructor/grading/hidden.py."""

from __future__ import annotations

from functools import lru_cache

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import (
    AnyOf,
    Flag,
    Integer,
    ListOf,
    Nullable,
    Number,
    Record,
    Text,
)
from coursekit.lab_checks.lab03 import batch_groups, describe_loss, loss_facts
from coursekit.profiles import get_profile


def hidden_indices(size, batch_size):
    """Ejemplos del final del subconjunto de entrenamiento, en orden inverso, de tamaño
    ``batch_size + 3`` (la comprobación pública usa ``2 × batch_size + 3`` de validación)."""
    count = min(size, batch_size + 3)
    return list(range(size - 1, size - 1 - count, -1))


def probe_tf_data(ns):
    import tensorflow as tf

    subset = ns["train_subset"]
    indices = hidden_indices(len(subset), ns["profile"].batch_size)
    small = subset.select(indices)

    def describe(ds):
        spec = ds.element_spec
        pair = isinstance(spec, tuple) and len(spec) == 2
        features = sorted(spec[0]) if pair and isinstance(spec[0], dict) else []
        sizes, rows, labels = [], [], []
        if pair and features and ds.cardinality() != tf.data.INFINITE_CARDINALITY:
            for inputs, batch_labels in ds.take(100):
                sizes.append(int(batch_labels.shape[0]))
                rows += inputs["token_ids"].numpy().tolist()
                labels += [int(v) for v in batch_labels.numpy()]
        return {
            "type": type(ds).__name__,
            "pair": pair,
            "features": features,
            "sizes": sizes,
            "rows": rows,
            "labels": labels,
        }

    return {
        "ordered": describe(ns["make_tf_dataset"](small, shuffle=False)),
        "shuffled": describe(ns["make_tf_dataset"](small, shuffle=True)),
        "shuffled_again": describe(ns["make_tf_dataset"](small, shuffle=True)),
        "sequence_length": int(ns["sequence_length"]),
    }


@lru_cache(maxsize=1)
def _reference_labels() -> list[int]:
    from coursekit import data

    profile = get_profile("ci")
    train_subset, _, _ = data.course_splits(data.load_course_dataset(profile), profile)
    indices = hidden_indices(len(train_subset), profile.batch_size)
    return [int(v) for v in train_subset.select(indices)["label"]]


def judge_tf_data(seen) -> dict:
    batch_size = get_profile("ci").batch_size
    labels = _reference_labels()
    ordered, shuffled = seen["ordered"], seen["shuffled"]
    expected_sizes = [batch_size] * (len(labels) // batch_size)
    expected_sizes += [len(labels) % batch_size] if len(labels) % batch_size else []
    well_formed = (
        ordered["pair"]
        and {"token_ids", "padding_mask", "segment_ids"} <= set(ordered["features"])
        and ordered["sizes"] == expected_sizes
        and all(len(row) == seen["sequence_length"] for row in ordered["rows"])
    )
    return {
        "pares tokenizados en batches": None
        if well_formed
        else "con otro subconjunto, el dataset no da pares (entradas tokenizadas, etiqueta) en "
        "batches de batch_size con un último batch incompleto.",
        "sin barajar conserva el orden": None
        if well_formed and ordered["labels"] == labels
        else "con shuffle=False los ejemplos deben salir en el orden del subconjunto.",
        "barajado reproducible y con prefetch": None
        if well_formed
        and sorted(shuffled["rows"]) == sorted(ordered["rows"])
        and shuffled["rows"] != ordered["rows"]
        and _groups(shuffled) != _groups(ordered)
        and seen.get("shuffled_again", {}).get("rows") == shuffled["rows"]
        and "Prefetch" in ordered["type"]
        and "Prefetch" in shuffled["type"]
        else "con shuffle=True deben salir los mismos ejemplos en otro orden, barajados uno a "
        "uno (no lotes enteros) y de forma reproducible con la semilla, y el pipeline debe "
        "terminar preparando el batch siguiente.",
    }


def _groups(described) -> list:
    """Qué filas van juntas en cada lote, sin importar el orden (la misma cuenta que la
    comprobación pública)."""
    return batch_groups(described["sizes"], described["rows"])


def _dataset_schema():
    rows = ListOf(ListOf(Integer(), max_length=4096), max_length=20_000)
    return Record(
        {
            "type": Text(200),
            "pair": Flag(),
            "features": ListOf(Text(200), max_length=50),
            "sizes": ListOf(Integer(0, 10**6), max_length=100),
            "rows": rows,
            "labels": ListOf(Integer(), max_length=20_000),
        }
    )


TF_DATA_SCHEMA = Record(
    {
        "ordered": _dataset_schema(),
        "shuffled": _dataset_schema(),
        "shuffled_again": _dataset_schema(),
        "sequence_length": Integer(0, 10**5),
    }
)

LOSS_SCHEMA = Record(
    {
        "text": Nullable(Text(200)),
        "class": Text(200),
        "function": Text(200),
        "config": Flag(),
        "logits": Nullable(AnyOf((Flag(), Text(200)))),
    }
)

COMPILE_SCHEMA = Record(
    {
        "compiled": Flag(),
        "optimizer": Text(200),
        "learning_rate": Nullable(Number()),
        "loss": Nullable(LOSS_SCHEMA),
        "metrics": ListOf(Text(200), max_length=50),
    }
)


def probe_compile(ns):
    """Solo datos en bruto: ``loss_facts`` viaja con la sonda (nada de ``coursekit`` que el
    estudiante pueda haber parcheado en su kernel); el juez los interpreta fuera."""
    import keras

    model = ns["model"]
    compiled = bool(getattr(model, "compiled", False))
    optimizer = getattr(model, "optimizer", None)
    learning_rate = None
    if optimizer is not None:
        learning_rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    metrics = model.get_compile_config().get("metrics") if compiled else []
    metrics = metrics if isinstance(metrics, list | tuple) else [metrics]
    names = [
        (m.get("class_name", "") if isinstance(m, dict) else str(m)).replace("_", "").lower()
        for m in metrics or []
    ]
    return {
        "compiled": compiled,
        "optimizer": type(optimizer).__name__,
        "learning_rate": learning_rate,
        "loss": loss_facts(model.loss) if compiled else None,
        "metrics": names,
    }


def judge_compile(seen) -> dict:
    """KerasHub compila cada ``TextClassifier`` con valores por defecto (Adam, la pérdida y la
    métrica correctas, pero su propia tasa, 5e-5). El lab lo carga con ``compile=False``; una
    entrega que lo quite tendría ese compile, y la tasa del perfil ``ci`` (1e-4) es lo que
    demuestra que el estudiante compiló: sin ella, las otras dos partes tampoco cuentan."""
    rate = get_profile("ci").learning_rate
    own_compile = (
        seen["compiled"]
        and seen["optimizer"] == "Adam"
        and seen["learning_rate"] is not None
        and abs(seen["learning_rate"] - rate) <= 1e-3 * rate
    )
    if not own_compile:
        hint = (
            "el modelo no está compilado como pide el ejercicio: el optimizador debe ser Adam "
            "con la tasa de aprendizaje del perfil (sin compilar, KerasHub usa la suya)."
        )
        return dict.fromkeys(
            ("Adam con la tasa del perfil", "pérdida sobre logits", "métrica de exactitud"), hint
        )
    loss_name, from_logits = describe_loss(seen["loss"]) if seen["loss"] else ("", None)
    return {
        "Adam con la tasa del perfil": None,
        "pérdida sobre logits": None
        if loss_name.startswith("sparsecategoricalcrossentropy") and from_logits is True
        else "la pérdida no encaja con etiquetas enteras y un modelo que devuelve logits.",
        "métrica de exactitud": None
        if any(n in ("accuracy", "acc", "sparsecategoricalaccuracy") for n in seen["metrics"])
        else "falta la métrica de exactitud.",
    }


LAB_TESTS = LabTests(
    lab="03",
    # Entrenar, evaluar, predecir y la prueba con el backend de PyTorch solo se muestran.
    skip_cells=(
        r"\.fit\(",
        r"\.evaluate\(",
        r"\.predict\(",
        r"keras_history_frame\(",
        r"torch_script",
    ),
    keep_names=("make_tf_dataset", "model", "sequence_length", "train_subset", "profile"),
    tests=(
        HiddenTest(
            "03-tf-data",
            parts={
                "pares tokenizados en batches": 1,
                "sin barajar conserva el orden": 1,
                "barajado reproducible y con prefetch": 1,
            },
            probe=probe_tf_data,
            judge=judge_tf_data,
            helpers=(hidden_indices,),
            schema=TF_DATA_SCHEMA,
        ),
        HiddenTest(
            "03-compilar",
            parts={
                "Adam con la tasa del perfil": 1,
                "pérdida sobre logits": 1,
                "métrica de exactitud": 1,
            },
            probe=probe_compile,
            judge=judge_compile,
            helpers=(loss_facts,),
            schema=COMPILE_SCHEMA,
        ),
    ),
)
