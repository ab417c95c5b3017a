"""Comprobaciones del lab 01: preparar los datos."""

from __future__ import annotations

from coursekit.checks import expect, fail, register


def _long_text(texts: list[str], limit: int) -> str:
    """Un texto con más de ``limit`` palabras (y, por tanto, más de ``limit`` tokens) hecho con
    las palabras de ``texts``: así la comprobación siempre ve un texto que hay que truncar,
    aunque los del notebook sean cortos. Sin llamar al tokenizador (avisaría del exceso)."""
    words = " ".join(texts).split() or ["reseña"]
    return " ".join(words * (limit // len(words) + 2))


@register("01-tokenizar")
def _check_tokenize_function(tokenize_function, tokenizer, max_length, texts) -> str:
    # Los textos del notebook, uno muy corto y uno más largo que max_length y que el máximo
    # del modelo (sin eso, una función que no trunca pasaría con reseñas cortas).
    model_limit = min(int(getattr(tokenizer, "model_max_length", max_length)), 4096)
    texts = [str(text) for text in texts]
    texts = [*texts, _long_text(texts, max(max_length, model_limit) + 8), "Ok."]
    expect(callable(tokenize_function), "tokenize_function tiene que ser una función.")
    result = tokenize_function({"text": texts})
    expect(result is not None, "tu función no devuelve nada: falta el `return`.")
    keys = set(result.keys()) if hasattr(result, "keys") else set()
    expect(
        {"input_ids", "attention_mask"} <= keys,
        "el resultado debe tener input_ids y attention_mask (el modelo necesita las dos): "
        "devuelve el resultado completo del tokenizador, no solo una parte.",
    )
    rows = list(result["input_ids"])
    if len(rows) != len(texts) or not all(hasattr(row, "__len__") for row in rows):
        fail(
            f"le pasamos un lote de {len(texts)} textos y devuelve {len(rows)} filas de ids: "
            "tokeniza la lista entera batch['text'] (un resultado por texto del lote)."
        )
    lengths = [len(ids) for ids in rows]
    if max(lengths) > max_length:
        where = (
            "el máximo del modelo, no el de profile.max_length"
            if max(lengths) == model_limit
            else "sin cortar"
        )
        fail(
            f"un texto largo sale con {max(lengths)} tokens ({where}) y el límite es "
            f"{max_length}: el tokenizador puede cortar (truncation) los textos que pasan de "
            "max_length; busca esos dos argumentos en su documentación."
        )
    if len(set(lengths)) == 1:
        fail(
            f"todos los textos miden lo mismo ({lengths[0]} tokens), también «Ok.»: estás "
            "rellenando (padding) al tokenizar. Aquí no: el relleno lo pondrá el collator en "
            "cada lote, solo hasta el texto más largo de ese lote."
        )
    expected = tokenizer(texts, truncation=True, max_length=max_length)
    expect(
        [list(row) for row in rows] == list(expected["input_ids"]),
        "los input_ids no coinciden con los del tokenizador del modelo: usa `tokenizer`, "
        "el del notebook, sin cambiar el texto.",
    )
    return (
        f"{len(texts)} textos (uno de más de {max_length} tokens) tokenizados sin relleno, "
        f"entre {min(lengths)} y {max(lengths)} tokens."
    )


def _sample_split():
    """Una partición pequeña con textos distintos: con ella un muestreo con repetición o que
    toma las primeras filas se nota siempre."""
    from datasets import Dataset

    size = 40
    return Dataset.from_dict(
        {
            "text": [f"reseña de prueba {i}" for i in range(size)],
            "label": [i % 3 for i in range(size)],
        }
    )


def _texts(subset) -> list[str]:
    from datasets import Dataset

    if not isinstance(subset, Dataset):
        fail(
            f"tu función devuelve {type(subset).__name__} y debería devolver un Dataset de "
            "🤗 Datasets (con todas sus columnas), como la partición que recibe."
        )
    return [str(text) for text in subset["text"]]


@register("01-subconjunto-aleatorio")
def _check_random_subset(take_random_subset, dataset, size, seed) -> str:
    expect(callable(take_random_subset), "take_random_subset tiene que ser una función.")
    split, small = _sample_split(), 15
    first = _texts(take_random_subset(split, small, seed))
    if len(first) != small:
        fail(f"con size={small} devuelve {len(first)} ejemplos: deben ser exactamente size.")
    if len(set(first)) != len(first) or not set(first) <= set(split["text"]):
        fail(
            "hay ejemplos repetidos: el subconjunto debe elegir filas distintas de la partición "
            "(una muestra sin repetición, sin reemplazo)."
        )
    if first == list(split["text"][:small]) or first == list(split["text"][-small:]):
        fail(
            "son las primeras (o las últimas) filas de la partición, no una muestra al azar: "
            "si la partición viene ordenada (por clase, por fecha...), el subconjunto también. "
            "Hay que barajar antes de elegir."
        )
    again = _texts(take_random_subset(split, small, seed))
    if again != first:
        fail(
            "dos llamadas con la misma semilla dan subconjuntos distintos: no es reproducible. "
            "Usa la semilla (seed) que recibe la función al barajar o al elegir."
        )
    other = _texts(take_random_subset(split, small, seed + 1))
    if other == first:
        fail(
            "con otra semilla sale el mismo subconjunto: tu función no usa el argumento seed "
            "(¿una semilla escrita a mano?)."
        )
    subset = take_random_subset(dataset, size, seed)
    if len(_texts(subset)) != size:
        fail(f"con la partición del lab devuelve {len(subset)} ejemplos y debería dar {size}.")
    return "al azar, sin repetir y reproducible con la semilla."


@register("01-tokens-por-batch")
def _check_tokens_per_batch(batch, dynamic_positions, max_length_positions, max_length) -> str:
    rows, columns = batch["input_ids"].shape
    real_tokens = int(batch["attention_mask"].sum()) if "attention_mask" in batch else -1
    dynamic, padded = float(dynamic_positions), float(max_length_positions)
    if dynamic == real_tokens and real_tokens != rows * columns:
        fail(
            "has contado solo los tokens reales (los 1 de attention_mask); el modelo procesa "
            "también el relleno: cuenta todas las posiciones del tensor del lote."
        )
    expect(
        dynamic == rows * columns,
        "las posiciones de un lote son filas × columnas del tensor de ids: mira su forma "
        "(cuántos textos y cuánto mide el más largo, ya con el relleno dinámico).",
    )
    expect(
        padded == rows * max_length,
        f"con padding='max_length' y max_length={max_length}, cada una de las varias filas del "
        f"lote mide {max_length} posiciones, tengan los textos la longitud que tengan "
        "(ni una sola fila ni el max_length del perfil).",
    )
    ratio = padded / dynamic
    return f"Con relleno dinámico este lote procesa {ratio:.1f} veces menos posiciones."
