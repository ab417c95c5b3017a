"""Ninguna línea de una solución aparece en la versión del estudiante (``notebooks/``): ni en
otra celda de código (una demostración que repite la respuesta) ni en el texto."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from coursekit.maintainer.notebook_builder import solution_regions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

# Líneas que sí pueden verse, con el motivo.
ALLOWED = {
    "04_bucle_nativo": {
        # Llamadas sueltas que todo bucle de PyTorch tiene y que el lab da por sabidas: la
        # cabecera cita loss.backward() en los requisitos previos, y el texto de la sección
        # opcional de Accelerate (después del ejercicio) explica que accelerator.backward(loss)
        # sustituye a loss.backward() y que Accelerate decide cuándo toca optimizer.step().
        # El ejercicio pide el paso completo (orden, recorte, scheduler, cuándo borrar los
        # gradientes), que no aparece.
        "loss.backward()",
        "optimizer.step()",
    },
    "05_lora": {
        # La demostración de la sección 4 (r=8 en query y value); el ejercicio elige otros
        # r y módulos: lo que comparten son los argumentos fijos de LoraConfig.
        "task_type=TaskType.SEQ_CLS,",
        "lora_alpha=16,",
        "lora_dropout=0.1,",
        'bias="none",',
    },
    "06_prompt_tuning": {
        # Argumentos de PromptTuningConfig que la sección 2 enseña antes del ejercicio.
        "task_type=TaskType.SEQ_CLS,",
        "prompt_tuning_init=PromptTuningInit.TEXT,",
        "prompt_tuning_init_text=PROMPT_TEXT,",
        "tokenizer_name_or_path=model_path,",
    },
}


def solution_lines(nb) -> list[str]:
    """Las líneas no triviales de las regiones de solución del notebook, leídas con el mismo
    analizador de marcadores que genera la versión del estudiante."""
    return [
        line.strip()
        for region in solution_regions(nb).values()
        for line in region
        if not trivial(line)
    ]


def trivial(line: str) -> bool:
    """Vacías, comentarios, imports, corchetes sueltos, muy cortas, o la línea ``def`` (la
    firma se deja a propósito en el notebook del estudiante)."""
    text = line.strip()
    return (
        len(text) < 12
        or text.startswith(("#", "import ", "from ", "def "))
        or re.fullmatch(r"[\[\](){}:,\s]+", text) is not None
    )


def shows(line: str, text: str) -> bool:
    """¿Aparece ``line`` en ``text`` sin ser la cola de otro nombre? (``acc_optimizer.step()``
    no muestra ``optimizer.step()``; ``self.optimizer.step()`` sí)."""
    return re.search(r"(?<!\w)" + re.escape(line), text) is not None


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_line_in_the_student_notebook(path):
    solution = nbformat.read(path, as_version=4)
    student = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    lines = set(solution_lines(solution)) - ALLOWED.get(path.stem, set())
    leaks = [
        f"celda {i} ({cell.cell_type}): {line}"
        for i, cell in enumerate(student.cells)
        for line in sorted(lines)
        if shows(line, cell.source)
    ]
    assert leaks == [], f"{path.name} enseña la solución: " + "\n".join(leaks)


def test_a_leak_is_found():
    cell = "x = 1\n# BEGIN SOLUTION\nanswer = compute(a, b)\n# END SOLUTION\n"
    assert solution_lines(new_notebook(cells=[new_code_cell(cell)])) == ["answer = compute(a, b)"]
    assert shows("optimizer.step()", "self.optimizer.step()")
    assert not shows("optimizer.step()", "acc_optimizer.step()")
    assert trivial("def f(x):") and trivial("    )") and not trivial("loss = outputs.loss")


# Trozos de una respuesta que no deben verse en ninguna celda del estudiante aunque la línea
# entera no aparezca (una tabla de «traducción», un resumen, un comentario...).
ANSWER_FRAGMENTS = {
    "03_keras": (
        "SparseCategoricalCrossentropy(from_logits=True)",
        "Adam(learning_rate=profile.learning_rate)",
    ),
    "01_preparar_datos": ("shuffle(seed=seed).select(range(size))",),
}


@pytest.mark.parametrize("stem", sorted(ANSWER_FRAGMENTS))
def test_answer_fragments_stay_in_the_solution(stem):
    solution = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    student = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    regions = "\n".join(solution_lines(solution))
    for fragment in ANSWER_FRAGMENTS[stem]:
        assert fragment in regions, f"{fragment!r} ya no es parte de la solución de {stem}"
        shown = [i for i, cell in enumerate(student.cells) if fragment in cell.source]
        assert shown == [], f"{stem}: {fragment!r} se ve en las celdas {shown} del estudiante"


# Respuestas que el texto puede dar después del ejercicio (en el resumen), pero no antes.
ANSWERS_NOT_BEFORE = {
    "06_prompt_tuning": ("06-tokens-virtuales", ("hidden_size` números", "7 680", "15 360")),
}


@pytest.mark.parametrize("stem", sorted(ANSWERS_NOT_BEFORE))
def test_no_answer_in_the_text_before_its_exercise(stem):
    exercise, fragments = ANSWERS_NOT_BEFORE[stem]
    student = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    (position,) = [i for i, c in enumerate(student.cells) if f'todo("{exercise}")' in c.source]
    shown = [
        (i, fragment)
        for i, cell in enumerate(student.cells[:position])
        for fragment in fragments
        if fragment in cell.source
    ]
    assert shown == [], f"{stem}: la respuesta de {exercise} aparece antes del ejercicio: {shown}"
