"""Variantes del lab 01 (preparar los datos).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook (perfil ``ci``), sin ejecutar el notebook entero.
"""

from __future__ import annotations

from functools import cache

from mutants.spec import alternative, mistake

VARIANTS = [
    # 01-tokenizar
    mistake(
        "01-tokenizar",
        "sin-truncar",
        'def tokenize_function(batch):\n    return tokenizer(batch["text"])',
        "no trunca los textos largos",
        hint="truncation",
    ),
    mistake(
        "01-tokenizar",
        "trunca-al-maximo-del-modelo",
        'def tokenize_function(batch):\n    return tokenizer(batch["text"], truncation=True)',
        "trunca al máximo del modelo (512) en vez de a profile.max_length",
        hint="máximo del modelo",
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
    mistake(
        "01-tokenizar",
        "relleno-al-mas-largo",
        "def tokenize_function(batch):\n"
        '    return tokenizer(batch["text"], truncation=True, max_length=profile.max_length,\n'
        "                     padding=True)",
        "rellena todo el lote de map (mil textos) hasta el más largo",
        hint="relleno",
    ),
    mistake(
        "01-tokenizar",
        "solo-ids",
        "def tokenize_function(batch):\n"
        '    return tokenizer(batch["text"], truncation=True, max_length=profile.max_length)'
        '["input_ids"]',
        "devuelve solo input_ids y pierde attention_mask",
        hint="attention_mask",
    ),
    mistake(
        "01-tokenizar",
        "un-solo-texto",
        "def tokenize_function(batch):\n"
        '    return tokenizer(batch["text"][0], truncation=True, max_length=profile.max_length)',
        "tokeniza solo el primer texto del lote",
        hint="lote",
    ),
    alternative(
        "01-tokenizar",
        "argumentos-por-nombre",
        "def tokenize_function(batch):\n"
        '    texts = batch["text"]\n'
        "    return tokenizer(text=texts, max_length=profile.max_length,\n"
        '                     truncation="longest_first")',
    ),
    alternative(
        "01-tokenizar",
        "texto-a-texto",
        "def tokenize_function(batch):\n"
        "    encodings = [tokenizer(text, truncation=True, max_length=profile.max_length)\n"
        '                 for text in batch["text"]]\n'
        "    return {key: [e[key] for e in encodings] for key in encodings[0]}",
    ),
    # 01-subconjunto-aleatorio
    mistake(
        "01-subconjunto-aleatorio",
        "primeras-filas",
        "def take_random_subset(split, size, seed):\n    return split.select(range(size))",
        "toma las primeras filas sin barajar",
        hint="al azar",
    ),
    mistake(
        "01-subconjunto-aleatorio",
        "sin-semilla",
        "def take_random_subset(split, size, seed):\n"
        "    return split.shuffle().select(range(size))",
        "baraja sin semilla: cada ejecución da otro subconjunto",
        hint="reproducible",
    ),
    mistake(
        "01-subconjunto-aleatorio",
        "semilla-fija",
        "def take_random_subset(split, size, seed):\n"
        "    return split.shuffle(seed=42).select(range(size))",
        "usa una semilla escrita a mano en vez del argumento seed",
        hint="argumento seed",
    ),
    mistake(
        "01-subconjunto-aleatorio",
        "con-repeticion",
        "import numpy as np\n\n"
        "def take_random_subset(split, size, seed):\n"
        "    rng = np.random.default_rng(seed)\n"
        "    return split.select(rng.integers(0, len(split), size=size))",
        "elige índices al azar con repetición",
        hint="repetidos",
    ),
    mistake(
        "01-subconjunto-aleatorio",
        "rebanada",
        "def take_random_subset(split, size, seed):\n    return split.shuffle(seed=seed)[:size]",
        "devuelve un diccionario de columnas (una rebanada) en vez de un Dataset",
        hint="dataset",
    ),
    alternative(
        "01-subconjunto-aleatorio",
        "train-test-split",
        "def take_random_subset(split, size, seed):\n"
        '    return split.train_test_split(train_size=size, seed=seed)["train"]',
    ),
    alternative(
        "01-subconjunto-aleatorio",
        "indices-de-numpy",
        "import numpy as np\n\n"
        "def take_random_subset(split, size, seed):\n"
        "    indices = np.random.default_rng(seed).choice(len(split), size=size, replace=False)\n"
        "    return split.select(indices)",
    ),
    # 01-tokens-por-batch
    mistake(
        "01-tokens-por-batch",
        "solo-tokens-reales",
        'dynamic_positions = int(batch["attention_mask"].sum())\n'
        'max_length_positions = batch["input_ids"].shape[0] * 512',
        "cuenta solo los tokens reales y olvida el relleno",
        hint="relleno",
    ),
    mistake(
        "01-tokens-por-batch",
        "solo-filas",
        'dynamic_positions = len(batch["input_ids"])\n'
        'max_length_positions = len(batch["input_ids"]) * 512',
        "cuenta textos (filas) en vez de posiciones",
        hint="filas × columnas",
    ),
    mistake(
        "01-tokens-por-batch",
        "una-fila",
        'dynamic_positions = batch["input_ids"].numel()\nmax_length_positions = 512',
        "con max_length cuenta una sola fila",
        hint="varias filas",
    ),
    mistake(
        "01-tokens-por-batch",
        "max-length-del-perfil",
        'dynamic_positions = batch["input_ids"].numel()\n'
        'max_length_positions = batch["input_ids"].shape[0] * profile.max_length',
        "usa el max_length del perfil en vez del 512 del relleno fijo",
        hint="max_length=512",
    ),
    alternative(
        "01-tokens-por-batch",
        "forma-desempaquetada",
        'rows, columns = batch["input_ids"].shape\n'
        "dynamic_positions = rows * columns\n"
        "max_length_positions = rows * 512",
    ),
    alternative(
        "01-tokens-por-batch",
        "con-la-mascara",
        'dynamic_positions = batch["attention_mask"].numel()\n'
        'max_length_positions = len(batch["attention_mask"]) * 512',
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
    from coursekit.checks import check

    names = dict(_shared(), check=check)
    if exercise == "01-tokens-por-batch":
        from transformers import DataCollatorWithPadding

        tokenizer, train = names["tokenizer"], names["dataset"]["train"]
        features = [tokenizer(train[i]["text"], truncation=True, max_length=128) for i in range(8)]
        names["batch"] = DataCollatorWithPadding(tokenizer=tokenizer)(features)
    return names
