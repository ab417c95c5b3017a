"""La forma de los labs: cabeceras para estudiantes, enlaces a las fuentes y frases corregidas.

Cada prueba nació de algo que estaba mal en la revisión del issue 24: el calco «para llevar a
casa», tres grafías de «¡Inténtalo!», la procedencia de las medidas en la cabecera, el tutorial
original nunca enlazado, el AdamW de `Trainer` igualado al del bucle y `to_tf_dataset` entre las
clases eliminadas de transformers.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "solutions").glob("[0-9][0-9]_*.ipynb"))
TUTORIAL = "https://huggingface.co/docs/transformers/training"
PAPERS = {
    "01": ["https://arxiv.org/abs/1810.04805"],  # BERT
    "05": ["https://arxiv.org/abs/2106.09685"],  # LoRA
    "06": ["https://arxiv.org/abs/2104.08691", "https://arxiv.org/abs/2103.10385"],
    "07": ["https://arxiv.org/abs/1801.06146"],  # ULMFiT: tasas por capas
}
TRY_IT = re.compile(r"(?:\*\*)?¡?[IÍií]nt[eé]ntalo[!:]?(?:\*\*)?", re.IGNORECASE)


def _markdown(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return [c.source for c in notebook.cells if c.cell_type == "markdown"]


def _lab(name: str) -> Path:
    return next(p for p in SOLUTIONS if p.name.startswith(name))


def try_it_spellings(text: str) -> set[str]:
    """Las grafías de «¡Inténtalo!» en ``text`` que no son la del curso."""
    return {m.group(0) for m in TRY_IT.finditer(text)} - {"**¡Inténtalo!**"}


def first_tutorial_mention_is_linked(cells: list[str]) -> bool:
    """¿La primera vez que un lab nombra «el tutorial» lo enlaza?"""
    for source in cells:
        mention = re.search(r"\btutorial\b", source)
        if mention:
            link = re.search(
                r"\[[^\]]*\btutorial\b[^\]]*\]\(" + re.escape(TUTORIAL) + r"\)", source
            )
            return link is not None and link.start() <= mention.start() < link.end()
    return True


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("✏️ **Inténtalo:** entrena otra vez", {"**Inténtalo:**"}),
        ("### ✏️ ¡Inténtalo!", {"¡Inténtalo!"}),
        ("la predicción y el «Inténtalo»", {"Inténtalo"}),
        ("✏️ **¡Intentalo!** sin tilde", {"**¡Intentalo!**"}),
        ("✏️ **¡Inténtalo!** (sin comprobación)", set()),
    ],
)
def test_try_it_spelling_check_can_fail(text, bad):
    assert try_it_spellings(text) == bad


def test_tutorial_link_check_can_fail():
    linked = f"como el [tutorial original]({TUTORIAL})."
    assert first_tutorial_mention_is_linked(["nada", linked, "el tutorial original"])
    assert not first_tutorial_mention_is_linked(["el tutorial original", linked])
    assert not first_tutorial_mention_is_linked([f"el tutorial ([enlace]({TUTORIAL}))"])


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_form(path):
    cells = _markdown(path)
    text = "\n".join(cells)
    assert "para llevar a casa" not in text, "calco del inglés: «laboratorio práctico»"
    assert try_it_spellings(text) == set(), "una sola grafía: **¡Inténtalo!**"
    assert first_tutorial_mention_is_linked(cells), "enlaza el tutorial original la primera vez"
    for paper in PAPERS.get(path.name[:2], []):
        assert f"]({paper})" in text, f"falta el enlace al artículo {paper}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_header_speaks_to_students(path):
    """La procedencia de las medidas vive en docs/benchmarks.md, no en la cabecera."""
    header = _markdown(path)[0]
    for maintainer_talk in ("docs/benchmarks.md", "no medid", "medidos", "por el curso"):
        assert maintainer_talk not in header, f"{path.name}: «{maintainer_talk}» en la cabecera"


def test_lab04_does_not_equate_trainer_adamw_with_the_loop():
    """`Trainer` no aplica weight decay a sesgos ni a LayerNorm; el bucle y LLRD sí."""
    from transformers import BertConfig, BertForSequenceClassification, Trainer

    config = BertConfig(
        vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=16, max_position_embeddings=16, num_labels=2,
    )  # fmt: skip
    model = BertForSequenceClassification(config)
    decayed = set(Trainer.get_decay_parameter_names(None, model))
    names = {name for name, _ in model.named_parameters()}
    exempt = names - decayed
    assert exempt and all("bias" in n or "LayerNorm" in n for n in exempt), exempt

    note = next(c for c in _markdown(_lab("04")) if "lo que `Trainer` hacía" in c)
    assert "get_decay_parameter_names" in note and "LayerNorm" in note and "sesgos" in note
    llrd = next(c for c in _markdown(_lab("07")) if "fused=True" in c)
    assert "LayerNorm" in llrd and "sesgos" in llrd, "LLRD tampoco exime sesgos ni LayerNorm"


def test_lab03_does_not_list_to_tf_dataset_as_removed():
    """`Dataset.to_tf_dataset` es de 🤗 Datasets y sigue existiendo."""
    import datasets

    assert hasattr(datasets.Dataset, "to_tf_dataset")
    prose = [
        line.lstrip("> ")
        for cell in _markdown(_lab("03"))
        for line in cell.splitlines()
        if not line.lstrip("> ").startswith("|")
    ]
    sentences = [s for line in prose for s in re.split(r"(?<=[.;])\s+", line)]
    about = [s for s in sentences if "to_tf_dataset" in s]
    assert about, "el lab 03 explica qué pasa con to_tf_dataset"
    for sentence in about:
        assert "🤗 Datasets" in sentence and "sigue funcionando" in sentence, sentence
