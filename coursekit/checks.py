"""Comprobación de ejercicios: ``check("01-tokenizar", ...)`` da una respuesta en español.

Cada lab registra las suyas en un módulo de ``coursekit.lab_checks`` (``lab01.py``...), que
se importa la primera vez que se pide una comprobación. Viven en el paquete (no junto al
notebook) para que funcionen en Colab cuando el estudiante abre solo el notebook. El
corrector del instructor reutiliza este mismo registro.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coursekit.errors import CourseError

CheckFunction = Callable[..., str]
_REGISTRY: dict[str, CheckFunction] = {}


class CheckFailed(CourseError):
    """La respuesta de un ejercicio no es correcta todavía; el mensaje da una pista."""

    def __init__(self, exercise_id: str, hint: str) -> None:
        self.exercise_id = exercise_id
        self.hint = hint
        super().__init__(f"Ejercicio «{exercise_id}»: todavía no: {hint}")

    def __reduce__(self):
        return (type(self), (self.exercise_id, self.hint))

    def _render_traceback_(self) -> list[str]:
        return [f"❌ {self}"]


def register(exercise_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Registra una comprobación: una función que devuelve un texto de éxito o lanza
    ``AssertionError``."""

    def decorator(function: CheckFunction) -> CheckFunction:
        if exercise_id in _REGISTRY:
            raise CourseError(f"La comprobación {exercise_id!r} ya está registrada.")
        _REGISTRY[exercise_id] = function
        return function

    return decorator


def _load_lab_checks() -> None:
    """Importa los módulos de ``coursekit.lab_checks`` (uno por lab), que se registran solos."""
    import importlib
    import pkgutil

    from coursekit import lab_checks

    for module in pkgutil.iter_modules(lab_checks.__path__):
        importlib.import_module(f"{lab_checks.__name__}.{module.name}")


def available_checks() -> list[str]:
    """Identificadores de los ejercicios que tienen comprobación."""
    _load_lab_checks()
    return sorted(_REGISTRY)


def check(exercise_id: str, verbose: bool = True, **answers: Any) -> bool:
    """Comprueba la respuesta de un ejercicio; imprime ✅ o lanza ``CheckFailed`` con una pista."""
    _load_lab_checks()
    if exercise_id not in _REGISTRY:
        raise CourseError(
            f"No hay comprobación para {exercise_id!r}. "
            f"Disponibles: {', '.join(available_checks())}."
        )
    try:
        message = _REGISTRY[exercise_id](**answers)
    except AssertionError as failure:
        raise CheckFailed(exercise_id, str(failure)) from None
    except TypeError as error:
        raise CheckFailed(
            exercise_id, f"la comprobación no recibió lo que esperaba ({error})."
        ) from None
    if verbose:
        print(f"✅ Ejercicio «{exercise_id}»: ¡correcto! {message}".rstrip())
    return True
