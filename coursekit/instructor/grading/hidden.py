"""Pruebas ocultas: dónde viven, cómo se declaran y cómo se cargan.

Viven **fuera** del paquete que instalan los estudiantes (carpeta ``hidden_tests/`` de la raíz del
repositorio, un módulo por lab: ``hidden_tests/lab02.py``) y nunca entran enteras en el
aislamiento. Cada prueba tiene dos mitades:

- ``probe(ns)``: la *sonda*. Se envía (solo su código) al kernel del estudiante cuando el
  notebook ya se ejecutó, llama a sus funciones con entradas nuevas y devuelve datos
  (listas, números, textos). No sabe qué es correcto.
- ``judge(observado)``: el *juez*. Corre en el proceso del corrector, que nunca ejecuta código
  del estudiante, y compara lo observado con la referencia. Devuelve, por cada parte del
  ejercicio, ``None`` (bien) o una pista en español (mal), sin dar la respuesta.

Los puntos de cada parte se declaran una sola vez, en ``parts``, y la forma de lo que devuelve
la sonda (tipos, rangos y tamaños), en ``schema`` (ver ``probe_data``): el juez solo ve datos
que encajan con ella.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from coursekit.errors import CourseError, MissingPathError
from coursekit.instructor.grading.probe_data import Spec

Judge = Callable[[Any], dict[str, str | None]]


@dataclass(frozen=True)
class HiddenTest:
    """Prueba oculta de un ejercicio: sonda, juez, puntos por parte y forma de los datos."""

    exercise: str
    parts: dict[str, float]
    probe: Callable[[dict], Any]
    judge: Judge
    helpers: tuple[Callable, ...] = field(default=())
    schema: Spec | None = None  # lo que puede devolver la sonda (las de hidden_tests/, todas)

    @property
    def points(self) -> float:
        return float(sum(self.parts.values()))

    def probe_source(self) -> str:
        """Código de la sonda (y sus funciones auxiliares) que se envía al kernel."""
        sources = [inspect.getsource(function) for function in (*self.helpers, self.probe)]
        return "\n\n".join(sources)


@dataclass(frozen=True)
class LabTests:
    """Las pruebas ocultas de un lab y las celdas que se saltan al corregir.

    ``skip_cells``: expresiones regulares; se salta la celda de código que encaje con alguna
    (p. ej. entrenamientos que solo se muestran), salvo que defina un nombre de
    ``keep_names`` (lo que leen las sondas), por si el estudiante juntó celdas.
    """

    lab: str
    tests: tuple[HiddenTest, ...]
    skip_cells: tuple[str, ...] = ()
    keep_names: tuple[str, ...] = ()

    @property
    def max_points(self) -> float:
        return sum(test.points for test in self.tests)

    @property
    def exercises(self) -> list[str]:
        return [test.exercise for test in self.tests]


def default_tests_dir() -> Path:
    """``hidden_tests/`` de la carpeta actual o, en un clon del repositorio, la de su raíz."""
    here = Path("hidden_tests")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "hidden_tests"


def load_lab_tests(lab: str, tests_dir: str | Path | None = None) -> LabTests:
    """Carga ``<tests_dir>/labNN.py`` y devuelve su ``LAB_TESTS``."""
    folder = Path(tests_dir) if tests_dir else default_tests_dir()
    path = folder / f"lab{lab}.py"
    if not folder.is_dir():
        raise MissingPathError(
            f"No encuentro la carpeta de pruebas ocultas {str(folder)!r}: ejecuta el comando "
            "desde la raíz del repositorio del curso o indícala con --tests."
        )
    if not path.is_file():
        available = sorted(p.stem[3:] for p in folder.glob("lab*.py"))
        raise CourseError(
            f"No hay pruebas ocultas para el lab {lab} en {folder} (hay para: "
            f"{', '.join(available) or 'ninguno'})."
        )
    module = _import_file(path, f"_coursekit_hidden_lab{lab}")
    tests = getattr(module, "LAB_TESTS", None)
    if not isinstance(tests, LabTests):
        raise CourseError(f"{path} debe definir LAB_TESTS = LabTests(...).")
    return tests


def _import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # inspect.getsource lo necesita
    spec.loader.exec_module(module)
    return module
