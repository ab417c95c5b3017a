"""Fixtures compartidas: backend Agg, datos del perfil ``ci`` y MiniLM empaquetado (una vez)."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest


@pytest.fixture(scope="session")
def ci_dataset():
    """Los datos reales del perfil ``ci`` (CSV empaquetado, ~5 s): se cargan una sola vez."""
    from coursekit.data import load_course_dataset

    return load_course_dataset("ci")


@pytest.fixture(scope="session")
def tokenizer():
    """Tokenizador de MiniLM empaquetado (perfil ``ci``)."""
    from coursekit.models import load_tokenizer

    return load_tokenizer("ci")


@pytest.fixture(scope="session")
def classifier():
    """Clasificador MiniLM empaquetado con dos clases (cabeza nueva), en modo evaluación."""
    import torch

    from coursekit.models import load_classifier

    torch.manual_seed(0)
    model = load_classifier("ci", ["negativa", "positiva"])
    model.eval()
    return model


@pytest.fixture(scope="session")
def small_ci_data(ci_dataset, tokenizer):
    """Datos reales del perfil ci, pequeños: 16 reseñas de entrenamiento tokenizadas, 8 de
    evaluación tokenizadas y esas 8 en texto, más el tokenizador."""
    from coursekit import data

    train = data.tokenize_dataset(ci_dataset["train"].select(range(16)), tokenizer, 32)
    texts = ci_dataset["test"].select(range(8))
    return train, data.tokenize_dataset(texts, tokenizer, 32), texts, tokenizer


@pytest.fixture
def without_ipywidgets(monkeypatch):
    """Simula un entorno sin ipywidgets: importarlo da ImportError."""
    import builtins

    real_import = builtins.__import__

    def no_ipywidgets(name, *args, **kwargs):
        if name.split(".")[0] == "ipywidgets":
            raise ImportError("No module named 'ipywidgets'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipywidgets)


@pytest.fixture
def write_csv(tmp_path):
    """Escribe un CSV diminuto en ``tmp_path`` y devuelve su ruta."""

    def _write(rows: list[dict], name: str = "datos.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    return _write


@pytest.fixture
def make_dataset():
    """Crea un ``Dataset`` en memoria con ``text`` y ``label`` (``ClassLabel``)."""

    def _make(labels: list[int], names: list[str] | None = None):
        from datasets import ClassLabel, Dataset, Features, Value

        names = names or [str(i) for i in range(max(labels) + 1)]
        features = Features({"text": Value("string"), "label": ClassLabel(names=names)})
        texts = [f"texto {i}" for i in range(len(labels))]
        return Dataset.from_dict({"text": texts, "label": labels}, features=features)

    return _make


@pytest.fixture
def tiny_bert():
    """Crea un ``BertForSequenceClassification`` diminuto (2 capas, ancho 32, pesos al azar
    con semilla fija) para probar peft, LLRD y la comparación en segundos. Su vocabulario es
    el de MiniLM, así que sirve el tokenizador empaquetado."""

    def _make(seed: int = 0, num_labels: int = 2, **overrides):
        import torch
        from transformers import BertConfig, BertForSequenceClassification

        sizes = dict(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=128,
        )
        torch.manual_seed(seed)
        config = BertConfig(vocab_size=30522, num_labels=num_labels, **{**sizes, **overrides})
        return BertForSequenceClassification(config).eval()

    return _make


@pytest.fixture
def write_notebook():
    """Escribe un notebook de celdas de código (kernel ``python3``) en ``folder/name``."""

    def _write(folder: Path, name: str, *sources: str) -> Path:
        import nbformat
        from nbformat.v4 import new_code_cell, new_notebook

        folder.mkdir(parents=True, exist_ok=True)
        nb = new_notebook(cells=[new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(nb, folder / name)
        return folder / name

    return _write


@pytest.fixture(scope="session")
def standin_hub_home(tmp_path_factory):
    """Una caché de Hugging Face con el Hub sustituto ``tiny`` (``coursekit standin-hub``),
    construida una vez por sesión de pruebas y compartida por los procesos de pytest-xdist
    (con un candado: el primero la construye, los demás la reutilizan)."""
    import os

    from filelock import FileLock

    from coursekit.maintainer.standin_hub import build_standin_hub

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # la carpeta común a todos los procesos de xdist
    home = root / "standin-hub-tiny"
    with FileLock(str(home) + ".lock"):
        build_standin_hub(home, "tiny", log=lambda message: None)
    return home


def pytest_terminal_summary(terminalreporter):
    """Cuenta en el registro los labs ejecutados en ``full`` (tests/test_labs_full.py)."""
    name = "test_lab_runs_in_full_against_the_standin_hub"
    counts = {
        status: sum(name in report.nodeid for report in terminalreporter.stats.get(status, []))
        for status in ("passed", "failed")
    }
    if any(counts.values()):
        failed = f", {counts['failed']} con errores" if counts["failed"] else ""
        terminalreporter.write_line(
            f"labs en full: {counts['passed']} ejecutados sin errores{failed}"
        )
