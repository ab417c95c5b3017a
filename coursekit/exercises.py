"""Marcador de ejercicios sin resolver en los notebooks del estudiante.

Los notebooks de ``notebooks/`` se generan a partir de las soluciones y, donde
había una solución, dejan una línea ``from coursekit.exercises import todo; todo("ej1")``.
Al ejecutar esa celda sin haber escrito el código se lanza :class:`ExerciseNotDone`,
que en Jupyter se muestra como un aviso corto y amable, sin traceback.
"""

from __future__ import annotations

from coursekit.errors import CourseError

__all__ = ["ExerciseNotDone", "todo"]


class ExerciseNotDone(CourseError):
    """Se lanzó el marcador de un ejercicio que todavía no está resuelto."""

    def __init__(self, exercise_id: str) -> None:
        self.exercise_id = exercise_id
        super().__init__(
            f"✏️ Ejercicio «{exercise_id}» sin resolver: en la celda del ejercicio (donde dice "
            "«TU CÓDIGO AQUÍ»), sustituye la línea todo(...) por tu código y vuelve a ejecutarla."
        )

    def __reduce__(self):  # para que se pueda serializar (pickle) con un solo argumento
        return (type(self), (self.exercise_id,))

    def _render_traceback_(self) -> list[str]:  # usado por IPython
        return [str(self)]


def todo(exercise_id: str) -> None:
    """Marca un ejercicio pendiente: siempre lanza :class:`ExerciseNotDone`.

    Sustituye esta llamada por tu propio código. Mientras siga ahí, ejecutar la
    celda muestra un aviso con el identificador del ejercicio (``exercise_id``).
    """
    raise ExerciseNotDone(exercise_id)
