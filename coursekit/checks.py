"""Comprobación de ejercicios: ``check("01-tokenizar", ...)`` da una respuesta en español.

Cada lab registra las suyas en un módulo de ``coursekit.lab_checks`` (``lab01.py``...), que
se importa la primera vez que se pide una comprobación. Viven en el paquete (no junto al
notebook) para que funcionen en Colab cuando el estudiante abre solo el notebook. El
corrector del instructor reutiliza este mismo registro.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from coursekit.errors import CourseError

CheckFunction = Callable[..., str]
_REGISTRY: dict[str, CheckFunction] = {}
# Lo que ``check`` vio en este kernel: id -> (estado, pista). Lo resume ``resumen()``.
_RESULTS: dict[str, tuple[str, str]] = {}
# Número de ejecución (``In [n]``) de la última vez que se ejecutó cada comprobación, para
# saber si el notebook se ejecutó en orden y entero.
_RUN_ORDER: dict[str, int] = {}
_FALLBACK_COUNT = [0]


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


class _Unmet(Exception):
    """Una condición de ``expect`` no se cumple (interno: ``check`` la convierte en
    :class:`CheckFailed`). No hereda de ``AssertionError`` a propósito: con ``python -O``
    los ``assert`` desaparecen, y esta comprobación no debe depender de ellos."""


def expect(condition: Any, hint: str) -> None:
    """Si ``condition`` es falsa, la comprobación falla con ``hint`` como pista.

    Sustituye a ``assert condition, hint`` en las comprobaciones: un ``assert`` desaparece
    con ``python -O`` y la comprobación aceptaría cualquier respuesta.
    """
    if not condition:
        raise _Unmet(hint)


def fail(hint: str) -> None:
    """Hace fallar la comprobación con ``hint`` como pista (siempre)."""
    raise _Unmet(hint)


def register(exercise_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Registra una comprobación: una función que devuelve un texto de éxito o falla con
    :func:`expect`/:func:`fail` (o lanza ``AssertionError`` de forma explícita)."""

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
    _RUN_ORDER[exercise_id] = _execution_count()
    try:
        message = _REGISTRY[exercise_id](**answers)
    except (_Unmet, AssertionError) as failure:
        _RESULTS[exercise_id] = ("fallo", str(failure))
        raise CheckFailed(exercise_id, str(failure)) from None
    except CourseError:
        raise  # ExerciseNotDone (ejercicio sin escribir) y los errores del curso, tal cual
    except Exception as error:
        hint = _student_error_hint(error, answers)
        if hint is None:
            raise
        _RESULTS[exercise_id] = ("fallo", hint)
        raise CheckFailed(exercise_id, hint) from None
    _RESULTS[exercise_id] = ("hecho", "")
    if verbose:
        print(f"✅ Ejercicio «{exercise_id}»: ¡correcto! {message}".rstrip())
    return True


def lab_exercises(lab: str | int) -> list[str]:
    """Identificadores de los ejercicios de un lab (``"02"`` o ``2``), en orden de registro."""
    _load_lab_checks()
    prefix = f"{int(lab):02d}-" if str(lab).isdigit() else f"{lab}-"
    return [exercise_id for exercise_id in _REGISTRY if exercise_id.startswith(prefix)]


def resumen(lab: str | int) -> list[tuple[str, str, str]]:
    """Muestra una tabla con los ejercicios del lab: hecho, con fallo o pendiente.

    Se basa en lo que ``check`` comprobó en este kernel, con las entradas públicas: la nota
    usa otras (pruebas ocultas). Avisa si las comprobaciones se ejecutaron fuera de orden o si
    faltan algunas anteriores a otras que sí se ejecutaron (kernel reiniciado a mitad).
    Devuelve las filas (id, estado, pista).
    """
    exercises = lab_exercises(lab)
    if not exercises:
        raise CourseError(f"El lab {lab!r} no tiene ejercicios con comprobación.")
    marks = {"hecho": "✅ hecho", "fallo": "❌ con fallo", "pendiente": "⏳ pendiente"}
    rows = []
    for exercise_id in exercises:
        state, hint = _RESULTS.get(exercise_id, ("pendiente", ""))
        rows.append((exercise_id, state, hint))
    width = max(len(e) for e in exercises)
    print(f"{'ejercicio'.ljust(width)}  estado")
    for exercise_id, state, hint in rows:
        line = f"{exercise_id.ljust(width)}  {marks[state]}"
        print(line + (f": {hint}" if hint else ""))
    done = sum(state == "hecho" for _, state, _ in rows)
    print(f"\n{done} de {len(rows)} ejercicios pasan la comprobación pública.", end=" ")
    if done == len(rows):
        print(
            "La nota se calcula con otras entradas (pruebas ocultas) sobre el notebook "
            "ejecutado de arriba abajo: que estas comprobaciones pasen no garantiza la nota."
        )
    else:
        print("Resuelve los pendientes y vuelve a ejecutar su celda de comprobación.")
    for warning in run_warnings(exercises):
        print(f"⚠️  {warning}")
    return rows


def _execution_count() -> int:
    """Número de la celda en ejecución (``In [n]``) en IPython; fuera, un contador propio."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and getattr(shell, "execution_count", None) is not None:
        return int(shell.execution_count)
    _FALLBACK_COUNT[0] += 1
    return _FALLBACK_COUNT[0]


def run_warnings(exercises: list[str]) -> list[str]:
    """Avisos sobre cómo se ejecutó el notebook: comprobaciones que no se ejecutaron en esta
    sesión antes de otras que sí (¿reinicio del kernel o celdas saltadas?) y comprobaciones
    ejecutadas en otro orden que el del notebook."""
    warnings = []
    ran = [e for e in exercises if e in _RUN_ORDER]
    missing = (
        [e for e in exercises[: exercises.index(ran[-1])] if e not in _RUN_ORDER] if ran else []
    )
    if missing:
        warnings.append(
            f"La comprobación de {', '.join(missing)} no se ejecutó en esta sesión del kernel, "
            "pero otras posteriores sí: ¿reiniciaste el kernel a mitad o saltaste celdas? Antes "
            "de entregar, usa «Reiniciar y ejecutar todo» (Kernel → Restart & Run All)."
        )
    for earlier, later in itertools.pairwise(ran):
        if _RUN_ORDER[earlier] > _RUN_ORDER[later]:
            warnings.append(
                f"Las celdas no se ejecutaron en el orden del notebook: la comprobación de "
                f"{earlier} se ejecutó después que la de {later}. El corrector lo ejecuta de "
                "arriba abajo: comprueba que así también funciona (Restart & Run All)."
            )
            break
    return warnings


def _library_dirs() -> tuple[str, ...]:
    """Carpetas de código que no es del estudiante: coursekit, la biblioteca estándar y los
    paquetes instalados."""
    import os
    import sysconfig

    folders = {os.path.dirname(os.path.abspath(__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            folders.add(os.path.abspath(path))
    return tuple(folder + os.sep for folder in folders)


def _student_frame(error: BaseException):
    """El último marco de la traza que está en código del estudiante (una celda del notebook
    o un archivo suyo), o ``None`` si la excepción no pasó por su código."""
    import os
    import traceback

    library = _library_dirs()
    student = None
    for frame in traceback.extract_tb(error.__traceback__):
        filename = frame.filename
        if filename.startswith("<frozen") or os.path.abspath(filename).startswith(library):
            continue
        student = frame
    return student


# La F1 sin average: scikit-learn (y la métrica f1 de evaluate, y la del curso) usan 'binary'.
_AVERAGE_HINT = (
    " La métrica f1 usa average='binary' si no le dices otra cosa, y eso solo vale con dos "
    "clases: ¿qué average quieres?"
)


def _is_missing_average(error: BaseException) -> bool:
    return isinstance(error, ValueError) and "average='binary'" in str(error)


def _student_error_hint(error: BaseException, answers: dict[str, Any]) -> str | None:
    """La pista cuando la comprobación falla por una excepción: si salió del código del
    estudiante, es suya («tu función lanzó ...»); si su función no acepta los argumentos con
    que se la llama, es la firma. ``None`` si no tiene que ver con su código."""
    name = type(error).__name__
    frame = _student_frame(error)
    if frame is not None:
        where = f"línea {frame.lineno} de tu celda" if frame.lineno else "tu código"
        function = f"{frame.name}" if frame.name not in ("<module>", "<lambda>") else "tu código"
        return (
            f"tu función {function} lanzó {name}: {error} ({where}). El error es de tu "
            "código, no de la comprobación: pruébala sola con un ejemplo pequeño."
            + (_AVERAGE_HINT if _is_missing_average(error) else "")
        )
    if isinstance(error, TypeError):
        for value in answers.values():
            function = getattr(value, "__name__", None)
            if callable(value) and function and f"{function}()" in str(error):
                return (
                    f"tu función {function} no tiene la firma que se pide ({error}). "
                    "Deja la línea def tal como venía en el enunciado y cambia solo el cuerpo."
                )
        return f"la comprobación no recibió lo que esperaba ({error})."
    return None
