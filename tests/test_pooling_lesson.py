"""La lección de la agrupación (pooling) en los labs 06 y 07: el pooler frente a la media.

Pruebas estáticas: leen el código y la prosa de los notebooks, no los ejecutan.
"""

from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def _cells(name, cell_type):
    notebook = nbformat.read(SOLUTIONS / name, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == cell_type]


def test_lab07_lists_the_frozen_encoder_with_mean_pooling_next_to_the_pooler_one(tiny_bert):
    from coursekit.method_settings import MEAN_POOLING_SUFFIX, lab_comparison_methods
    from coursekit.profiles import get_profile

    code = "\n".join(_cells("07_comparar_metodos.ipynb", "code"))
    # La lista es la de coursekit (la misma que mide coursekit bench methods).
    assert "lab_comparison_methods(new_classifier, model_path, profile)" in code
    names = [m.name for m in lab_comparison_methods(tiny_bert, "unused", get_profile("ci"))]
    frozen = names.index("codificador congelado")
    assert names[frozen + 1] == "codificador congelado" + MEAN_POOLING_SUFFIX
    assert "prompt tuning" + MEAN_POOLING_SUFFIX in names, (
        "el prompt tuning del lab 07 debe clasificar desde la media"
    )
    assert "MEAN_POOLING_SUFFIX" in code


def test_lab07_explains_pooling_and_links_the_glossary():
    prose = "\n".join(_cells("07_comparar_metodos.ipynb", "markdown"))
    assert "glosario.md#agrupación-pooling" in prose
    assert "pooler" in prose and "media de los tokens" in prose


def test_lab07_takeaways_are_computed_not_typed():
    prose = "\n".join(_cells("07_comparar_metodos.ipynb", "markdown"))
    assert "no ahorra tiempo ni memoria" not in prose
    assert "dio la mejor exactitud" not in prose


def test_lab06_prompt_tuning_classifies_from_the_mean():
    code = "\n".join(_cells("06_prompt_tuning.ipynb", "code"))
    assert "with_mean_pooling(new_classifier())" in code
    prose = "\n".join(_cells("06_prompt_tuning.ipynb", "markdown"))
    assert "pooler" in prose and "bert-base-cased" in prose
