"""Los ajustes de los labs 05-07: una sola fuente para los notebooks y el benchmark."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from coursekit.errors import CourseError
from coursekit.method_settings import course_methods, prompt_init_text
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
    "notebook, name, source",
    [
        ("05_lora.ipynb", "LORA_LEARNING_RATE", "profile.lora_learning_rate"),
        ("06_prompt_tuning.ipynb", "PROMPT_LEARNING_RATE", "profile.prompt_learning_rate"),
        ("06_prompt_tuning.ipynb", "P_TUNING_LEARNING_RATE", "profile.p_tuning_learning_rate"),
        ("06_prompt_tuning.ipynb", "PROMPT_TEXT", "prompt_init_text(profile, class_names)"),
        # El ajuste medido del prompt tuning (2000 reseñas × 2 épocas; docs/benchmarks.md).
        (
            "06_prompt_tuning.ipynb",
            "PROMPT_EPOCHS",
            "profile.prompt_num_epochs or 2 * profile.peft_num_epochs",
        ),
        (
            "06_prompt_tuning.ipynb",
            "prompt_train_size",
            "profile.prompt_train_size or profile.train_size",
        ),
    ],
)
def test_labs_take_the_method_settings_from_the_profile(notebook, name, source):
    """Los labs 05 y 06 leen del perfil lo mismo que usa el lab 07 (``course_methods``)."""
    assignments = notebook_assignments(notebook)
    assert name in assignments, f"{notebook} no define {name}"
    assert ast.unparse(assignments[name]) == source


@pytest.mark.parametrize("path", sorted(SOLUTIONS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_lab_types_a_learning_rate_literal(path):
    """Una tasa escrita a mano valdría para un perfil y no para los demás."""
    for name, value in notebook_assignments(path.name).items():
        if name.upper().endswith("LEARNING_RATE"):
            assert not isinstance(value, ast.Constant), f"{path.name}: {name} = {value.value}"


def test_lab_02_exercise_compares_with_the_profile_comparison_rate():
    sources = [
        cell.source
        for cell in nbformat.read(SOLUTIONS / "02_trainer.ipynb", as_version=4).cells
        if cell.cell_type == "code"
    ]
    check_call = next(s for s in sources if 'check("02-tasa-de-aprendizaje"' in s)
    call = ast.parse(check_call).body[0].value
    keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
    assert keywords["learning_rate"] == "profile.comparison_learning_rate"


@pytest.mark.parametrize("name", ["full", "quick", "ci"])
def test_method_rates_come_from_the_profile(name, tiny_bert):
    profile = get_profile(name)
    methods = {m.name: m for m in course_methods(tiny_bert, "unused", profile)}
    assert methods["LoRA"].learning_rate == profile.lora_learning_rate
    assert methods["prompt tuning"].learning_rate == profile.prompt_learning_rate
    assert methods["fine-tuning completo"].learning_rate == profile.learning_rate


def test_prompt_init_text_from_profile_or_class_names():
    assert prompt_init_text(get_profile("quick"), ["negativa", "positiva"]) == (
        "Is this movie review positive or negative?"
    )
    assert "stars" in prompt_init_text(get_profile("full"), ["1 star", "2 star"])
    own = get_profile("quick", dataset_name="mis_datos.csv")
    assert prompt_init_text(own, ["positivo", "neutro", "negativo"]) == (
        "Is this text positivo, neutro or negativo?"
    )
    twenty = prompt_init_text(own, [f"clase {i}" for i in range(20)])
    assert twenty.startswith("Is this text clase 0, clase 1,") and twenty.endswith("clase 19?")
    with pytest.raises(CourseError, match="al menos dos clases"):
        prompt_init_text(own, ["sola"])


@pytest.mark.parametrize("num_labels", [3, 20])
def test_course_methods_with_many_classes_and_own_data(tiny_bert, num_labels):
    """Con datos propios el prompt se inicia con los nombres de las clases del clasificador."""
    from coursekit.models import resolve_model_name

    names = [f"c{i}" for i in range(num_labels)]

    def classifier():
        model = tiny_bert(num_labels=num_labels)
        model.config.id2label = dict(enumerate(names))
        model.config.label2id = {n: i for i, n in enumerate(names)}
        return model

    own = get_profile("ci", dataset_name="mis_datos.csv")
    methods = {m.name: m for m in course_methods(classifier, resolve_model_name("ci"), own)}
    prompt = methods["prompt tuning"].build_model()
    config = prompt.peft_config["default"]
    assert config.prompt_tuning_init_text == prompt_init_text(own, names)
    lora = methods["LoRA"].build_model()
    import torch

    with torch.no_grad():
        for model in (prompt, lora):
            logits = model(input_ids=torch.tensor([[101, 2000, 102]])).logits
            assert logits.shape == (1, num_labels)
    llrd = methods["LLRD"]
    head = llrd.make_optimizer(llrd.build_model()).param_groups[0]
    assert head["lr"] == own.learning_rate
    assert any(p.shape == (num_labels, 32) for p in head["params"])  # classifier.weight


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
    assert trainable_parameter_names(methods["codificador congelado"].build_model()) == [
        "classifier.weight",
        "classifier.bias",
    ]
    tutorial_style = trainable_parameter_names(methods["código del tutorial"].build_model())
    assert tutorial_style and all(".layer.0." in n or ".layer.1." in n for n in tutorial_style)
    llrd = methods["LLRD"]
    optimizer = llrd.make_optimizer(llrd.build_model())
    assert optimizer.param_groups[0]["lr"] == PROFILE.learning_rate
    assert optimizer.param_groups[1]["lr"] == pytest.approx(PROFILE.learning_rate * 0.8)
    with pytest.raises(CourseError, match="new_classifier debe ser"):
        course_methods("bert", "x", PROFILE)


def test_max_length_with_prompt_leaves_room_for_the_virtual_tokens():
    from coursekit.method_settings import PROMPT_VIRTUAL_TOKENS, max_length_with_prompt

    assert max_length_with_prompt(512, 512) == 512 - PROMPT_VIRTUAL_TOKENS  # full: Yelp a 512
    assert max_length_with_prompt(64, 512) == 64  # ci: ya cabe, no se trunca más
    with pytest.raises(CourseError, match="no deja sitio"):
        max_length_with_prompt(64, 16, num_virtual_tokens=20)
    with pytest.raises(CourseError, match="entero positivo"):
        max_length_with_prompt(64.0, 512)


def test_prompt_tuning_fits_a_text_truncated_with_the_prompt(tiny_bert):
    """Un texto truncado a max_position_embeddings (como Yelp a 512 en ``full``) más el prompt
    rompe BERT con un error de tamaños en inglés; truncado con la regla del lab 06, entra."""
    import torch
    from peft import get_peft_model

    from coursekit.method_settings import course_prompt_tuning_config, max_length_with_prompt

    model = tiny_bert()  # 128 posiciones
    config = course_prompt_tuning_config("unused", "x")
    config.prompt_tuning_init = "RANDOM"
    prompt_model = get_peft_model(model, config)
    too_long = torch.ones(1, 128, dtype=torch.long)
    with pytest.raises(RuntimeError):
        prompt_model(input_ids=too_long, attention_mask=torch.ones_like(too_long))
    fits = torch.ones(1, max_length_with_prompt(512, 128), dtype=torch.long)
    assert prompt_model(input_ids=fits, attention_mask=torch.ones_like(fits)).logits.shape == (1, 2)


def test_lab_07_measures_lora_with_the_arguments_of_the_shared_function(tmp_path):
    """La fila de LoRA que el lab 07 mide a la vista se junta con las de compare_methods: sus
    TrainingArguments deben ser los de ``measurement_arguments`` (salvo la barra de progreso)."""
    import inspect

    from coursekit import comparison
    from coursekit.environment import detect_environment, mixed_precision_flags

    calls = []
    for cell in nbformat.read(SOLUTIONS / "07_comparar_metodos.ipynb", as_version=4).cells:
        if cell.cell_type == "code" and "lora_args = TrainingArguments(" in cell.source:
            calls += [
                node.value
                for node in ast.parse(cell.source).body
                if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "lora_args"
            ]
    (call,) = calls
    names = {
        "profile": PROFILE,
        "env": detect_environment(),
        "num_epochs": PROFILE.peft_num_epochs,
        "lora_dir": tmp_path,
        "mixed_precision_flags": mixed_precision_flags,
    }
    notebook = eval(
        compile(ast.Expression(call), "<lab 07>", "eval"),
        {**names, "str": str, "TrainingArguments": __import__("transformers").TrainingArguments},
    )
    shared = comparison.measurement_arguments(
        tmp_path, PROFILE.lora_learning_rate, PROFILE, PROFILE.peft_num_epochs
    )
    source = ast.parse(inspect.getsource(comparison.measurement_arguments))
    shared_keywords = {
        keyword.arg
        for node in ast.walk(source)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "dict"
        for keyword in node.keywords
        if keyword.arg
    }
    written = {keyword.arg for keyword in call.keywords if keyword.arg}
    assert shared_keywords - written == {"disable_tqdm"}  # el lab muestra la barra
    for name in shared_keywords - {"disable_tqdm"}:
        assert getattr(notebook, name) == getattr(shared, name), name


@pytest.mark.parametrize("name", ["full", "quick", "ci"])
def test_lab_06_try_it_changes_the_schedule_in_every_profile(name):
    """El «Inténtalo» del lab 06 cambiaba prompt_train_size y PROMPT_EPOCHS por los valores que
    ``full`` ya usa (ambos None allí): no cambiaba nada. Ahora propone otro reparto de los mismos
    ejemplos vistos en cualquier perfil."""
    from coursekit.method_settings import prompt_schedule_alternative

    profile = get_profile(name)
    size = profile.prompt_train_size or profile.train_size  # las expresiones del lab 06
    epochs = profile.prompt_num_epochs or 2 * profile.peft_num_epochs
    other_size, other_epochs = prompt_schedule_alternative(size, epochs, profile.train_size)
    assert (other_size, other_epochs) != (size, epochs)
    assert other_size * other_epochs == size * epochs
    assert other_size <= max(size, profile.train_size)  # nunca pide más datos que los del lab


@pytest.mark.parametrize(
    "args, fragment",
    [((0, 2, 400), "train_size"), ((400, 2.5, 400), "num_epochs"), ((1, 3, 1), "una sola")],
)
def test_prompt_schedule_alternative_rejects_bad_inputs(args, fragment):
    from coursekit.method_settings import prompt_schedule_alternative

    with pytest.raises(CourseError, match=fragment):
        prompt_schedule_alternative(*args)


def test_lab_comparison_methods_are_the_seven_of_lab_07(tiny_bert):
    """Una sola lista: el lab 07 la pide a ``lab_comparison_methods`` y no la rehace."""
    from coursekit.method_settings import lab_comparison_methods

    names = [m.name for m in lab_comparison_methods(tiny_bert, "unused", PROFILE)]
    assert names == [
        "fine-tuning completo",
        "LLRD",
        "LoRA",
        "prompt tuning (media)",
        "codificador congelado",
        "codificador congelado (media)",
        "código del tutorial",
    ]
    code = "\n".join(
        cell.source
        for cell in nbformat.read(SOLUTIONS / "07_comparar_metodos.ipynb", as_version=4).cells
        if cell.cell_type == "code"
    )
    assert "lab_comparison_methods(new_classifier, model_path, profile)" in code
    assert "frozen_encoder_method(" not in code and 'pooling="mean"' not in code
