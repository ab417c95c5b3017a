"""Comprobaciones del lab 01: preparar los datos."""

from __future__ import annotations

from coursekit.checks import expect, fail, register


@register("01-tokenizar")
def _check_tokenize_function(tokenize_function, tokenizer, max_length, texts) -> str:
    texts = list(texts)
    expect(callable(tokenize_function), "tokenize_function tiene que ser una función.")
    result = tokenize_function({"text": texts})
    expect(result is not None, "tu función no devuelve nada: falta el `return`.")
    keys = set(result.keys()) if hasattr(result, "keys") else set()
    expect(
        {"input_ids", "attention_mask"} <= keys,
        "el resultado debe tener input_ids y attention_mask: devuelve lo que da el tokenizador.",
    )
    lengths = [len(ids) for ids in result["input_ids"]]
    if not (max(lengths) <= max_length):
        fail(
            f"hay textos de {max(lengths)} tokens y el máximo es {max_length}: "
            "usa truncation=True y max_length."
        )
    expect(
        len(set(lengths)) > 1 or len(texts) == 1,
        "todos los textos tienen la misma longitud: ¿rellenas con padding='max_length'? "
        "Aquí no rellenes: el relleno lo hará el collator en cada lote.",
    )
    expected = tokenizer(texts, truncation=True, max_length=max_length)
    expect(
        list(result["input_ids"]) == list(expected["input_ids"]),
        "los input_ids no coinciden con los del tokenizador del modelo.",
    )
    return (
        f"{len(texts)} textos tokenizados sin relleno, "
        f"entre {min(lengths)} y {max(lengths)} tokens."
    )


@register("01-subconjunto-aleatorio")
def _check_random_subset(subset, dataset, size, seed) -> str:
    expect(subset is not None, "subset es None: asigna el resultado a la variable.")
    if len(subset) != size:
        fail(f"el subconjunto tiene {len(subset)} ejemplos y debería tener {size}.")
    expected = dataset.shuffle(seed=seed).select(range(size))
    expect(
        list(subset["text"]) == list(expected["text"]),
        "no es el subconjunto esperado: baraja con .shuffle(seed=seed) "
        "y luego .select(range(size)).",
    )
    return (
        "Mira el conteo por clase de abajo: "
        "un subconjunto aleatorio no tiene por qué estar equilibrado."
    )


@register("01-tokens-por-batch")
def _check_tokens_per_batch(batch, dynamic_positions, max_length_positions, max_length) -> str:
    rows, columns = batch["input_ids"].shape
    expect(
        int(dynamic_positions) == rows * columns,
        "las posiciones del lote dinámico son filas × columnas de batch['input_ids'] "
        "(mira .shape o .numel()).",
    )
    expect(
        int(max_length_positions) == rows * max_length,
        "con padding='max_length' cada fila mide max_length: son filas × max_length.",
    )
    ratio = max_length_positions / dynamic_positions
    return f"Con relleno dinámico este lote procesa {ratio:.1f} veces menos posiciones."
