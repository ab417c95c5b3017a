"""Pruebas ocultas del lab 01 (preparar los datos). Ver coursekit/instructor/grading/hidden.py.

Las sondas (``probe_*``) se envían al kernel del estudiante: solo llaman a su código y
devuelven datos. Los jueces (``judge_*``) corren fuera y comparan con la referencia del
perfil ``ci`` (el que usa el corrector).
"""

from __future__ import annotations

from functools import lru_cache

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import Integer, ListOf, Nullable, Number, Record, Text
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


TOKENIZE_SCHEMA = Record(
    {
        "keys": ListOf(Text(200), max_length=100),
        "input_ids": Nullable(ListOf(ListOf(Integer(), max_length=10_000), max_length=100)),
    }
)


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


def hidden_split_texts() -> list[str]:
    """La partición oculta del ejercicio 2: textos distintos, ordenados (como una partición
    ordenada por clase), de otro tamaño que la de la comprobación pública."""
    return [f"opinión número {i:02d}" for i in range(50)]


def probe_subset(ns):
    from datasets import Dataset

    texts = hidden_split_texts()
    split = Dataset.from_dict({"text": texts, "label": [i // 10 for i in range(len(texts))]})

    def sample(size, seed):
        subset = ns["take_random_subset"](split, size, seed)
        return {"type": type(subset).__name__, "texts": [str(t) for t in subset["text"]]}

    return {"first": sample(20, 7), "again": sample(20, 7), "other": sample(20, 8)}


_SAMPLE = Record({"type": Text(200), "texts": ListOf(Text(1000), max_length=1000)})
SUBSET_SCHEMA = Record({"first": _SAMPLE, "again": _SAMPLE, "other": _SAMPLE})


def judge_subset(seen) -> dict:
    texts = hidden_split_texts()
    first, again, other = seen["first"], seen["again"], seen["other"]
    chosen = first["texts"]
    valid = first["type"] == "Dataset" and len(chosen) == 20
    return {
        "tamaño y sin repetir": None
        if valid and len(set(chosen)) == 20 and set(chosen) <= set(texts)
        else "con otra partición, el subconjunto no es un Dataset de size ejemplos distintos.",
        "al azar": None
        if valid and chosen not in (texts[:20], texts[-20:])
        else "con una partición ordenada, el subconjunto son sus primeras (o últimas) filas: "
        "no es una muestra al azar.",
        "reproducible con la semilla": None
        if valid and again["texts"] == chosen and other["texts"] != chosen
        else "la misma semilla no da el mismo subconjunto, u otra semilla no cambia nada.",
    }


def probe_positions(ns):
    rows, columns = (int(n) for n in ns["batch"]["input_ids"].shape)
    return {
        "rows": rows,
        "columns": columns,
        "dynamic": float(ns["dynamic_positions"]),
        "padded": float(ns["max_length_positions"]),
    }


POSITIONS_SCHEMA = Record(
    {
        "rows": Integer(0, 10**9),
        "columns": Integer(0, 10**9),
        "dynamic": Number(),
        "padded": Number(),
    }
)


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
    # La medida de tiempos del relleno (forward del modelo tres veces) y la evaluación final en
    # test (otro forward) solo se muestran.
    skip_cells=(r"compare_padding\(", r"plot_padding_comparison\(", r"text_logits\("),
    keep_names=(
        "tokenize_function",
        "take_random_subset",
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
            schema=TOKENIZE_SCHEMA,
        ),
        HiddenTest(
            "01-subconjunto-aleatorio",
            parts={"tamaño y sin repetir": 1, "al azar": 1, "reproducible con la semilla": 1},
            probe=probe_subset,
            judge=judge_subset,
            helpers=(hidden_split_texts,),
            schema=SUBSET_SCHEMA,
        ),
        HiddenTest(
            "01-tokens-por-batch",
            parts={"posiciones dinámicas": 1, "posiciones con max_length": 1},
            probe=probe_positions,
            judge=judge_positions,
            schema=POSITIONS_SCHEMA,
        ),
    ),
)
