"""Validar lo que devuelve una sonda antes de que un juez lo use.

Las sondas corren en el kernel del estudiante, así que lo que devuelven es suyo: un notebook
puede parchear la función que llama la sonda y devolver ``r=10**7`` (el juez del lab 05
construiría un ``LoraConfig`` de decenas de GB en el proceso del corrector), una lista de cien
millones de elementos o ``NaN`` (``abs(nan - x) > tol`` es falso: una comprobación escrita así
lo daría por bueno). Cada prueba oculta declara la forma de sus datos con estas piezas
(tipos, rangos y tamaños) y :func:`validate` la comprueba; si no encaja, el ejercicio vale 0
con el motivo «datos de la sonda no válidos: ...», sin llegar al juez.

Los mensajes describen el problema (tipo, tamaño, rango), nunca repiten textos de la entrega.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INVALID_PREFIX = "datos de la sonda no válidos"
MAX_TEXT = 1000
MAX_ITEMS = 10_000
BIG = 10**15  # entero más grande que admite Integer() por defecto

__all__ = [
    "AnyOf",
    "Flag",
    "Integer",
    "InvalidProbeData",
    "ListOf",
    "Nullable",
    "Number",
    "Record",
    "Scalar",
    "Spec",
    "Table",
    "Text",
    "validate",
]


class InvalidProbeData(ValueError):
    """Lo que devolvió la sonda no tiene la forma declarada; el mensaje dice dónde y por qué."""


def _type_name(value: Any) -> str:
    names = {bool: "booleano", int: "entero", float: "número", str: "texto", list: "lista"}
    if value is None:
        return "nada (None)"
    if isinstance(value, Mapping):
        return "diccionario"
    return names.get(type(value), type(value).__name__)


def _fail(where: str, message: str) -> None:
    raise InvalidProbeData(f"«{where or 'valor'}»: {message}")


class Spec:
    """Forma esperada de un valor."""

    def check(self, value: Any, where: str) -> None:  # pragma: no cover - interfaz
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Spec):
    """Un número (entero o decimal, nunca booleano) en ``[low, high]``; finito salvo que
    ``finite=False`` (para datos que el juez solo compara con ``<=``)."""

    low: float = -BIG
    high: float = BIG
    finite: bool = True

    def check(self, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(where, f"se esperaba un número y llegó {_type_name(value)}.")
        if isinstance(value, float) and not math.isfinite(value):
            if self.finite:
                _fail(where, f"el número no es finito ({value}).")
            return
        if not self.low <= value <= self.high:
            _fail(where, f"el número está fuera del rango [{self.low:g}, {self.high:g}].")


@dataclass(frozen=True)
class Integer(Spec):
    """Un entero (nunca booleano) en ``[low, high]``."""

    low: int = -BIG
    high: int = BIG

    def check(self, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(where, f"se esperaba un entero y llegó {_type_name(value)}.")
        if not self.low <= value <= self.high:
            _fail(where, f"el entero está fuera del rango [{self.low}, {self.high}].")


@dataclass(frozen=True)
class Text(Spec):
    """Un texto de hasta ``max_length`` caracteres."""

    max_length: int = MAX_TEXT

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, str):
            _fail(where, f"se esperaba un texto y llegó {_type_name(value)}.")
        if len(value) > self.max_length:
            _fail(where, f"texto de {len(value)} caracteres (máximo {self.max_length}).")


@dataclass(frozen=True)
class Flag(Spec):
    """``True`` o ``False``."""

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, bool):
            _fail(where, f"se esperaba verdadero o falso y llegó {_type_name(value)}.")


@dataclass(frozen=True)
class AnyOf(Spec):
    """Vale si encaja con alguna de ``options``."""

    options: tuple[Spec, ...]

    def check(self, value: Any, where: str) -> None:
        errors = []
        for option in self.options:
            try:
                option.check(value, where)
                return
            except InvalidProbeData as error:
                errors.append(str(error))
        _fail(where, f"no tiene ninguna de las formas esperadas ({errors[0]}).")


def Nullable(spec: Spec) -> Spec:  # nombre en mayúscula: se usa como las demás piezas
    """``spec`` o ``None``."""
    return AnyOf((spec, _NONE))


@dataclass(frozen=True)
class _Null(Spec):
    def check(self, value: Any, where: str) -> None:
        if value is not None:
            _fail(where, f"se esperaba None y llegó {_type_name(value)}.")


_NONE = _Null()


def Scalar(max_length: int = 200) -> Spec:
    """Un valor suelto de cualquier tipo simple (número, texto corto, booleano o None): para
    respuestas cuyo tipo también juzga el juez."""
    return AnyOf((Number(finite=False), Text(max_length), Flag(), _NONE))


@dataclass(frozen=True)
class ListOf(Spec):
    """Una lista de entre ``min_length`` y ``max_length`` elementos, cada uno como ``item``."""

    item: Spec
    max_length: int = MAX_ITEMS
    min_length: int = 0

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, list):
            _fail(where, f"se esperaba una lista y llegó {_type_name(value)}.")
        if not self.min_length <= len(value) <= self.max_length:
            _fail(
                where,
                f"lista de {len(value)} elementos (se esperaban entre {self.min_length} y "
                f"{self.max_length}).",
            )
        for index, item in enumerate(value):
            self.item.check(item, f"{where}[{index}]")


@dataclass(frozen=True)
class Record(Spec):
    """Un diccionario con exactamente las claves de ``fields`` (las de ``optional`` pueden
    faltar); ninguna otra."""

    fields: dict[str, Spec]
    optional: dict[str, Spec] = field(default_factory=dict)

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            _fail(where, f"se esperaba un diccionario y llegó {_type_name(value)}.")
        known = {**self.fields, **self.optional}
        unexpected = [key for key in value if key not in known]
        if unexpected:
            _fail(where, f"trae {len(unexpected)} claves que la sonda no devuelve.")
        for key, spec in known.items():
            if key in value:
                spec.check(value[key], f"{where}.{key}" if where else key)
            elif key in self.fields:
                _fail(where, f"falta la clave {key!r}.")


@dataclass(frozen=True)
class Table(Spec):
    """Un diccionario de hasta ``max_length`` claves de texto con valores como ``value``."""

    value: Spec
    max_length: int = 100

    def check(self, value: Any, where: str) -> None:
        if not isinstance(value, Mapping):
            _fail(where, f"se esperaba un diccionario y llegó {_type_name(value)}.")
        if len(value) > self.max_length:
            _fail(where, f"diccionario de {len(value)} claves (máximo {self.max_length}).")
        for index, (key, item) in enumerate(value.items()):  # sin repetir sus claves
            Text(200).check(key, f"{where}: clave {index + 1}")
            self.value.check(item, f"{where}: valor {index + 1}")


def validate(spec: Spec | None, value: Any) -> None:
    """Comprueba ``value`` contra ``spec`` (sin ``spec``, no comprueba nada); lanza
    :class:`InvalidProbeData` con el primer problema."""
    if spec is not None:
        spec.check(value, "")
