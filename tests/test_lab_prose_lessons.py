"""Lecciones de la prosa de los labs que una revisión encontró equivocadas.

Estáticas, sobre el texto de ``solutions/``: no ejecutan ningún notebook.

- Lab 01: ``[CLS]`` no «resume la frase» en MiniLM; el clasificador lee ``[CLS]`` a través del
  *pooler*, y el lab 07 enseña lo que eso significa (la agrupación, *pooling*).
- Lab 01: la predicción del sorteo al azar dice cuánto debe alejarse del reparto perfecto,
  calculado al ejecutar con ``count_spread`` (√(n·p·(1−p))), no escrito a mano.
- Lab 02: sin ``average``, ``f1`` usa ``"binary"`` (como ``evaluate.load("f1")``) y falla con
  más de dos clases.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def _cells(lab: str) -> list:
    [path] = SOLUTIONS.glob(f"{lab}_*.ipynb")
    return nbformat.read(path, as_version=4).cells


def _markdown(lab: str) -> str:
    return "\n".join(c.source for c in _cells(lab) if c.cell_type == "markdown")


def test_lab01_does_not_say_cls_summarises_the_sentence():
    text = _markdown("01")
    assert "resume la frase para clasificar" not in text
    [sentence] = [line for line in text.splitlines() if "`[CLS]`" in line and "pooler" in line]
    assert "AutoModelForSequenceClassification" in sentence
    assert "lab 07" in sentence and "agrupación" in sentence and "glosario" in sentence


def test_glossary_has_the_pooling_entry_lab01_points_to():
    glossary = (SOLUTIONS.parent / "docs" / "glosario.md").read_text(encoding="utf-8")
    assert "## Agrupación (*pooling*)" in glossary


def test_lab01_random_draw_spread_is_computed_and_printed():
    cells = _cells("01")
    [draw] = [
        c for c in cells if c.cell_type == "code" and "take_random_subset(dataset" in c.source
    ]
    call = re.search(r"(\w+) = count_spread\(profile\.train_size, 1 / num_labels\)", draw.source)
    assert call, "el alejamiento esperado se calcula con count_spread(n, 1 / num_labels)"
    printed = re.findall(r"print\(((?:\s*f\"[^\"\n]*\")+)\)", draw.source)
    assert any("{" + call.group(1) in text for text in printed), "y se imprime en un f-string"
    [prompt] = [c for c in cells if c.cell_type == "markdown" and "Predice antes" in c.source]
    assert "√(n·p·(1−p))" in prompt.source and "count_spread" in prompt.source


def test_lab02_says_f1_without_average_is_binary_and_fails_with_more_classes():
    cells = _cells("02")
    [index] = [i for i, c in enumerate(cells) if "BEGIN SOLUTION 02-compute-metrics" in c.source]
    before = cells[index - 1]
    assert before.cell_type == "markdown"
    assert re.search(r"[Ss]in `average`[^.]*`average=\"binary\"`", before.source)
    assert 'evaluate.load("f1")' in before.source
    assert "más de dos clases" in before.source or "falla con más" in before.source
    assert "`average` explícito" in before.source


def test_lab06_claims_only_what_it_measures():
    """Lab 06 afirmaba que la red del P-tuning «amplifica cada cambio» (sin medirlo) y que el
    prompt tuning «suele quedarse lejos» aunque sus propias cifras lo dejaban cerca de LoRA."""
    lab = Path(__file__).resolve().parents[1] / "solutions" / "06_prompt_tuning.ipynb"
    text = "\n".join(cell.source for cell in nbformat.read(lab, as_version=4).cells)
    assert "amplifica cada cambio" not in text
    assert "suele quedarse lejos" not in text
