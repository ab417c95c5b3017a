"""El Hub sustituto (``coursekit standin-hub``): con ``HF_HOME`` en su carpeta y sin red, los
nombres reales de ``full`` cargan un BERT, un tokenizador con mayúsculas y datos de Yelp."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from coursekit.cli import main
from coursekit.errors import CourseError
from coursekit.maintainer.standin_data import YELP_LABEL_NAMES, yelp_like_splits
from coursekit.maintainer.standin_hub import (
    DATASET_ID,
    MODEL_ID,
    SIZES,
    SPECIAL_TOKENS,
    dataset_cache_dir,
    model_snapshot_dir,
    read_manifest,
    standin_environment,
    train_wordpiece_vocab,
    write_model,
    write_tokenizer,
)
from coursekit.profiles import PROFILES

FAKE_REVIEWS = (
    [f"negativa {i}" for i in range(60)] + [f"positiva {i}" for i in range(60)],
    [0] * 60 + [1] * 60,
)


def test_the_standin_serves_the_names_of_the_full_profile():
    assert MODEL_ID == PROFILES["full"].model_name == "google-bert/bert-base-cased"
    assert DATASET_ID == PROFILES["full"].dataset_name == "Yelp/yelp_review_full"


def test_full_size_is_bert_base_cased_and_yelp_sized():
    config = SIZES["full"].config
    assert (config["num_hidden_layers"], config["hidden_size"], config["vocab_size"]) == (
        12,
        768,
        28996,
    )
    assert (SIZES["full"].train_rows, SIZES["full"].test_rows) == (650_000, 50_000)
    # tiny cabe max_length=512 del perfil full y reparte 1000 de evaluación en 5 clases.
    assert SIZES["tiny"].config["max_position_embeddings"] >= PROFILES["full"].max_length
    assert SIZES["tiny"].test_rows >= PROFILES["full"].eval_size


def test_yelp_like_splits_are_balanced_and_stars_follow_the_sentiment():
    splits = yelp_like_splits(50, 25, seed=3, reviews=FAKE_REVIEWS)
    assert Counter(splits.train_labels) == dict.fromkeys(range(5), 10)
    assert Counter(splits.test_labels) == dict.fromkeys(range(5), 5)
    for texts, labels in [
        (splits.train_texts, splits.train_labels),
        (splits.test_texts, splits.test_labels),
    ]:
        by_star = {
            s: {t.split()[0] for t, x in zip(texts, labels, strict=True) if x == s}
            for s in range(5)
        }
        assert by_star[0] == by_star[1] == {"negativa"}  # 1 y 2 estrellas: negativas
        assert by_star[3] == by_star[4] == {"positiva"}  # 4 y 5 estrellas: positivas
        assert by_star[2] == {"negativa", "positiva"}  # 3 estrellas: de las dos
    assert not set(splits.train_texts) & set(splits.test_texts)  # test no repite train
    assert splits.distinct_train == len(splits.train_texts)  # hay reseñas: no se repiten


def test_yelp_like_splits_repeat_reviews_only_when_there_are_not_enough():
    splits = yelp_like_splits(500, 100, seed=0, reviews=FAKE_REVIEWS)
    assert len(splits.train_texts) == 500 and splits.distinct_train < 500
    assert not set(splits.train_texts) & set(splits.test_texts)
    assert yelp_like_splits(500, 100, seed=0, reviews=FAKE_REVIEWS) == splits  # reproducible
    with pytest.raises(CourseError, match="al menos 5 filas"):
        yelp_like_splits(4, 10, reviews=FAKE_REVIEWS)


def test_yelp_label_names_are_the_hub_ones():
    assert YELP_LABEL_NAMES == ("1 star", "2 star", "3 stars", "4 stars", "5 stars")


def test_wordpiece_vocab_is_cased_with_the_special_ids_of_bert_base_cased(tmp_path):
    from tokenizers import Tokenizer

    texts = ["The film was Great. the END was great, said Ana."] * 20
    vocab = train_wordpiece_vocab(texts, vocab_size=200)
    assert len(vocab) == 200
    assert vocab[:100] == SPECIAL_TOKENS[:100]
    assert [vocab.index(t) for t in ("[UNK]", "[CLS]", "[SEP]", "[MASK]")] == [100, 101, 102, 103]
    assert "The" in vocab and "the" in vocab  # no pasa a minúsculas
    write_tokenizer(tmp_path, vocab, max_length=512)
    tokenizer = Tokenizer.from_file(str(tmp_path / "tokenizer.json"))
    encoded = tokenizer.encode("The the")
    assert encoded.tokens == ["[CLS]", "The", "the", "[SEP]"]
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config == {"do_lower_case": False, "model_max_length": 512}


def test_model_is_saved_as_a_pretraining_checkpoint_like_bert_base_cased(tmp_path):
    from safetensors import safe_open
    from transformers import BertForSequenceClassification

    config = {**SIZES["tiny"].config, "vocab_size": 120, "hidden_size": 16, "intermediate_size": 32}
    write_model(tmp_path, config)
    with safe_open(str(tmp_path / "model.safetensors"), framework="pt") as handle:
        keys = set(handle.keys())
        stored_gamma = handle.get_tensor("bert.embeddings.LayerNorm.gamma")
    assert {"cls.seq_relationship.weight", "cls.predictions.transform.dense.weight"} <= keys
    assert not any(k.endswith("LayerNorm.weight") for k in keys)  # gamma/beta, como el original
    assert "cls.predictions.decoder.weight" not in keys  # atado a los embeddings
    model, info = BertForSequenceClassification.from_pretrained(
        tmp_path, num_labels=5, output_loading_info=True
    )
    assert sorted(info["missing_keys"]) == ["classifier.bias", "classifier.weight"]  # cabeza nueva
    assert model.bert.embeddings.LayerNorm.weight.equal(stored_gamma)


def test_standin_environment_points_hf_home_and_goes_offline(tmp_path):
    env = standin_environment(tmp_path, {"HF_HUB_CACHE": "/otra", "PATH": "/bin"})
    assert env["HF_HOME"] == str(tmp_path.resolve()) and env["PATH"] == "/bin"
    assert "HF_HUB_CACHE" not in env
    assert env["HF_HUB_OFFLINE"] == env["HF_DATASETS_OFFLINE"] == "1"


_LOAD_THROUGH_REAL_NAMES = """
import json
from datasets import load_dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer

model, info = AutoModelForSequenceClassification.from_pretrained(
    "google-bert/bert-base-cased", num_labels=5, output_loading_info=True
)
tokenizer = AutoTokenizer.from_pretrained("google-bert/bert-base-cased")
raw = load_dataset("Yelp/yelp_review_full")
lengths = [len(ids) for ids in tokenizer(raw["train"]["text"][:300])["input_ids"]]
print(json.dumps({
    "model": type(model).__name__,
    "missing": sorted(info["missing_keys"]),
    "tokens": tokenizer.tokenize("Great Food"),
    "cls": tokenizer.cls_token_id,
    "splits": {name: len(split) for name, split in raw.items()},
    "columns": raw["train"].column_names,
    "names": raw["train"].features["label"].names,
    "over_512": sum(n > 512 for n in lengths),
}))
"""


@pytest.mark.slow
def test_tiny_standin_loads_through_the_real_names_offline(standin_hub_home, tmp_path):
    assert (model_snapshot_dir(standin_hub_home) / "model.safetensors").is_file()
    assert (dataset_cache_dir(standin_hub_home) / "dataset_info.json").is_file()
    env = standin_environment(standin_hub_home, {"PATH": "", "PYTHONPATH": ":".join(sys.path)})
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_THROUGH_REAL_NAMES],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["model"] == "BertForSequenceClassification"
    assert loaded["missing"] == ["classifier.bias", "classifier.weight"]
    assert loaded["tokens"][0] == "Great" and loaded["cls"] == 101  # con mayúsculas
    assert loaded["splits"] == {"train": SIZES["tiny"].train_rows, "test": SIZES["tiny"].test_rows}
    assert loaded["columns"] == ["label", "text"]
    assert loaded["names"] == list(YELP_LABEL_NAMES)
    assert loaded["over_512"] > 0  # textos largos, como en Yelp
    assert "Using the latest cached version" in result.stderr  # el camino de datasets sin red


def test_cli_builds_once_and_reuses_the_cache(tmp_path, capsys):
    out = tmp_path / "hf"
    args = ["standin-hub", "--size", "tiny", "--out", str(out)]
    assert main([*args, "--train-rows", "20", "--test-rows", "10"]) == 0
    manifest = read_manifest(out)
    assert manifest["rows"] == {"train": 20, "test": 10} and manifest["size"] == "tiny"
    assert (model_snapshot_dir(out).parents[1] / "refs" / "main").read_text() == (
        model_snapshot_dir(out).name
    )
    capsys.readouterr()
    assert main([*args, "--train-rows", "20", "--test-rows", "10"]) == 0
    assert "ya está" in capsys.readouterr().out
