"""Lab 03 (Keras 3 + KerasHub): presets, vocabulario, errores, predicciones, historial,
comprobaciones de los ejercicios y que los labs de PyTorch no importan TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coursekit.checks import CheckFailed, available_checks, check
from coursekit.errors import CourseError, MissingPathError
from coursekit.keras_models import (
    SUPPORTED_MODEL_TYPES,
    import_keras_hub,
    keras_history_frame,
    load_keras_classifier,
    load_keras_preprocessor,
    match_hf_accent_stripping,
    quiet_native_stderr,
    resolve_keras_preset,
)
from coursekit.models import packaged_model_dir
from coursekit.predictions import logits_to_label_names

ROOT = Path(__file__).resolve().parents[1]
SEQUENCE_LENGTH = 16
BATCH_SIZE = 4
NAMES = ["negativa", "positiva"]
SENTENCES = [
    "The acting is superb, but the screenplay feels unfinished.",
    "Un café con leche, por favor: ¿está incluido?",
    "A dull film.",
]


# --- fixtures (una sola carga por sesión: importar TensorFlow cuesta unos segundos) -----------


@pytest.fixture(scope="session")
def keras_hub():
    return import_keras_hub()


@pytest.fixture(scope="session")
def keras(keras_hub):
    import keras

    return keras


@pytest.fixture(scope="session")
def tf(keras_hub):
    import tensorflow as tf

    return tf


@pytest.fixture(scope="session")
def preprocessor(keras_hub):
    return load_keras_preprocessor("ci", sequence_length=SEQUENCE_LENGTH)


@pytest.fixture(scope="session")
def eval_subset(ci_dataset):
    """20 reseñas de validación (las dos clases), como el subconjunto del lab."""
    return ci_dataset["test"].select(range(20))


def _hf_folder(tmp_path, config) -> Path:
    folder = tmp_path / "modelo"
    folder.mkdir()
    text = config if isinstance(config, str) else json.dumps(config)
    (folder / "config.json").write_text(text)
    (folder / "model.safetensors").write_bytes(b"")
    return folder


# --- presets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ci", "quick", "packaged:all-MiniLM-L6-v2"])
def test_offline_profiles_use_the_packaged_folder(name):
    from coursekit.keras_models import legacy_keras_hub_folder

    # Con KerasHub ≥ 0.30, la carpeta misma; con versiones anteriores, su copia renombrada.
    assert resolve_keras_preset(name) == str(legacy_keras_hub_folder(packaged_model_dir()))


def test_full_profile_uses_hf_prefix():
    assert resolve_keras_preset("full") == "hf://google-bert/bert-base-cased"
    assert resolve_keras_preset("bert-base-cased") == "hf://bert-base-cased"
    assert resolve_keras_preset("google-bert/bert-base-uncased") == (
        "hf://google-bert/bert-base-uncased"
    )


@pytest.mark.parametrize("preset", ["hf://bert-base-cased", "kaggle://keras/bert/keras/x"])
def test_prefixed_presets_pass_unchanged(preset):
    assert resolve_keras_preset(preset) == preset


def test_missing_folder_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "no_existe")
    with pytest.raises(MissingPathError, match="No existe la carpeta del modelo"):
        resolve_keras_preset(missing)
    with pytest.raises(MissingPathError, match="No existe la carpeta del modelo"):
        load_keras_classifier(missing, num_classes=2)


def test_folder_without_config_is_a_clear_error(tmp_path):
    with pytest.raises(MissingPathError, match="no tiene config.json"):
        load_keras_preprocessor(str(tmp_path), sequence_length=SEQUENCE_LENGTH)


@pytest.mark.parametrize("model_type", ["gpt2", "llama", None])
def test_unsupported_model_type_is_a_clear_error(tmp_path, model_type):
    folder = _hf_folder(tmp_path, {"model_type": model_type} if model_type else {})
    with pytest.raises(CourseError, match=f"es de tipo {model_type!r} y KerasHub solo") as error:
        load_keras_classifier(str(folder), num_classes=2)
    assert "bert" in str(error.value)


def test_unreadable_config_is_a_clear_error(tmp_path):
    folder = _hf_folder(tmp_path, "{esto no es json")
    with pytest.raises(CourseError, match="No puedo leer .*config.json"):
        resolve_keras_preset(str(folder))


def test_bert_folder_is_accepted(tmp_path):
    assert "bert" in SUPPORTED_MODEL_TYPES
    folder = _hf_folder(tmp_path, {"model_type": "bert"})
    assert resolve_keras_preset(str(folder)) == str(folder)


@pytest.fixture
def fake_from_preset(monkeypatch, keras_hub):
    """Sustituye los ``from_preset`` de KerasHub: registra los argumentos, sin red."""
    calls = []

    def fake(kind):
        def from_preset(preset, **kwargs):
            calls.append((kind, preset, kwargs))
            return f"{kind} falso"

        return from_preset

    monkeypatch.setattr(keras_hub.models.TextClassifier, "from_preset", fake("classifier"))
    monkeypatch.setattr(
        keras_hub.models.TextClassifierPreprocessor, "from_preset", fake("preprocessor")
    )
    return calls


def test_full_profile_asks_kerashub_for_the_hub_preset(fake_from_preset):
    assert load_keras_classifier("full", num_classes=5) == "classifier falso"
    assert load_keras_preprocessor("full", sequence_length=512) == "preprocessor falso"
    assert fake_from_preset == [
        (
            "classifier",
            "hf://google-bert/bert-base-cased",
            {"num_classes": 5, "preprocessor": None},
        ),
        ("preprocessor", "hf://google-bert/bert-base-cased", {"sequence_length": 512}),
    ]


def test_hub_failure_gives_spanish_hint(monkeypatch, keras_hub):
    def offline(preset, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(keras_hub.models.TextClassifier, "from_preset", offline)
    with pytest.raises(
        CourseError, match="'hf://google-bert/bert-base-cased'.*¿Hay conexión a internet?"
    ):
        load_keras_classifier("full", num_classes=5)


@pytest.mark.parametrize("num_classes", [1, 0, 2.0, True, "2"])
def test_num_classes_must_be_an_integer_of_at_least_two(num_classes):
    with pytest.raises(CourseError, match="num_classes debe ser un entero ≥ 2"):
        load_keras_classifier("ci", num_classes=num_classes)


@pytest.mark.parametrize("sequence_length", [1, 16.0, None])
def test_sequence_length_is_validated(sequence_length):
    with pytest.raises(CourseError, match="sequence_length"):
        load_keras_preprocessor("ci", sequence_length=sequence_length)


# --- el mismo checkpoint: vocabulario y modelo ------------------------------------------------


def test_preprocessor_ids_match_transformers_tokenizer(preprocessor, tokenizer):
    encoded = preprocessor(SENTENCES)
    token_ids = encoded["token_ids"].numpy()
    mask = encoded["padding_mask"].numpy()
    assert token_ids.shape == (len(SENTENCES), SEQUENCE_LENGTH)
    expected = tokenizer(SENTENCES, truncation=True, max_length=SEQUENCE_LENGTH)["input_ids"]
    assert [row[keep].tolist() for row, keep in zip(token_ids, mask, strict=True)] == expected
    assert (encoded["segment_ids"].numpy() == 0).all()


def test_raw_kerashub_preprocessor_keeps_accents_that_transformers_strips(keras_hub, tokenizer):
    """El fallo que corrige match_hf_accent_stripping: «café» no debe acabar en [UNK]."""
    preset = resolve_keras_preset("ci")
    raw = keras_hub.models.TextClassifierPreprocessor.from_preset(preset, sequence_length=8)
    sentence = ["café"]
    expected = tokenizer(sentence)["input_ids"][0]
    ids = lambda: raw(sentence)["token_ids"].numpy()[0][: len(expected)].tolist()  # noqa: E731
    assert ids() != expected and tokenizer.unk_token_id in ids()
    assert match_hf_accent_stripping(raw, preset) is True
    assert ids() == expected
    assert match_hf_accent_stripping(raw, preset) is False  # ya estaba bien: no cambia nada


def test_explicit_strip_accents_false_is_respected(tmp_path):
    class FakeTokenizer:
        lowercase, strip_accents = True, False

    class FakePreprocessor:
        tokenizer = FakeTokenizer()

    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"strip_accents": False}))
    assert match_hf_accent_stripping(FakePreprocessor(), str(tmp_path)) is False
    assert match_hf_accent_stripping(FakePreprocessor(), "hf://bert-base-uncased") is True


def test_classifier_from_packaged_checkpoint_predicts_label_names(keras_hub, preprocessor):
    model = load_keras_classifier("ci", num_classes=3)
    assert type(model).__name__ == "BertTextClassifier"
    logits = model.predict(preprocessor(SENTENCES[:2]), verbose=0)
    assert logits.shape == (2, 3)
    names = logits_to_label_names(logits, ["a", "b", "c"])
    assert names == [["a", "b", "c"][i] for i in logits.argmax(axis=1)]


# --- predicciones, historial y silencio -------------------------------------------------------


def test_keras_history_frame_renames_and_indexes_by_epoch():
    history = {
        "accuracy": [0.5, 0.75],
        "loss": [0.7, 0.5],
        "val_accuracy": [0.6, 0.8],
        "val_loss": [0.65, 0.45],
        "val_auc": [0.7, 0.9],
    }
    frame = keras_history_frame(history)
    assert list(frame.columns) == [
        "train_loss",
        "eval_loss",
        "train_accuracy",
        "eval_accuracy",
        "eval_auc",
    ]
    assert list(frame.index) == [1, 2] and frame.index.name == "epoch"
    assert frame.loc[2, "eval_accuracy"] == 0.8 and frame.loc[1, "train_loss"] == 0.7


def test_keras_history_frame_from_a_real_fit_feeds_the_plot(keras):
    from coursekit.plots import plot_training_curves

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    x, y = np.random.default_rng(0).normal(size=(8, 3)), np.array([0, 1] * 4)
    history = model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0)
    frame = keras_history_frame(history)
    assert list(frame.index) == [1, 2]
    assert {"train_loss", "eval_loss", "train_accuracy", "eval_accuracy"} == set(frame.columns)
    assert frame["eval_loss"].tolist() == pytest.approx(history.history["val_loss"])
    figure = plot_training_curves(frame)
    assert len(figure.axes) == 2


@pytest.mark.parametrize("history", [{}, None, {"loss": [1.0], "val_loss": [1.0, 0.5]}])
def test_keras_history_frame_rejects_empty_or_ragged(history):
    with pytest.raises(CourseError):
        keras_history_frame(history)


def test_quiet_native_stderr_discards_only_inside_the_block(capfd):
    with quiet_native_stderr():
        os.write(2, b"ruido de C++\n")
    os.write(2, b"esto si se ve\n")
    captured = capfd.readouterr().err
    assert "ruido de C++" not in captured
    assert "esto si se ve" in captured


# --- comprobaciones del lab 03 ----------------------------------------------------------------


def test_lab03_checks_are_registered():
    assert {"03-tf-data", "03-compilar"} <= set(available_checks())


def _pipeline(
    tf,
    preprocessor,
    *,
    batch=True,
    preprocess=True,
    shuffle_eval=False,
    shuffle_train=True,
    prefetch=True,
    drop_remainder=False,
    repeat=False,
    as_lists=True,
    map_before_batch=False,
):
    """Un ``make_tf_dataset`` configurable: el correcto y sus errores típicos."""

    def make_tf_dataset(subset, shuffle):
        texts, labels = subset["text"], subset["label"]
        if as_lists:
            texts, labels = list(texts), list(labels)
        ds = tf.data.Dataset.from_tensor_slices((texts, labels))
        if (shuffle and shuffle_train) or shuffle_eval:
            ds = ds.shuffle(len(subset), seed=1)
        if repeat:
            ds = ds.repeat()
        if map_before_batch:
            ds = ds.map(preprocessor)
        if batch:
            ds = ds.batch(BATCH_SIZE, drop_remainder=drop_remainder)
        if preprocess and not map_before_batch:
            ds = ds.map(preprocessor, num_parallel_calls=tf.data.AUTOTUNE)
        return ds.prefetch(tf.data.AUTOTUNE) if prefetch else ds

    return make_tf_dataset


def _check_tf_data(function, subset, sequence_length=SEQUENCE_LENGTH):
    return check(
        "03-tf-data",
        make_tf_dataset=function,
        subset=subset,
        batch_size=BATCH_SIZE,
        sequence_length=sequence_length,
    )


def test_tf_data_correct(tf, preprocessor, eval_subset, capsys):
    assert _check_tf_data(_pipeline(tf, preprocessor), eval_subset)
    assert "barajado solo en entrenamiento" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mistake, hint",
    [
        # Los de tests/mutants/lab03.py (sin lotes, validación barajada, sin semilla, lotes
        # barajados, sin prefetch, último lote descartado) no se repiten aquí.
        ({"map_before_batch": True, "batch": False}, "no está en lotes"),
        ({"preprocess": False}, "siguen siendo texto"),
        ({"shuffle_train": False}, "salen en el mismo orden"),
        ({"repeat": True}, "no se acaba nunca"),
        ({"as_lists": False}, r"columna perezosa \(Column\).*list\(subset\['text'\]\)"),
    ],
)
def test_tf_data_typical_mistakes_get_spanish_hints(tf, preprocessor, eval_subset, mistake, hint):
    with pytest.raises(CheckFailed, match=hint):
        _check_tf_data(_pipeline(tf, preprocessor, **mistake), eval_subset)


def test_tf_data_wrong_sequence_length(tf, preprocessor, eval_subset):
    with pytest.raises(CheckFailed, match="cada texto mide 16 tokens y deberían ser 64"):
        _check_tf_data(_pipeline(tf, preprocessor), eval_subset, sequence_length=64)


def test_tf_data_without_return(eval_subset):
    def make_tf_dataset(subset, shuffle):
        pass

    with pytest.raises(CheckFailed, match="falta el `return`"):
        _check_tf_data(make_tf_dataset, eval_subset)


def test_tf_data_not_a_dataset(eval_subset):
    with pytest.raises(CheckFailed, match="debería ser un tf.data.Dataset"):
        _check_tf_data(lambda subset, shuffle: list(subset["text"]), eval_subset)


@pytest.fixture
def tiny_model(keras):
    """Un modelo de Keras mínimo: la comprobación de compile no depende de la arquitectura."""
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])


def _compile_check(model, learning_rate=1e-4):
    return check("03-compilar", model=model, learning_rate=learning_rate)


def test_compile_correct(keras, tiny_model, capsys):
    tiny_model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    assert _compile_check(tiny_model)
    assert "pérdida sobre logits" in capsys.readouterr().out


def test_compile_not_compiled(tiny_model):
    with pytest.raises(CheckFailed, match="no está compilado: llama a model.compile"):
        _compile_check(tiny_model)


@pytest.mark.parametrize(
    "loss_factory, hint",
    [
        # Más en tests/mutants/lab03.py (sin from_logits, como texto, categórica, binaria).
        (lambda k: k.losses.sparse_categorical_crossentropy, "recibe logits"),
        (lambda k: "categorical_crossentropy", "one-hot"),
        (lambda k: "mse", "la pérdida es .*entropía cruzada"),
    ],
)
def test_compile_wrong_loss_gets_hint(keras, tiny_model, loss_factory, hint):
    tiny_model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        loss=loss_factory(keras),
        metrics=["accuracy"],
    )
    with pytest.raises(CheckFailed, match=hint):
        _compile_check(tiny_model)


@pytest.mark.parametrize(
    "optimizer_factory, hint",
    [
        (lambda k: k.optimizers.SGD(learning_rate=1e-4), "el optimizador es SGD"),
    ],
)
def test_compile_wrong_optimizer_gets_hint(keras, tiny_model, optimizer_factory, hint):
    tiny_model.compile(
        optimizer=optimizer_factory(keras),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    with pytest.raises(CheckFailed, match=hint):
        _compile_check(tiny_model)


# --- un entorno para todo el curso ------------------------------------------------------------

_PYTORCH_PATHS = """
import json, sys
import transformers
from coursekit import checks, data, environment, metrics, models, padding, plots, profiles
from coursekit import tensorboard_logs, training
import coursekit.keras_models  # importar el módulo tampoco debe cargar TensorFlow

checks.available_checks()  # importa todos los módulos de lab_checks, lab03 incluido
metrics.load_metric("accuracy")
tokenizer = models.load_tokenizer("ci")
model = models.load_classifier("ci", ["negativa", "positiva"])
model(**tokenizer(["una reseña"], return_tensors="pt"))
# report_to="tensorboard" (labs 02 y 05-07) escribe con el SummaryWriter de PyTorch, y el lab 02
# lee los registros con read_tensorboard_scalars: tampoco deben cargar TensorFlow.
import tempfile
tensorboard_logs.use_tensorboard_without_tensorflow()  # como el lab 02, antes de escribir
from torch.utils.tensorboard import SummaryWriter
from transformers.integrations import TensorBoardCallback
log_dir = tempfile.mkdtemp()
writer = SummaryWriter(log_dir=log_dir)
writer.add_scalar("train/loss", 0.5, 1)
writer.close()
assert len(tensorboard_logs.read_tensorboard_scalars(log_dir)) == 1
heavy = {"tensorflow", "keras", "keras_hub", "tensorflow_text", "tf_keras"}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


@pytest.mark.slow
def test_pytorch_code_paths_do_not_import_tensorflow():
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    result = subprocess.run(
        [sys.executable, "-c", _PYTORCH_PATHS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


_TF_SUMMARY_AFTER_COURSEKIT = """
import json, sys, tempfile
import coursekit
from coursekit.keras_models import import_keras_hub
from coursekit.tensorboard_logs import read_tensorboard_scalars

import_keras_hub()  # como el lab 03: coursekit primero, luego TensorFlow
import tensorflow as tf

log_dir = tempfile.mkdtemp()
writer = tf.summary.create_file_writer(log_dir)
with writer.as_default():
    for step, value in enumerate([0.9, 0.6], start=1):
        tf.summary.scalar("epoch_loss", value, step=step)
writer.close()
frame = read_tensorboard_scalars(log_dir)
print(json.dumps({"tags": frame["tag"].tolist(), "values": frame["value"].tolist()}))
"""


@pytest.mark.slow
def test_tf_summary_still_works_after_importing_coursekit():
    """coursekit evita TensorFlow en TensorBoard solo si TensorFlow no está cargado: en el lab 03
    ``tf.summary`` (lo que usa el callback de TensorBoard de Keras) debe seguir funcionando, y
    ``read_tensorboard_scalars`` leer sus registros. En un proceso nuevo, como el kernel del lab
    (en el proceso de pytest otras pruebas ya han usado TensorBoard sin TensorFlow)."""
    result = subprocess.run(
        [sys.executable, "-c", _TF_SUMMARY_AFTER_COURSEKIT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    read = json.loads(result.stdout.strip().splitlines()[-1])
    assert read["tags"] == ["epoch_loss", "epoch_loss"]
    assert read["values"] == pytest.approx([0.9, 0.6])


def test_legacy_keras_hub_copy_has_the_same_weights(keras_hub, tmp_path):
    """KerasHub < 0.30 (Colab: 0.26) no encuentra los tensores de MiniLM; la copia renombrada
    que le damos carga, con la KerasHub actual, exactamente los mismos pesos que el original."""
    import numpy as np
    from safetensors import safe_open

    from coursekit.keras_models import legacy_keras_hub_folder
    from coursekit.models import packaged_model_dir

    folder = packaged_model_dir()
    assert legacy_keras_hub_folder(folder, "0.32.0", tmp_path) == folder
    legacy = legacy_keras_hub_folder(folder, "0.26.0", tmp_path)
    assert legacy != folder and legacy_keras_hub_folder(folder, "0.26.0", tmp_path) == legacy
    with safe_open(str(legacy / "model.safetensors"), "np") as handle:
        keys = set(handle.keys())
    assert "bert.embeddings.word_embeddings.weight" in keys
    assert "bert.encoder.layer.0.output.LayerNorm.gamma" in keys
    renamed = keras_hub.models.Backbone.from_preset(str(legacy))
    with safe_open(str(folder / "model.safetensors"), "np") as handle:
        embeddings = handle.get_tensor("embeddings.word_embeddings.weight")
        gamma = handle.get_tensor("encoder.layer.0.output.LayerNorm.weight")
    np.testing.assert_array_equal(
        renamed.get_layer("token_embedding").embeddings.numpy(), embeddings
    )
    assert any(np.array_equal(w.numpy(), gamma) for w in renamed.weights if "gamma" in w.path)
    if tuple(int(x) for x in keras_hub.__version__.split(".")[:2]) >= (0, 30):
        original = keras_hub.models.Backbone.from_preset(str(folder))
        for a, b in zip(original.weights, renamed.weights, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unsolved_compile_exercise_fails_even_when_the_rate_is_kerashub_default(keras_hub):
    """El modelo del lab 03 se carga sin compilar: KerasHub compila cada ``TextClassifier`` con
    Adam(5e-5), la pérdida sobre logits y la exactitud, y 5e-5 es la tasa del perfil ``full``.
    Antes, borrar la línea todo(...) sin escribir nada daba ✅ en ``full``."""
    from mutants.runner import cell_containing

    from coursekit.keras_models import resolve_keras_preset
    from coursekit.profiles import get_profile

    namespace = {"keras_hub": keras_hub, "preset": resolve_keras_preset("ci"), "num_labels": 5}
    exec(cell_containing("03", "model.summary()"), namespace)
    full_rate = get_profile("full").learning_rate
    with pytest.raises(CheckFailed, match="no está compilado"):
        check("03-compilar", model=namespace["model"], learning_rate=full_rate)
