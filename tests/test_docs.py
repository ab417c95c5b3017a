"""La documentación nombra cosas que existen: comandos de docs/benchmarks.md, y los hechos de
docs/decisions.md que el código puede confirmar."""

from __future__ import annotations

import argparse
import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from coursekit.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Un comando empieza donde empieza una orden de shell: al principio, tras «`», «|», «;», «&» o
# «(», o tras unas variables de entorno (``OMP_NUM_THREADS=1 python -m ...``).
_START = r"(?:^|[`|;&(]\s*|\s)(?:[A-Z_]+=\S*\s+)*"
_COMMAND = re.compile(
    _START + r"(?P<command>(?:python3? -m [^\s`]+|python3? [^\s`]+\.py|bash [^\s`]+|coursekit [a-z]"
    r"|pytest(?=[\s`]|$))[^`\n]*)",
    re.MULTILINE,
)


def sections(markdown: str) -> dict[str, str]:
    """``{título: texto}`` de cada sección ``## `` (los ``## `` dentro de bloques de código no
    cuentan)."""
    found: dict[str, str] = {}
    title, lines, fenced = None, [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if title is not None:
                found[title] = "\n".join(lines)
            title, lines = line[3:].strip(), []
        elif title is not None:
            lines.append(line)
    if title is not None:
        found[title] = "\n".join(lines)
    return found


def commands(text: str) -> list[str]:
    """Los comandos del curso que nombra ``text`` (en bloques de código o en ``código``)."""
    return [match["command"].strip() for match in _COMMAND.finditer(text)]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _cli_problem(words: list[str]) -> str | None:
    """Si ``coursekit <words>`` nombra subcomandos que no existen, por qué; si no, ``None``.
    ``a|b`` vale como «a y b»."""
    parser = build_parser()
    for word in words:
        choices = _subcommands(parser)
        if not choices:
            return None
        if word.startswith("-"):
            continue
        names = word.split("|")
        unknown = [name for name in names if name not in choices]
        if unknown:
            return f"subcomando {unknown[0]!r} desconocido (hay {sorted(choices)})"
        parser = choices[names[0]]
    return None


def command_problem(command: str) -> str | None:
    """Por qué ``command`` no existe en el repositorio, o ``None`` si existe."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    if words[:3] == ["python", "-m", "coursekit"] or words[:3] == ["python3", "-m", "coursekit"]:
        return _cli_problem(words[3:])
    if words[0] == "coursekit":
        return _cli_problem(words[1:])
    if not words:
        return "comando vacío"
    if words[0] == "pytest" or words[1:3] == ["-m", "pytest"]:
        paths = [w.split("::")[0] for w in words if w.startswith(("tests/", "solutions/"))]
        missing = [p for p in paths if not (ROOT / p).exists()]
        return f"no existe {missing[0]}" if missing else None
    if words[1:2] == ["-m"]:
        return None if importlib.util.find_spec(words[2]) else f"no hay módulo {words[2]}"
    path = words[1]
    if path.startswith(("/", "$", "~")) or "<" in path:
        return None  # fuera del repositorio o un ejemplo: no se comprueba
    return None if (ROOT / path).is_file() else f"no existe el archivo {path}"


# --- docs/benchmarks.md ------------------------------------------------------------------


BENCHMARKS = sections((DOCS / "benchmarks.md").read_text(encoding="utf-8"))


def test_benchmarks_has_sections():
    assert len(BENCHMARKS) >= 6, list(BENCHMARKS)


@pytest.mark.parametrize("title", list(BENCHMARKS))
def test_every_benchmark_section_names_commands_that_exist(title):
    named = commands(BENCHMARKS[title])
    assert named, f"«{title}» no dice con qué comando se midió"
    problems = [f"{c}: {p}" for c in named if (p := command_problem(c))]
    assert problems == [], f"«{title}» nombra comandos que no existen: {problems}"


def test_the_command_check_can_fail():
    text = "## A\nSin comando.\n## B\n```bash\n# ## no es una sección\ncoursekit bench nada\n```\n"
    found = sections(text)
    assert list(found) == ["A", "B"]
    assert commands(found["A"]) == []
    assert commands(found["B"]) == ["coursekit bench nada"]
    assert "nada" in command_problem("coursekit bench nada")
    assert command_problem("coursekit bench padding|methods|labs --profile quick") is None
    assert command_problem("coursekit bench padding|metodos") is not None
    assert command_problem("python -m coursekit grade ENTREGAS --lab 02") is None
    assert command_problem("python -m coursekit.instructor.bench.no_existe") is not None
    assert command_problem("python benchmarks/compare_methods.py --profile quick") is not None
    assert command_problem("bash scripts/test.sh") is None
    assert command_problem("pytest -m 'not slow' tests/test_docs.py::test_x") is None
    assert command_problem("python -m pytest tests/test_no_existe.py") is not None
    assert commands("`OMP_NUM_THREADS=1 python -m x.y --a` y `bash .ci/run`") == [
        "python -m x.y --a",
        "bash .ci/run",
    ]


# --- docs/decisions.md y docs/arquitectura.md --------------------------------------------


DECISIONS = (DOCS / "decisions.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["decisions.md", "arquitectura.md"])
def test_commands_in_docs_exist(doc):
    text = (DOCS / doc).read_text(encoding="utf-8")
    problems = [f"{c}: {p}" for c in commands(text) if (p := command_problem(c))]
    assert problems == [], f"docs/{doc} nombra comandos que no existen: {problems}"


@pytest.mark.parametrize("doc", ["decisions.md", "arquitectura.md"])
def test_paths_in_docs_exist(doc):
    """Las rutas del repositorio que cita el texto (``coursekit/...py``, ``tests/...``) existen."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    tops = "coursekit|tests|scripts|hidden_tests|docs|solutions|notebooks|binder|benchmarks"
    paths = set(re.findall(rf"`((?:{tops})/[\w./-]+)`", text))
    missing = sorted(
        p for p in paths if "NN" not in p and not (ROOT / p.rstrip("/")).exists()
    )  # labNN.py: un ejemplo
    assert missing == [], f"docs/{doc} cita rutas que no existen: {missing}"


def test_decisions_lists_the_labs_with_hidden_tests():
    """La frase «Labs con pruebas ocultas: 01, 02, ...» de decisions.md dice exactamente qué
    archivos hay en hidden_tests/."""
    (line,) = re.findall(r"Labs con pruebas ocultas: ([\d, y]+)\.", DECISIONS)
    stated = sorted(re.findall(r"\d\d", line))
    present = sorted(p.stem[3:] for p in (ROOT / "hidden_tests").glob("lab[0-9][0-9].py"))
    assert stated == present
