"""Variantes del lab 01 (preparar los datos).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``), sin ejecutar el notebook entero.
"""

from __future__ import annotations

from functools import cache

from mutants.spec import alternative, mistake

VARIANTS = [
    mistake(
        "01-tokenizar",
        "sin-truncar",
        'def tokenize_function(batch):\n    return tokenizer(batch["text"])',
        "no trunca los textos largos",
        hint="truncation",
    ),
    mistake(
        "01-tokenizar",
        "relleno-fijo",
        "def tokenize_function(batch):\n"
        '    return tokenizer(batch["text"], truncation=True, max_length=profile.max_length,\n'
        '                     padding="max_length")',
        "rellena cada texto hasta max_length en vez de dejarlo al collator",
        hint="padding",
    ),
    alternative(
        "01-tokenizar",
        "argumentos-por-nombre",
        "def tokenize_function(batch):\n"
        '    texts = batch["text"]\n'
        "    return tokenizer(text=texts, max_length=profile.max_length,\n"
        '                     truncation="longest_first")',
    ),
]


@cache
def _shared():
    from coursekit.data import load_course_dataset
    from coursekit.models import load_tokenizer
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    return {
        "profile": profile,
        "dataset": load_course_dataset(profile),
        "tokenizer": load_tokenizer(profile),
    }


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación."""
    names = dict(_shared())
    if exercise == "01-tokens-por-batch":
        from transformers import DataCollatorWithPadding

        tokenizer, train = names["tokenizer"], names["dataset"]["train"]
        features = [tokenizer(train[i]["text"], truncation=True, max_length=128) for i in range(8)]
        names["batch"] = DataCollatorWithPadding(tokenizer=tokenizer)(features)
    return names
