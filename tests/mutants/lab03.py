"""Variantes del lab 03 (Keras con KerasHub).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``). Para ``03-compilar`` basta un modelo de Keras diminuto (nuevo en
cada llamada: ``compile`` lo modifica); la comprobación solo mira optimizador, pérdida y
métricas.
"""

from __future__ import annotations

import os
from functools import cache

from mutants.spec import alternative, mistake


def _pipeline(*steps: str) -> str:
    body = "\n".join(f"    {step}" for step in steps)
    return f"def make_tf_dataset(subset, shuffle):\n{body}"


_SLICES = 'ds = tf.data.Dataset.from_tensor_slices((list(subset["text"]), list(subset["label"])))'
_SHUFFLE = "if shuffle:\n        ds = ds.shuffle(len(subset), seed=profile.seed)"
_BATCH = "ds = ds.batch(profile.batch_size)"
_MAP = "ds = ds.map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)"
_RETURN = "return ds.prefetch(tf.data.AUTOTUNE)"


def _compile(optimizer: str, loss: str, metrics: str = 'metrics=["accuracy"],') -> str:
    return f"model.compile(\n    optimizer={optimizer},\n    loss={loss},\n    {metrics}\n)"


_ADAM = "keras.optimizers.Adam(learning_rate=profile.learning_rate)"
_LOSS = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"

VARIANTS = [
    # 03-tf-data
    mistake(
        "03-tf-data",
        "sin-lotes",
        _pipeline(_SLICES, _SHUFFLE, _MAP, _RETURN),
        "no agrupa en lotes",
        hint="lotes",
    ),
    mistake(
        "03-tf-data",
        "valida-barajada",
        _pipeline(
            _SLICES, "ds = ds.shuffle(len(subset), seed=profile.seed)", _BATCH, _MAP, _RETURN
        ),
        "baraja también los datos de evaluación",
        hint="orden",
    ),
    mistake(
        "03-tf-data",
        "sin-semilla",
        _pipeline(
            _SLICES, "if shuffle:\n        ds = ds.shuffle(len(subset))", _BATCH, _MAP, _RETURN
        ),
        "baraja sin semilla: no es reproducible",
        hint="semilla",
    ),
    mistake(
        "03-tf-data",
        "baraja-lotes",
        _pipeline(
            _SLICES,
            _BATCH,
            "if shuffle:\n        ds = ds.shuffle(len(subset), seed=profile.seed)",
            _MAP,
            _RETURN,
        ),
        "baraja después de agrupar: cambia el orden de los lotes, no su contenido",
        hint="barajando lotes",
    ),
    mistake(
        "03-tf-data",
        "sin-prefetch",
        _pipeline(_SLICES, _SHUFFLE, _BATCH, _MAP, "return ds"),
        "no precarga el lote siguiente",
        hint="prefetch",
    ),
    mistake(
        "03-tf-data",
        "descarta-el-ultimo",
        _pipeline(
            _SLICES,
            _SHUFFLE,
            "ds = ds.batch(profile.batch_size, drop_remainder=True)",
            _MAP,
            _RETURN,
        ),
        "tira el último lote incompleto",
        hint="incompleto",
    ),
    alternative(
        "03-tf-data",
        "tokeniza-cada-ejemplo",
        _pipeline(
            "texts, labels = np.array(subset['text']), np.array(subset['label'])",
            "ds = tf.data.Dataset.from_tensor_slices((texts, labels))",
            "if shuffle:\n        ds = ds.shuffle(buffer_size=10_000, seed=profile.seed)",
            "ds = ds.map(preprocessor).batch(profile.batch_size)",
            "return ds.prefetch(buffer_size=tf.data.AUTOTUNE)",
        ),
    ),
    alternative(
        "03-tf-data",
        "encadenado",
        _pipeline(
            "texts, labels = list(subset['text']), list(subset['label'])",
            "ds = tf.data.Dataset.from_tensor_slices((texts, labels))",
            "ds = ds.shuffle(len(subset), seed=profile.seed) if shuffle else ds",
            "return (ds.batch(profile.batch_size)\n"
            "              .map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)\n"
            "              .prefetch(2))",
        ),
    ),
    # 03-compilar
    mistake(
        "03-compilar",
        "sin-from-logits",
        _compile(_ADAM, "keras.losses.SparseCategoricalCrossentropy()"),
        "pérdida sin from_logits=True: toma los logits por probabilidades",
        hint="logits",
    ),
    mistake(
        "03-compilar",
        "perdida-como-texto",
        _compile(_ADAM, '"sparse_categorical_crossentropy"'),
        "pérdida escrita como texto, que espera probabilidades",
        hint="logits",
    ),
    mistake(
        "03-compilar",
        "categorica",
        _compile(_ADAM, "keras.losses.CategoricalCrossentropy(from_logits=True)"),
        "CategoricalCrossentropy con etiquetas enteras (espera one-hot)",
        hint="one-hot",
    ),
    mistake(
        "03-compilar",
        "binaria",
        _compile(_ADAM, "keras.losses.BinaryCrossentropy(from_logits=True)"),
        "entropía cruzada binaria con una salida por clase",
        hint="una sola salida",
    ),
    mistake(
        "03-compilar",
        "adam-por-defecto",
        _compile('"adam"', _LOSS),
        "optimizer='adam': la tasa por defecto (0.001) es demasiado alta",
        hint="0.001",
    ),
    mistake(
        "03-compilar",
        "sin-metricas",
        _compile(_ADAM, _LOSS, metrics=""),
        "sin métrica de exactitud",
        hint="exactitud",
    ),
    alternative(
        "03-compilar",
        "por-posicion",
        "model.compile(keras.optimizers.Adam(profile.learning_rate),\n"
        "              keras.losses.SparseCategoricalCrossentropy(True),\n"
        "              metrics=[keras.metrics.SparseCategoricalAccuracy()])",
    ),
    alternative(
        "03-compilar",
        "objetos-antes",
        "optimizer = keras.optimizers.Adam(learning_rate=profile.learning_rate)\n"
        "loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True,\n"
        '                                                     reduction="sum_over_batch_size")\n'
        'model.compile(loss=loss_fn, metrics=["acc"], optimizer=optimizer)',
    ),
]


def _fast_preprocessor(sequence_length: int):
    """Un doble del preprocesador de KerasHub para las variantes: la misma interfaz (un texto o
    un lote de textos, con o sin etiqueta → diccionario ``token_ids``/``padding_mask``/
    ``segment_ids`` de longitud fija), con ids de un hash de las palabras. El de verdad tarda
    unos 5 s en trazarse dentro de cada ``map`` y la comprobación construye cinco pipelines por
    variante; el notebook (nbval) ejecuta la solución con el preprocesador real."""
    import tensorflow as tf

    def preprocess(x, y=None):
        words = tf.strings.split(x)
        if isinstance(words, tf.RaggedTensor):
            ids = tf.ragged.map_flat_values(tf.strings.to_hash_bucket_fast, words, 30000) + 1
            ids = ids[:, :sequence_length].to_tensor(shape=[None, sequence_length])
        else:
            ids = tf.strings.to_hash_bucket_fast(words, 30000)[:sequence_length] + 1
            ids = tf.pad(ids, [[0, sequence_length - tf.shape(ids)[0]]])
            ids = tf.ensure_shape(ids, [sequence_length])
        features = {"token_ids": ids, "padding_mask": ids != 0, "segment_ids": tf.zeros_like(ids)}
        return features if y is None else (features, y)

    return preprocess


@cache
def _shared():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import numpy as np
    import tensorflow as tf

    from coursekit import data
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    train_subset, validation_subset, _ = data.course_splits(
        data.load_course_dataset(profile), profile
    )
    sequence_length = 40  # el notebook lo mide en los datos; aquí basta con que sea fijo
    return {
        "profile": profile,
        "keras": keras,
        "tf": tf,
        "np": np,
        "preprocessor": _fast_preprocessor(sequence_length),
        "train_subset": train_subset,
        "validation_subset": validation_subset,
        "sequence_length": sequence_length,
        "num_labels": len(data.label_names(train_subset)),
    }


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación."""
    from coursekit.checks import check

    names = dict(_shared(), check=check)
    if exercise == "03-compilar":
        keras = names["keras"]
        names["model"] = keras.Sequential(
            [keras.Input(shape=(4,)), keras.layers.Dense(names["num_labels"])]
        )
    return names
