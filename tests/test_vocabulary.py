"""Un término por concepto: las formas prohibidas de docs/glosario.md no aparecen en el texto de
los labs ni en lo que coursekit muestra al estudiante, y cada lab glosa en inglés la primera
aparición de cada término."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
GLOSSARY = (ROOT / "docs" / "glosario.md").read_text(encoding="utf-8")
# Lo que no es prosa: bloques de código, `código`, glosas en *cursiva*, citas «...», enlaces.
_NOT_PROSE = re.compile(
    r"```.*?```|`[^`\n]*`|(?<!\*)\*(?!\*)[^*\n]+?(?<!\*)\*(?!\*)|«[^»]*»|\]\([^)]*\)|https?://\S+",
    re.S,
)


def _block(name: str) -> list[str]:
    match = re.search(rf"```{name}\n(.*?)```", GLOSSARY, re.S)
    assert match, f"docs/glosario.md no tiene el bloque «{name}»"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


BANNED = [tuple(part.strip() for part in line.split("=>", 1)) for line in _block("prohibidas")]
GLOSSES = [
    (spanish.strip().split("|"), english.strip().split("|"))
    for spanish, english in (line.split("=", 1) for line in _block("glosas"))
]


def prose(text: str) -> str:
    return _NOT_PROSE.sub(" ", text)


def banned_forms(text: str) -> list[str]:
    """Las formas prohibidas de ``text`` (ya limpio de código), con lo que usar en su lugar."""
    found = []
    for pattern, instead in BANNED:
        for match in re.finditer(pattern, text):
            context = text[max(0, match.start() - 30) : match.end() + 20].replace("\n", " ")
            found.append(f"«{match.group(0)}» en «…{context}…» → {instead}")
    return found


def lab_markdown(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def user_strings(source: str) -> list[str]:
    """Las constantes de texto de un módulo que puede leer el estudiante: no los docstrings ni
    las que no tienen espacios (identificadores, claves, formatos)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and re.search(r"\s", node.value.strip())
    ]


def test_the_glossary_lists_banned_forms_and_glosses():
    assert len(BANNED) >= 5 and len(GLOSSES) >= 3


@pytest.mark.parametrize(
    "text",
    [
        "el modelo pre-entrenado",
        "### Trainables frente a congelados",
        "el coste del forward",
        "cargamos el mismo split",
        "un encoder pequeño",
        "el learning rate del perfil",
        "rellena cada batch",
        "guarda un checkpoint",
        "ocupa 0,33 % y 0.725",
    ],
)
def test_each_banned_form_is_caught(text):
    assert banned_forms(prose(text))


@pytest.mark.parametrize(
    "text",
    [
        "la tasa de aprendizaje (*learning rate*)",
        "un lote (*batch*) con `batch_size` y `.batch(16)`",
        "`resume_from_checkpoint=True` y `checkpoint-10`",
        "el bloque *feed-forward*",
        "exactitud 0.725, 0.695 y 3 clases",
    ],
)
def test_glosses_code_and_decimal_points_are_allowed(text):
    assert banned_forms(prose(text)) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_text_uses_the_glossary(path):
    found = [form for text in lab_markdown(path) for form in banned_forms(prose(text))]
    assert found == [], f"{path.name}: " + "\n".join(found)


def test_coursekit_messages_use_the_glossary():
    found = []
    for module in sorted((ROOT / "coursekit").rglob("*.py")):
        for text in user_strings(module.read_text(encoding="utf-8")):
            found += [f"{module.relative_to(ROOT)}: {f}" for f in banned_forms(prose(text))]
    for path in sorted((ROOT / "coursekit" / "quizzes").glob("*.json")):  # los cuestionarios
        for text in json_strings(json.loads(path.read_text(encoding="utf-8"))):
            found += [f"{path.relative_to(ROOT)}: {f}" for f in banned_forms(prose(text))]
    assert found == [], "\n".join(found)


def json_strings(data: object) -> list[str]:
    """Todos los textos de un JSON (valores, no claves)."""
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [text for value in values for text in json_strings(value)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_first_use_of_each_term_is_glossed(path):
    text = "\n".join(prose_keep_glosses(t) for t in lab_markdown(path))
    missing = []
    for spanish, english in GLOSSES:
        words = "|".join(re.escape(w) for w in sorted(spanish, key=len, reverse=True))
        first = re.search(rf"(?i)\b(?:{words})\b", text)
        if first is None:
            continue
        after = text[first.end() : first.end() + 40]
        gloss = re.match(r"\s*\(\*([^*]+)\*", after)
        if not gloss or gloss.group(1).lower() not in [e.lower() for e in english]:
            missing.append(f"«{first.group(0)}» (…{text[first.start() : first.end() + 30]}…)")
    assert missing == [], f"{path.name}: la primera aparición no lleva la glosa inglesa: {missing}"


def prose_keep_glosses(text: str) -> str:
    """Como :func:`prose`, pero conserva las glosas en cursiva."""
    return re.sub(r"```.*?```|`[^`\n]*`|\]\([^)]*\)|https?://\S+", " ", text, flags=re.S)
