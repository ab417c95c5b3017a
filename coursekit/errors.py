"""Errores del curso: mensajes en español que dicen qué pasó y qué hacer."""

from __future__ import annotations


class CourseError(ValueError):
    """Error de uso del curso con un mensaje en español pensado para el estudiante.

    Hereda de ``ValueError`` para que el código que ya captura ``ValueError`` siga
    funcionando. En Jupyter se muestra sin el traceback completo: solo el mensaje.
    """

    def _render_traceback_(self) -> list[str]:  # usado por IPython
        return [f"❌ {type(self).__name__}: {self}"]


class MissingPackageError(CourseError, ImportError):
    """Falta un paquete opcional; el mensaje dice cuál instalar."""


class MissingPathError(CourseError, FileNotFoundError):
    """Falta un archivo o carpeta que el curso necesita."""
