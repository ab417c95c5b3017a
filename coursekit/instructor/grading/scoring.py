"""Juzgar lo que observaron las sondas y repartir los puntos (fuera del aislamiento).

Este módulo nunca ejecuta código del estudiante: solo compara datos (números, listas,
textos) con la referencia que calcula cada juez, y antes comprueba que tengan la forma que
declara la prueba (``probe_data``): unos datos absurdos valen 0, nunca un juez desbocado.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coursekit.instructor.grading.execution import GRADED, ExecutionResult
from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import INVALID_PREFIX, InvalidProbeData, validate

NOT_RUN_HINT = "no se pudo comprobar: el notebook no llegó a ejecutarse."


@dataclass(frozen=True)
class PartScore:
    """Una parte de un ejercicio: puntos obtenidos y, si falló, la pista."""

    name: str
    points: float
    max_points: float
    hint: str | None


@dataclass
class ExerciseScore:
    exercise: str
    parts: list[PartScore] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def max_points(self) -> float:
        return sum(p.max_points for p in self.parts)


@dataclass
class StudentGrade:
    """La nota de una entrega: estado, motivo y puntos por ejercicio."""

    result: ExecutionResult
    exercises: list[ExerciseScore]

    @property
    def total(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)


def judge_exercise(test: HiddenTest, observation: dict | None) -> ExerciseScore:
    """Aplica el juez de ``test`` a lo observado; un juez que falla cuenta como parte fallida."""
    score = ExerciseScore(test.exercise)
    if observation is None:
        verdicts: dict[str, str | None] = dict.fromkeys(test.parts, NOT_RUN_HINT)
    elif not observation.get("ok"):
        error = str(observation.get("error", ""))
        if error.startswith(("NameError", "ExerciseNotDone")):
            hint = "el ejercicio está sin resolver (su variable o función no existe)."
        elif error in ("tiempo agotado", "sin tiempo"):
            hint = "tu código no terminó a tiempo con las entradas de la prueba."
        else:
            hint = f"tu código falló con las entradas de la prueba ({error[:200]})."
        verdicts = dict.fromkeys(test.parts, hint)
    else:
        try:
            validate(test.schema, observation.get("value"))
            verdicts = test.judge(observation.get("value"))
        except InvalidProbeData as error:  # el juez nunca ve datos sin la forma declarada
            verdicts = dict.fromkeys(test.parts, f"{INVALID_PREFIX}: {error}")
        except Exception as error:  # datos con forma inesperada: la parte no se da por buena
            generic = f"la respuesta no tiene la forma esperada ({type(error).__name__})."
            verdicts = dict.fromkeys(test.parts, generic)
    for part, points in test.parts.items():
        hint = verdicts.get(part, "no se pudo comprobar esta parte.")
        score.parts.append(PartScore(part, 0.0 if hint else float(points), float(points), hint))
    return score


def grade(result: ExecutionResult, tests: LabTests) -> StudentGrade:
    """Nota de una entrega: si no se ejecutó, cero en todo con el motivo."""
    ran = result.status in (GRADED, "kernel muerto")
    exercises = [
        judge_exercise(test, result.probes.get(test.exercise) if ran else None)
        for test in tests.tests
    ]
    return StudentGrade(result, exercises)


def zero_grade(result: ExecutionResult, tests: LabTests) -> StudentGrade:
    """Cero en todo, sin juzgar nada (la entrega no se pudo ejecutar o juzgar)."""
    return StudentGrade(result, [judge_exercise(test, None) for test in tests.tests])


def format_points(value: float) -> str:
    """Puntos sin decimales superfluos y con coma decimal (``1,5``; ``2``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
