"""Comprobaciones del lab 03: fine-tuning con Keras (KerasHub sobre TensorFlow).

TensorFlow y Keras se importan dentro de cada comprobación: este módulo se carga con todos
los de ``coursekit.lab_checks`` y los labs de PyTorch no deben arrastrar TensorFlow.
"""

from __future__ import annotations

from typing import Any

from coursekit.checks import expect, fail, register
from coursekit.exercises import ExerciseNotDone

_FEATURES = ("token_ids", "padding_mask", "segment_ids")


def _collect(dataset) -> tuple[list[int], list[list[int]], list[int]]:
    """Recorre el dataset una vez: tamaños de batch, filas de token_ids y etiquetas."""
    sizes, rows, labels = [], [], []
    for features, batch_labels in dataset:
        sizes.append(int(batch_labels.shape[0]))
        rows.extend(features["token_ids"].numpy().tolist())
        labels.extend(int(v) for v in batch_labels.numpy())
    return sizes, rows, labels


def batch_groups(sizes: list[int], rows: list[list[int]]) -> list[tuple]:
    """Qué ejemplos van juntos en cada lote (sin importar el orden dentro ni entre lotes).

    Pública: la prueba oculta del lab 03 la usa en el juez, fuera del kernel del estudiante."""
    groups, start = [], 0
    for size in sizes:
        groups.append(tuple(sorted(tuple(row) for row in rows[start : start + size])))
        start += size
    return sorted(groups)


def _call(make_tf_dataset, subset, shuffle: bool):
    """Llama a la función del estudiante; si falla, lo convierte en una pista."""
    try:
        return make_tf_dataset(subset, shuffle=shuffle)
    except ExerciseNotDone:
        raise  # la función sigue sin escribir: el aviso amable, no una pista
    except Exception as error:  # el error es del código del estudiante: se explica, no se oculta
        message = f"{type(error).__name__}: {str(error)[:200]}"
        if "Column" in message:
            raise AssertionError(
                f"tu función falló ({message}). En datasets 5, subset['text'] es una columna "
                "perezosa (Column), no una lista: pásala como list(subset['text'])."
            ) from None
        raise AssertionError(f"tu función falló con shuffle={shuffle} ({message}).") from None


@register("03-tf-data")
def _check_tf_data(make_tf_dataset, subset, batch_size, sequence_length) -> str:
    import tensorflow as tf

    expect(callable(make_tf_dataset), "make_tf_dataset tiene que ser una función.")
    # Un trozo pequeño del subconjunto (con un último batch incompleto) basta y es rápido.
    size = min(len(subset), 2 * batch_size + 3)
    small = subset.select(range(size))
    expected_labels = [int(v) for v in small["label"]]

    ordered = _call(make_tf_dataset, small, shuffle=False)
    expect(ordered is not None, "tu función no devuelve nada: falta el `return`.")
    if not isinstance(ordered, tf.data.Dataset):
        fail(
            f"devuelve {type(ordered).__name__} y debería ser un tf.data.Dataset: crea uno con "
            "un elemento (texto, etiqueta) por ejemplo y encadena sus métodos."
        )
    spec = ordered.element_spec
    expect(
        isinstance(spec, tuple) and len(spec) == 2,
        "cada elemento debe ser un par (entradas, etiqueta): fit los separa así; crea el "
        "dataset a partir de una tupla con los textos y las etiquetas.",
    )
    features_spec, label_spec = spec
    if isinstance(features_spec, tf.TensorSpec) and features_spec.dtype == tf.string:
        raise AssertionError(
            "las entradas siguen siendo texto: el modelo recibe tensores de ids, así que falta "
            "aplicar el preprocesador a cada elemento del pipeline."
        )
    if not (isinstance(features_spec, dict) and set(_FEATURES) <= set(features_spec)):
        fail(
            f"las entradas deben ser el diccionario del preprocesador ({', '.join(_FEATURES)}): "
            "aplica el preprocesador del notebook a cada elemento."
        )
    expect(
        label_spec.shape.rank == 1,
        "el dataset no está en lotes: cada elemento es un solo ejemplo y fit entrenaría de uno "
        "en uno. Agrupa en lotes de batch_size (mejor antes de tokenizar: el preprocesador "
        "tokeniza un lote entero de una vez).",
    )
    expect(
        ordered.cardinality() != tf.data.INFINITE_CARDINALITY,
        "el dataset no se acaba nunca: fit ya recorre los datos una vez en cada época, no "
        "hace falta repetirlos.",
    )
    sizes, ordered_rows, ordered_labels = _collect(ordered)
    if not (sizes and sizes[0] == batch_size):
        fail(
            f"el primer lote tiene {sizes[0] if sizes else 0} ejemplos y debería tener "
            f"batch_size = {batch_size}."
        )
    if sum(sizes) != size:
        fail(
            f"el dataset da {sum(sizes)} ejemplos y el subconjunto tiene {size}: "
            + (
                "se pierde el último lote incompleto; en validación contarían todos los ejemplos."
                if sum(sizes) < size
                else "¿hay un .repeat()?"
            )
        )
    if len(ordered_rows[0]) != sequence_length:
        fail(
            f"cada texto mide {len(ordered_rows[0])} tokens y deberían ser {sequence_length}: usa "
            "el preprocesador del notebook, que ya tiene el sequence_length medido en los datos."
        )
    _, again_rows, _ = _collect(ordered)
    expect(
        ordered_labels == expected_labels and again_rows == ordered_rows,
        "con shuffle=False no barajes: el dataset de validación tiene que conservar el orden del "
        "subconjunto para comparar predicciones y etiquetas (matriz de confusión).",
    )

    shuffled = _call(make_tf_dataset, small, shuffle=True)
    expect(isinstance(shuffled, tf.data.Dataset), "con shuffle=True también debe dar un Dataset.")
    shuffled_sizes, shuffled_rows, _ = _collect(shuffled)
    expect(
        sorted(shuffled_rows) == sorted(ordered_rows),
        "con shuffle=True deben salir los mismos ejemplos que con shuffle=False.",
    )
    expect(
        shuffled_rows != ordered_rows,
        "con shuffle=True los ejemplos salen en el mismo orden: no se baraja (¿un búfer de "
        "barajado de tamaño 1?).",
    )
    expect(
        batch_groups(shuffled_sizes, shuffled_rows) != batch_groups(sizes, ordered_rows),
        "con shuffle=True cambia el orden de los lotes, pero cada lote lleva siempre los mismos "
        "ejemplos: estás barajando lotes, no ejemplos. Baraja antes de agrupar.",
    )
    _, shuffled_again, _ = _collect(_call(make_tf_dataset, small, shuffle=True))
    expect(
        shuffled_again == shuffled_rows,
        "dos pipelines con shuffle=True barajan distinto: el barajado no es reproducible. "
        "Dale la semilla del perfil (seed) al barajar.",
    )
    expect(
        "Prefetch" in type(shuffled).__name__ and "Prefetch" in type(ordered).__name__,
        "falta el último paso: precargar (prefetch) el lote siguiente mientras el modelo "
        "entrena con el actual, para que la GPU no espere a la tokenización.",
    )
    return (
        f"lotes de {batch_size}, {sequence_length} tokens por texto, barajado solo en "
        "entrenamiento y con prefetch."
    )


def loss_facts(loss) -> dict:  # sin anotaciones: su código se ejecuta en el kernel
    """Datos en bruto de la pérdida de ``compile`` (texto, clase, función y ``from_logits``).

    Autocontenida (sin nombres del módulo): la prueba oculta envía su código al kernel y solo
    recibe estos datos; :func:`describe_loss` los interpreta fuera."""
    if isinstance(loss, str):
        return {"text": loss, "class": "str", "function": "", "config": False, "logits": None}
    function = getattr(loss, "fn", loss)  # LossFunctionWrapper guarda la función en .fn
    config = loss.get_config() if hasattr(loss, "get_config") else {}
    config = config if isinstance(config, dict) else {}
    logits = config.get("from_logits", "sin from_logits")
    return {
        "text": None,
        "class": type(loss).__name__,
        "function": str(getattr(function, "__name__", type(function).__name__)),
        "config": hasattr(loss, "get_config"),
        "logits": logits if logits is None or isinstance(logits, (bool, str)) else repr(logits),
    }


def describe_loss(facts: dict) -> tuple[str, bool | None]:
    """Nombre normalizado de la pérdida (``sparsecategoricalcrossentropy``...) y su
    ``from_logits``, a partir de :func:`loss_facts`."""
    logits = facts["logits"]
    if facts["text"] is not None:
        return facts["text"].replace("_", "").lower(), False
    if facts["config"] and facts["class"] != "LossFunctionWrapper":
        return facts["class"].lower(), None if logits == "sin from_logits" else logits
    return facts["function"].replace("_", "").lower(), (
        False if logits == "sin from_logits" else logits
    )


def loss_description(loss: Any) -> tuple[str, bool | None]:
    """Nombre normalizado de la pérdida y su ``from_logits`` (la comprobación pública)."""
    return describe_loss(loss_facts(loss))


@register("03-compilar")
def _check_compile(model, learning_rate) -> str:
    import keras

    expect(
        getattr(model, "compiled", False),
        "el modelo no está compilado: llama a model.compile(optimizer=..., loss=..., metrics=...).",
    )
    optimizer = model.optimizer
    if not isinstance(optimizer, keras.optimizers.Adam):
        fail(
            f"el optimizador es {type(optimizer).__name__}: el ejercicio pide Adam "
            "(keras.optimizers) con la tasa de aprendizaje del perfil."
        )
    current = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    if not (abs(current - learning_rate) <= 1e-3 * learning_rate):
        fail(
            f"la tasa de aprendizaje es {current:g} y el perfil pide {learning_rate:g} "
            "(profile.learning_rate). Con optimizer='adam' Keras usa 0.001, demasiado para "
            "ajustar un modelo preentrenado: crea tú el optimizador para darle la tasa."
        )
    expect(model.loss is not None, "falta la pérdida: loss=...")
    name, from_logits = loss_description(model.loss)
    if "binary" in name:
        raise AssertionError(
            "la entropía cruzada binaria es para una sola salida (una probabilidad); el "
            "clasificador da una puntuación por clase y las etiquetas son enteros: busca en "
            "keras.losses la entropía cruzada para etiquetas enteras."
        )
    if "categoricalcrossentropy" in name and not name.startswith("sparse"):
        raise AssertionError(
            "CategoricalCrossentropy espera etiquetas one-hot ([0, 1, 0]) y las nuestras son "
            "enteros (0, 1, 2...): keras.losses tiene otra versión para etiquetas enteras."
        )
    if "sparsecategoricalcrossentropy" not in name:
        fail(
            f"la pérdida es {name}: para clasificar en varias clases con etiquetas enteras hace "
            "falta una entropía cruzada (mira la lista de keras.losses)."
        )
    expect(
        from_logits is True,
        "el modelo devuelve logits (puntuaciones sin softmax), pero tu pérdida los toma por "
        "probabilidades y entrenaría mal: busca en la documentación de la pérdida el argumento "
        "que le dice que recibe logits (una pérdida escrita como texto siempre espera "
        "probabilidades).",
    )
    metrics = model.get_compile_config().get("metrics") or []
    metrics = metrics if isinstance(metrics, list | tuple) else [metrics]
    names = [
        (m.get("class_name", "") if isinstance(m, dict) else str(m)).replace("_", "").lower()
        for m in metrics
    ]
    expect(
        any(n in ("accuracy", "acc", "sparsecategoricalaccuracy") for n in names),
        "falta una métrica de exactitud (metrics=...) para verla en cada época.",
    )
    return f"Adam (tasa de aprendizaje {learning_rate:g}), pérdida sobre logits y exactitud."
