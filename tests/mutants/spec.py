"""Qué es una variante de respuesta."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """Una respuesta a un ejercicio que sustituye la región ``BEGIN/END SOLUTION``.

    ``code`` se escribe sin sangría: el ejecutor le pone la de la región (por ejemplo, dentro
    de ``def train_step``). ``mistake`` describe en español la idea equivocada; vacío, la
    variante es una respuesta correcta escrita de otra forma y la comprobación debe aceptarla.
    ``hint`` es un fragmento que la pista de la comprobación debe contener (sin mayúsculas).
    """

    exercise: str
    name: str
    code: str
    mistake: str = ""
    hint: str = ""

    @property
    def correct(self) -> bool:
        return not self.mistake

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"


def mistake(exercise: str, name: str, code: str, description: str, hint: str = "") -> Variant:
    """Un error plausible: la comprobación debe rechazarlo con una pista."""
    if not description:
        raise ValueError("un mutante necesita la descripción del error")
    return Variant(exercise, name, code, description, hint)


def alternative(exercise: str, name: str, code: str) -> Variant:
    """Una respuesta correcta distinta de la solución: la comprobación debe aceptarla."""
    return Variant(exercise, name, code)
