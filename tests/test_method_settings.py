"""Los ajustes de los labs 05-07: una sola fuente para los notebooks y el benchmark."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from coursekit import method_settings
from coursekit.errors import CourseError
from coursekit.method_settings import course_methods
from coursekit.profiles import get_profile

PROFILE = get_profile("ci", batch_size=8, num_epochs=1)
SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def notebook_assignments(notebook: str) -> dict[str, ast.expr]:
    """Asignaciones ``NOMBRE = valor`` de nivel superior en las celdas de código de un notebook,
    leídas con ``ast`` (las líneas mágicas de IPython, ``%`` y ``!``, cuentan como ``pass``)."""
    found: dict[str, ast.expr] = {}
    for cell in nbformat.read(SOLUTIONS / notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(
            line[: len(line) - len(line.lstrip())] + "pass"
            if line.lstrip().startswith(("%", "!"))
            else line
            for line in cell.source.splitlines()
        )
        for node in ast.parse(code).body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value
    return found


def test_notebook_assignments_reads_top_level_constants_only():
    assignments = notebook_assignments("05_lora.ipynb")
    assert "LORA_LEARNING_RATE" in assignments
    assert all(name.isidentifier() for name in assignments)


@pytest.mark.parametrize(
    "notebook, name, value",
    [
        ("05_lora.ipynb", "LORA_LEARNING_RATE", method_settings.LORA_LEARNING_RATE),
        ("06_prompt_tuning.ipynb", "PROMPT_LEARNING_RATE", method_settings.PROMPT_LEARNING_RATE),
        ("06_prompt_tuning.ipynb", "PROMPT_TEXT", method_settings.PROMPT_INIT_TEXT),
    ],
)
def test_lab_07_uses_the_settings_of_labs_05_and_06(notebook, name, value):
    assignments = notebook_assignments(notebook)
    assert name in assignments, f"{notebook} no define {name}"
    assert ast.literal_eval(assignments[name]) == value


def test_course_methods_build_what_they_say(tiny_bert, tokenizer):
    from coursekit.comparison import describe_methods
    from coursekit.models import resolve_model_name
    from coursekit.peft_methods import check_head_trainable, trainable_parameter_names

    methods = {m.name: m for m in course_methods(tiny_bert, resolve_model_name("ci"), PROFILE)}
    assert list(describe_methods(methods.values()).index) == list(methods)
    lora = methods["LoRA"].build_model()
    assert lora.peft_config["default"].r == 8 and check_head_trainable(lora)
    prompt = methods["prompt tuning"].build_model()
    assert prompt.peft_config["default"].num_virtual_tokens == 20
    assert trainable_parameter_names(methods["encoder congelado"].build_model()) == [
        "classifier.weight",
        "classifier.bias",
    ]
    seed_style = trainable_parameter_names(methods["código del tutorial"].build_model())
    assert seed_style and all(".layer.0." in n or ".layer.1." in n for n in seed_style)
    llrd = methods["LLRD"]
    optimizer = llrd.make_optimizer(llrd.build_model())
    assert optimizer.param_groups[0]["lr"] == PROFILE.learning_rate
    assert optimizer.param_groups[1]["lr"] == pytest.approx(PROFILE.learning_rate * 0.8)
    with pytest.raises(CourseError, match="new_classifier debe ser"):
        course_methods("bert", "x", PROFILE)
