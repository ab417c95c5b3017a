"""Comprobación de ejercicios: ``check("01-tokenizar", ...)`` da una respuesta en español.

Las comprobaciones viven en el paquete (no junto al notebook) para que funcionen en Colab
cuando el estudiante abre solo el notebook. El corrector del instructor reutiliza este mismo
registro.
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


def available_checks() -> list[str]:
    """Identificadores de los ejercicios que tienen comprobación."""
    return sorted(_REGISTRY)


def check(exercise_id: str, verbose: bool = True, **answers: Any) -> bool:
    """Comprueba la respuesta de un ejercicio; imprime ✅ o lanza ``CheckFailed`` con una pista."""
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


# --- Lab 01: preparar los datos -------------------------------------------------------------


@register("01-tokenizar")
def _check_tokenize_function(tokenize_function, tokenizer, max_length, texts) -> str:
    texts = list(texts)
    assert callable(tokenize_function), "tokenize_function tiene que ser una función."
    result = tokenize_function({"text": texts})
    assert result is not None, "tu función no devuelve nada: falta el `return`."
    keys = set(result.keys()) if hasattr(result, "keys") else set()
    assert {"input_ids", "attention_mask"} <= keys, (
        "el resultado debe tener input_ids y attention_mask: devuelve lo que da el tokenizador."
    )
    lengths = [len(ids) for ids in result["input_ids"]]
    assert max(lengths) <= max_length, (
        f"hay textos de {max(lengths)} tokens y el máximo es {max_length}: "
        "usa truncation=True y max_length."
    )
    assert len(set(lengths)) > 1 or len(texts) == 1, (
        "todos los textos tienen la misma longitud: ¿rellenas con padding='max_length'? "
        "Aquí no rellenes: el relleno lo hará el collator en cada batch."
    )
    expected = tokenizer(texts, truncation=True, max_length=max_length)
    assert list(result["input_ids"]) == list(expected["input_ids"]), (
        "los input_ids no coinciden con los del tokenizador del modelo."
    )
    return (
        f"{len(texts)} textos tokenizados sin relleno, "
        f"entre {min(lengths)} y {max(lengths)} tokens."
    )


@register("01-subconjunto-aleatorio")
def _check_random_subset(subset, dataset, size, seed) -> str:
    assert subset is not None, "subset es None: asigna el resultado a la variable."
    assert len(subset) == size, (
        f"el subconjunto tiene {len(subset)} ejemplos y debería tener {size}."
    )
    expected = dataset.shuffle(seed=seed).select(range(size))
    assert list(subset["text"]) == list(expected["text"]), (
        "no es el subconjunto esperado: baraja con .shuffle(seed=seed) "
        "y luego .select(range(size))."
    )
    return (
        "Mira el conteo por clase de abajo: "
        "un subconjunto aleatorio no tiene por qué estar equilibrado."
    )


@register("01-tokens-por-batch")
def _check_tokens_per_batch(batch, dynamic_positions, max_length_positions, max_length) -> str:
    rows, columns = batch["input_ids"].shape
    assert int(dynamic_positions) == rows * columns, (
        "las posiciones del batch dinámico son filas × columnas de batch['input_ids'] "
        "(mira .shape o .numel())."
    )
    assert int(max_length_positions) == rows * max_length, (
        "con padding='max_length' cada fila mide max_length: son filas × max_length."
    )
    ratio = max_length_positions / dynamic_positions
    return f"Con relleno dinámico este batch procesa {ratio:.1f} veces menos posiciones."
