"""Entrenamiento, validación y prueba en los siete labs, leyendo el código de
``solutions/`` sin ejecutar nada.

La convención: ``train_subset, validation_subset, test_subset = data.course_splits(...)``; todo
lo que elige (tasa de aprendizaje, época, ``r``, método) mira la validación, y la partición de
prueba (*test*) se toca en UNA sección final cuyo encabezado empieza por
``## Evaluación final en test``, después de todo lo que entrena o elige, y que dice en su prosa
que esa es la cifra que se reporta. Cada regla es una función pequeña, probada abajo con
notebooks sintéticos: uno bueno pasa y uno malo por regla falla justo en esa regla.

- (a) nada de ``course_subsets`` ni ``eval_subset`` (el reparto sin validación);
- (b) los datos de test (``test_subset`` o su versión tokenizada) solo dentro de la sección
  final, salvo la línea que los crea (``course_splits(``);
- (c) hay una sola sección final, usa los datos de test, dice que su cifra es la que se
  reporta, y después de ella ninguna celda entrena ni evalúa en validación;
- (d) ningún «±» seguido de un número escrito a mano, ni en el Markdown ni en una cadena del
  código (en un f-string, «±{margen:.1f}» está bien: el número lo calcula la ejecución).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "solutions").glob("[0-9][0-9]_*.ipynb"))

#: El encabezado (Markdown, al principio de una línea) de la única sección que mira test.
FINAL_HEADING = "## Evaluación final en test"
#: El reparto de v0.3.0, sin validación: evaluar en ``eval_subset`` era elegir con test.
OLD_SPLIT_NAMES = {"course_subsets", "eval_subset"}
#: Los datos de test: el subconjunto y sus versiones tokenizadas o en lotes.
TEST_DATA = re.compile(
    r"^(?:test_subset|tokenized_test\w*|test_(?:dataset|data|set|loader|dataloader|tf|tf_dataset"
    r"|encodings|features|texts|labels)|(?:tf|eval|prompt)_test\w*"
    r"|\w+_test_(?:subset|dataset|data|loader|dataloader|tf)\w*)$"
)
#: Lo mismo para la validación (una evaluación en validación después de test sería elegir).
VALIDATION_DATA = re.compile(
    r"\b(?:validation_subset|tokenized_validation\w*|validation_(?:dataset|data|set|loader"
    r"|dataloader|tf|tf_dataset)|\w+_validation_dataset)\b"
)
#: Una celda que entrena (también dentro de un script en una cadena, como el de Keras con torch).
TRAINS = re.compile(
    r"\.(?:train|fit)\(|\bbackward\(|\bcompare_methods\(|\btrain_(?!test_split)\w+\("
)
#: ``trainer.evaluate()`` sin argumentos evalúa en su ``eval_dataset``: la validación.
EVALUATES_ON_VALIDATION = re.compile(
    r"\.evaluate\(\)|\b(?:evaluate|predict|evaluate_model)\([^)]*" + VALIDATION_DATA.pattern
)
#: La línea que crea las tres particiones puede nombrar ``test_subset``.
CREATES_SPLITS = "course_splits("
#: «±» seguido de un número (con o sin espacio).
TYPED_PLUS_MINUS = re.compile(r"±\s*\d")
#: La prosa de la sección final dice que su cifra es la que se reporta.
REPORTED = re.compile(r"\breporta", re.IGNORECASE)


def _without_magics(source: str) -> str:
    """El código de una celda sin las líneas mágicas de IPython (``%pip``, ``!ls``)."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(_without_magics(source)).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as error:
        raise AssertionError(f"no se pudo leer el código de la celda: {error}") from error


def code_names(source: str) -> set[str]:
    """Los identificadores del código (sin comentarios ni cadenas)."""
    return {t.string for t in _tokens(source) if t.type == tokenize.NAME}


def string_literals(source: str) -> list[str]:
    """El texto literal de las cadenas del código: una cadena normal entera; de un f-string,
    solo las partes fuera de ``{...}`` (los números que calcula la ejecución no cuentan)."""
    literals = []
    for token in _tokens(source):
        if token.type == tokenize.STRING:
            text = token.string
            prefix = re.match(r"[A-Za-z]*", text).group(0).lower()
            if "f" in prefix:
                text = _fstring_literal(text[len(prefix) :])
            literals.append(text)
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", None):  # Python ≥ 3.12
            literals.append(token.string)
    return literals


def _fstring_literal(body: str) -> str:
    """Las partes literales de un f-string (Python < 3.12 lo da como una sola cadena):
    cada ``{...}`` se sustituye por ``{}`` y ``{{``/``}}`` por llaves sueltas."""
    out, depth, i = [], 0, 0
    while i < len(body):
        char = body[i]
        if depth == 0 and body.startswith(("{{", "}}"), i):
            out.append(char)
            i += 2
            continue
        if char == "{":
            if depth == 0:
                out.append("{}")
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
        i += 1
    return "".join(out)


def _headings(source: str) -> list[str]:
    return [line for line in source.splitlines() if re.match(r"##\s", line)]


def final_section(notebook) -> tuple[int, int] | None:
    """Índices ``(inicio, fin)`` de las celdas de la sección final: desde la celda con su
    encabezado hasta la celda anterior al siguiente encabezado ``## `` (o el final)."""
    starts = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        and any(line.startswith(FINAL_HEADING) for line in cell.source.splitlines())
    ]
    if len(starts) != 1:
        return None
    start = starts[0]
    end = len(notebook.cells)
    for i in range(start + 1, len(notebook.cells)):
        cell = notebook.cells[i]
        if cell.cell_type == "markdown" and _headings(cell.source):
            end = i
            break
    return start, end - 1


def old_split_problems(notebook) -> list[str]:
    """(a) Celdas de código que aún usan el reparto sin validación."""
    return [
        f"celda {i}: usa {', '.join(sorted(code_names(cell.source) & OLD_SPLIT_NAMES))}"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and code_names(cell.source) & OLD_SPLIT_NAMES
    ]


def _test_names(source: str) -> set[str]:
    # Se descartan los nombres de la línea que crea las particiones, no la línea entera: quitarla
    # rompía una cadena de varias líneas que la contiene (el código que imprime el lab 06).
    return {
        token.string
        for token in _tokens(source)
        if token.type == tokenize.NAME
        and TEST_DATA.match(token.string)
        and CREATES_SPLITS not in token.line
    }


def problems_with_test_data(notebook) -> list[str]:
    """(b) Celdas de código fuera de la sección final que tocan los datos de test."""
    section = final_section(notebook)
    inside = range(section[0], section[1] + 1) if section else range(0)
    return [
        f"celda {i}: toca {', '.join(sorted(_test_names(cell.source)))} fuera de «{FINAL_HEADING}»"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and i not in inside and _test_names(cell.source)
    ]


def final_section_problems(notebook) -> list[str]:
    """(c) Falta la sección final (o hay varias), no mira test, no dice que su cifra es la que
    se reporta, o después de ella una celda entrena o evalúa en validación."""
    count = sum(
        line.startswith(FINAL_HEADING)
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
    )
    if count != 1:
        return [f"hay {count} secciones «{FINAL_HEADING}»; debe haber exactamente una"]
    start, end = final_section(notebook)
    cells = notebook.cells[start : end + 1]
    problems = []
    if not any(c.cell_type == "code" and _test_names(c.source) for c in cells):
        problems.append(f"«{FINAL_HEADING}» no evalúa en los datos de test")
    if not any(c.cell_type == "markdown" and REPORTED.search(c.source) for c in cells):
        problems.append(f"la prosa de «{FINAL_HEADING}» no dice que esa cifra es la que se reporta")
    for i, cell in enumerate(notebook.cells[start + 1 :], start + 1):
        if cell.cell_type != "code":
            continue
        if TRAINS.search(cell.source):
            problems.append(f"celda {i}: entrena después de «{FINAL_HEADING}»")
        elif EVALUATES_ON_VALIDATION.search(cell.source):
            problems.append(f"celda {i}: evalúa en validación después de «{FINAL_HEADING}»")
    return problems


def typed_plus_minus_problems(notebook) -> list[str]:
    """(d) «±» seguido de un número escrito a mano en el Markdown o en una cadena del código."""
    problems = []
    for i, cell in enumerate(notebook.cells):
        texts = [cell.source] if cell.cell_type == "markdown" else string_literals(cell.source)
        for text in texts:
            for match in TYPED_PLUS_MINUS.finditer(text):
                context = text[max(0, match.start() - 20) : match.end() + 10].replace("\n", " ")
                problems.append(f"celda {i}: «±» escrito a mano: «…{context}…»")
    return problems


def split_problems(notebook) -> list[str]:
    return (
        old_split_problems(notebook)
        + problems_with_test_data(notebook)
        + final_section_problems(notebook)
        + typed_plus_minus_problems(notebook)
    )


# --- Las reglas, sobre notebooks sintéticos ------------------------------------------------


def _notebook(*cells: tuple[str, str]):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        for kind, source in cells
    ]
    return notebook


GOOD = [
    ("md", "# Lab\n\n## 1. Datos"),
    (
        "code",
        "%pip install -q algo\n"
        "train_subset, validation_subset, test_subset = data.course_splits(dataset, profile)\n"
        "# test_subset se tokeniza al final",
    ),
    (
        "code",
        "validation_dataset = tokenize(validation_subset)\ntrainer.train()\n"
        "metrics = trainer.evaluate(validation_dataset)",
    ),
    ("code", 'print(f"margen ±{noise:.1f} puntos; {{literal}}")'),
    (
        "md",
        "## Evaluación final en test\n\nEsta es la cifra que se reporta: test no se miró antes.",
    ),
    (
        "code",
        "test_dataset = tokenize(test_subset)\n"
        "test_metrics = trainer.evaluate(test_dataset)\nnum_test = len(test_subset)",
    ),
    ("md", "## 8. Guardar"),
    ("code", "write_model_card(folder, accuracy=test_metrics['test_accuracy'], num_eval=num_test)"),
    ("md", "## Qué has aprendido\n\n- Que una exactitud tiene ruido (su error típico)."),
]


def _with(index: int, kind: str, source: str) -> list[tuple[str, str]]:
    cells = list(GOOD)
    cells[index] = (kind, source)
    return cells


def test_good_notebook_passes_every_rule():
    assert split_problems(_notebook(*GOOD)) == []


def test_rule_a_old_subsets():
    bad = _notebook(*_with(1, "code", "train_subset, eval_subset = data.course_subsets(d, p)"))
    assert old_split_problems(bad) and "course_subsets" in old_split_problems(bad)[0]
    only_eval = _notebook(*_with(2, "code", "print(eval_subset)"))
    assert old_split_problems(only_eval) == ["celda 2: usa eval_subset"]
    in_prose = _notebook(*_with(0, "md", "Antes se llamaba `eval_subset`."))
    assert old_split_problems(in_prose) == []


@pytest.mark.parametrize(
    "source",
    [
        "metrics = trainer.evaluate(test_dataset)",  # elige con test
        "print(len(test_subset))",
        "tokenized_test = test_subset.map(tokenize_function)",
        "test_tf = make_tf_dataset(validation_subset, shuffle=False)",
        "loader = DataLoader(test_dataloader)",
        "prompt_eval = tokenize(prompt_test_dataset)",
        "lora_test_subset = test_subset.select(range(8))",
    ],
)
def test_rule_b_test_data_before_the_final_section(source):
    bad = _notebook(*_with(2, "code", source))
    [problem] = problems_with_test_data(bad)
    assert problem.startswith("celda 2: toca")


def test_rule_b_test_data_after_the_final_section():
    bad = _notebook(*_with(7, "code", "write_model_card(folder, num_eval=len(test_dataset))"))
    assert problems_with_test_data(bad) == [
        f"celda 7: toca test_dataset fuera de «{FINAL_HEADING}»"
    ]


def test_rule_b_ignores_comments_strings_and_the_line_that_creates_the_splits():
    cells = _with(2, "code", 'print("test_subset no se toca")  # ni test_dataset\nx = 1')
    assert problems_with_test_data(_notebook(*cells)) == []
    assert "test_metrics" not in _test_names("test_metrics = 1")
    printed = 'print("""x = data.course_splits(d, p)[0]\ny = 2""")\nz = len(test_dataset)'
    assert _test_names(printed) == {"test_dataset"}


def test_rule_c_missing_or_repeated_final_section():
    missing = [cell for cell in GOOD if not cell[1].startswith(FINAL_HEADING)]
    assert final_section_problems(_notebook(*missing)) == [
        f"hay 0 secciones «{FINAL_HEADING}»; debe haber exactamente una"
    ]
    twice = [*GOOD, ("md", f"{FINAL_HEADING} (otra vez)\n\nSe reporta.")]
    assert "hay 2 secciones" in final_section_problems(_notebook(*twice))[0]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("trainer.train()", "entrena"),
        ("history = model.fit(train_tf, validation_data=validation_tf)", "entrena"),
        ("loss.backward()", "entrena"),
        ("others = compare_methods(methods, train_dataset)", "entrena"),
        ("prompt_trainer = train_peft(model, 'lab', 1e-3)", "entrena"),
        ('script = """model.fit(x, y)"""', "entrena"),  # un subproceso que entrena
        ("scores = evaluate_model(model, validation_dataloader)", "evalúa en validación"),
        ("out = trainer.predict(validation_dataset)", "evalúa en validación"),
        ("metrics = trainer.evaluate()", "evalúa en validación"),
    ],
)
def test_rule_c_final_section_before_a_cell_that_trains_or_chooses(source, what):
    bad = _notebook(*_with(7, "code", source))
    assert final_section_problems(bad) == [f"celda 7: {what} después de «{FINAL_HEADING}»"]


def test_rule_c_final_section_must_use_test_and_say_it_is_reported():
    no_test = _notebook(*_with(5, "code", "metrics = trainer.evaluate(validation_dataset)"))
    problems = final_section_problems(no_test)
    assert f"«{FINAL_HEADING}» no evalúa en los datos de test" in problems
    silent = _notebook(*_with(4, "md", f"{FINAL_HEADING}\n\nAhora, test."))
    assert final_section_problems(silent) == [
        f"la prosa de «{FINAL_HEADING}» no dice que esa cifra es la que se reporta"
    ]


def test_rule_c_the_section_ends_at_the_next_heading():
    notebook = _notebook(*GOOD)
    assert final_section(notebook) == (4, 5)


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("md", "Con 200 reseñas el margen es de ±3.5 puntos."),
        ("md", "| LoRA | 0.715 ± 0.02 |"),
        ("code", 'print("margen de ±3.5 puntos")'),
        ("code", 'print(f"exactitud {acc:.3f} (±3.5 puntos)")'),  # la cifra, escrita a mano
        ("code", "verdict = '±3.5' if gap < 3.5 else 'gana'"),
    ],
)
def test_rule_d_typed_plus_minus(kind, source):
    bad = _notebook(*_with(3, kind, source))
    [problem] = typed_plus_minus_problems(bad)
    assert problem.startswith("celda 3: «±» escrito a mano")


@pytest.mark.parametrize(
    "source",
    [
        'print(f"margen ±{noise:.1f} puntos")',
        'print(f"{gap:+.1f} ± {NOISE_Z * se:.1f} puntos")',
        'print("±%.1f puntos" % noise)',
        "# ±3.5 en un comentario no se imprime",
        'print(rf"±{noise}")',
    ],
)
def test_rule_d_computed_plus_minus_is_fine(source):
    assert typed_plus_minus_problems(_notebook(*_with(3, "code", source))) == []


def test_fstring_literal_keeps_only_the_text_outside_the_braces():
    assert _fstring_literal("\"±{x:.1f} y {{3}} ±{d['a']}\"") == '"±{} y {3} ±{}"'


# --- Los siete labs ------------------------------------------------------------------------


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_chooses_on_validation_and_reports_test_once(path):
    problems = split_problems(nbformat.read(path, as_version=4))
    assert problems == [], (
        f"{path.name}: cada elección en validación y test una sola vez, en "
        f"«{FINAL_HEADING}» al final; ningún «±» escrito a mano.\n" + "\n".join(problems)
    )


def test_all_seven_labs_are_checked():
    assert len(SOLUTIONS) == 7
