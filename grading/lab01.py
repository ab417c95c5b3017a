"""Pruebas ocultas del lab 01 (preparar los datos). Ver coursekit/grading/hidden.py.

Las sondas (``probe_*``) se envían al kernel del estudiante: solo llaman a su código y
devuelven datos. Los jueces (``judge_*``) corren fuera y comparan con la referencia del
perfil ``ci`` (el que usa el corrector).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from coursekit.grading.hidden import HiddenTest, LabTests
from coursekit.profiles import get_profile

PADDED_LENGTH = 512  # el max_length del ejercicio 3 (relleno del tutorial original)


def hidden_texts() -> list[str]:
    """Textos nuevos para la tokenización: corto, vacío, con tildes y uno larguísimo."""
    return [
        "Bueno.",
        "",
        "Una película estupenda: la música, la fotografía y el reparto están a la altura.",
        " ".join(["una reseña que no se acaba nunca"] * 120),
        "Meh",
    ]


def probe_tokenize(ns):
    result = ns["tokenize_function"]({"text": hidden_texts()})
    keys = sorted(result.keys()) if hasattr(result, "keys") else []
    ids = [list(map(int, row)) for row in result["input_ids"]] if "input_ids" in keys else None
    return {"keys": keys, "input_ids": ids}


@lru_cache(maxsize=1)
def _tokenizer():
    from coursekit.models import load_tokenizer

    return load_tokenizer("ci")


def judge_tokenize(seen) -> dict:
    max_length = get_profile("ci").max_length
    expected = _tokenizer()(hidden_texts(), truncation=True, max_length=max_length)["input_ids"]
    ids = seen["input_ids"]
    has_keys = {"input_ids", "attention_mask"} <= set(seen["keys"])
    lengths = [len(row) for row in ids or []]
    return {
        "devuelve input_ids y attention_mask": None
        if has_keys
        else "devuelve lo que da el tokenizador (un diccionario con input_ids y attention_mask).",
        "trunca sin rellenar": None
        if ids and max(lengths) <= max_length and len(set(lengths)) > 1
        else "con textos de otras longitudes, los ids deben cortarse en max_length y no "
        "rellenarse: el relleno lo hace el collator.",
        "mismos ids que el tokenizador": None
        if ids == [list(row) for row in expected]
        else "con textos nuevos (vacío, con tildes, muy largo) tus ids no coinciden con los "
        "del tokenizador del modelo.",
    }


def probe_subset(ns):
    import hashlib

    subset = ns["random_subset"]
    texts = list(subset["text"])
    return {"size": len(texts), "digest": hashlib.sha256("\x1f".join(texts).encode()).hexdigest()}


@lru_cache(maxsize=1)
def _expected_subset_digest() -> tuple[int, str]:
    from coursekit.data import load_course_dataset

    profile = get_profile("ci")
    train = load_course_dataset(profile)["train"]
    texts = list(train.shuffle(seed=profile.seed).select(range(profile.train_size))["text"])
    return len(texts), hashlib.sha256("\x1f".join(texts).encode()).hexdigest()


def judge_subset(seen) -> dict:
    size, digest = _expected_subset_digest()
    return {
        "tamaño": None
        if seen["size"] == size
        else "el subconjunto no tiene profile.train_size ejemplos.",
        "barajado con la semilla": None
        if seen["digest"] == digest
        else "no son los ejemplos esperados: baraja con la semilla del perfil y luego selecciona.",
    }


def probe_positions(ns):
    rows, columns = (int(n) for n in ns["batch"]["input_ids"].shape)
    return {
        "rows": rows,
        "columns": columns,
        "dynamic": float(ns["dynamic_positions"]),
        "padded": float(ns["max_length_positions"]),
    }


def judge_positions(seen) -> dict:
    rows, columns = seen["rows"], seen["columns"]
    return {
        "posiciones dinámicas": None
        if seen["dynamic"] == rows * columns
        else "las posiciones del batch dinámico no cuadran con la forma del tensor.",
        "posiciones con max_length": None
        if seen["padded"] == rows * PADDED_LENGTH
        else "con padding='max_length' cada fila del batch mide lo mismo: revisa la cuenta.",
    }


LAB_TESTS = LabTests(
    lab="01",
    # La medida de tiempos del relleno (forward del modelo tres veces) solo se muestra.
    skip_cells=(r"compare_padding\(", r"plot_padding_comparison\("),
    keep_names=(
        "tokenize_function",
        "random_subset",
        "batch",
        "dynamic_positions",
        "max_length_positions",
    ),
    tests=(
        HiddenTest(
            "01-tokenizar",
            parts={
                "devuelve input_ids y attention_mask": 1,
                "trunca sin rellenar": 1,
                "mismos ids que el tokenizador": 1,
            },
            probe=probe_tokenize,
            judge=judge_tokenize,
            helpers=(hidden_texts,),
        ),
        HiddenTest(
            "01-subconjunto-aleatorio",
            parts={"tamaño": 1, "barajado con la semilla": 1},
            probe=probe_subset,
            judge=judge_subset,
        ),
        HiddenTest(
            "01-tokens-por-batch",
            parts={"posiciones dinámicas": 1, "posiciones con max_length": 1},
            probe=probe_positions,
            judge=judge_positions,
        ),
    ),
)
