"""La prosa de los labs no escribe a mano cifras que dependen del perfil.

Un lab se lee en ``full`` (bert-base-cased, Yelp, 5 clases, GPU), en ``quick`` y con los datos
de un estudiante. Una cifra que solo vale en ``quick`` («unas 300 veces», «1e-4 aquí») es falsa
en los demás: o la calcula la ejecución (un f-string, una frase impresa) o dice en qué perfil y
máquina se midió («medido en el perfil `quick`, CPU de 2 núcleos»). Esta prueba no es lista: una
pequeña lista de patrones, los de cifras que ya se colaron alguna vez.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "solutions").glob("*.ipynb"))

#: Cifras que dependen del perfil, del modelo o de los datos.
PROFILE_DEPENDENT = {
    "tamaño de un adaptador": r"\bun[oa]s (pocos )?cientos de [KM]B\b|\bunos \d+ ?[KM]B\b",
    "cuántas veces mayor": r"\bun[oa]s \d+ veces\b|\b\d+ a \d+ veces\b",
    "una tasa «aquí»": r"\d(?:\.\d+)?e-\d+ aquí\b|\baquí \d(?:\.\d+)?e-\d+",
    "cuánto se mueven las exactitudes": r"se mueven unos puntos",
    "longitud típica en tokens": r"\b(?:tenga|miden?|ocupan?) \d+ tokens?\b(?<!512 tokens)"
    r"|\bla mayoría (?:tenga|mida) \d+",
    "tamaño de batch": r"\bbatch(?:es)? de \d+\b",
    "cuándo se guardan los checkpoints": r"cada cierto tiempo",
    "número de clases de las reseñas": r"\blas (?:dos|2) clases\b",
    "«apenas aprende» con una tasa": r"\d(?:\.\d+)?e-\d+[^.|]*apenas aprende",
    # Lo que leía como suyo un estudiante de `full` (1000 reseñas, 5 clases, BERT).
    "error típico escrito a mano": r"±\s?\d+(?:[.,]\d+)?\s?puntos",
    "tamaño de los subconjuntos de `quick`": r"\b(?:200|400|2000) reseñas\b",
    "el modelo de `quick` como si fuera el tuyo": r"codificador pequeño como MiniLM"
    r"|\bcon MiniLM (?:no pasa|iguala|se queda|apenas)",
    "clases desequilibradas en Yelp": r"desequilibrad[oa]s?,? como Yelp|Yelp[^.]*desequilibrad",
}
#: Una frase (o celda) que dice dónde se midió puede dar la cifra.
LABELLED = re.compile(
    r"medid[oa]s? en (?:el perfil )?`?(?:quick|full|ci)`?|\ben `(?:quick|full)` \("
    r"|\bmidió el perfil `(?:quick|full|ci)`|\(en `(?:quick|full)`,",
    re.IGNORECASE,
)


def profile_dependent_figures(markdown: str) -> list[tuple[str, str]]:
    """``(qué, frase)`` por cada cifra dependiente del perfil sin etiquetar en ``markdown``.

    La etiqueta vale solo para su frase (o línea: una fila de tabla, un punto de una lista)."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n", markdown):
        if LABELLED.search(sentence):
            continue
        for what, pattern in PROFILE_DEPENDENT.items():
            match = re.search(pattern, sentence)
            if match:
                found.append((what, match.group(0)))
    return found


@pytest.mark.parametrize(
    "text",
    [
        "LoRA guarda un adaptador de unos cientos de KB.",
        "con la tasa del fine-tuning completo (1e-4 aquí, 5e-5 en el tutorial)",
        "Con LoRA se usan tasas unas 10 a 30 veces mayores.",
        "(aquí 3e-2, unas 300 veces la del fine-tuning completo)",
        "un adaptador de unos 40 KB por tarea",
        "las exactitudes se mueven unos puntos",
        "todos los ejemplos miden 512 tokens, aunque la mayoría tenga 30.",
        "con `gradient_accumulation_steps=2` y batches de 8, cada actualización ve 16",
        "`Trainer` guarda checkpoints cada cierto tiempo",
        "con 5e-5 (el valor del tutorial) apenas aprende",
        "El modelo separa las dos clases.",
        "El adaptador pesa unos 300 KB (MiniLM, 400 reseñas).",
        "Medido en `quick`, 0.515 con 1e-4. Con LoRA se usan tasas unas 10 a 30 veces mayores.",
        "La comprobación la prueba con más clases y desequilibradas, como Yelp.",
        "Con 200 reseñas de validación el error típico es de ±3.5 puntos.",
        "En un codificador pequeño como MiniLM se queda lejos.",
        "El codificador congelado es lo más rápido, pero con MiniLM no pasa de la línea base.",
    ],
)
def test_patterns_catch_the_figures_found_in_review(text):
    assert profile_dependent_figures(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Medido en el perfil `quick` (CPU de 2 núcleos): un adaptador de unos 40 KB.",
        "En `quick` (MiniLM, CPU de 2 núcleos) el adaptador pesa unos 300 KB. "
        "Ocupa unas 300 veces menos.",
        "todos los ejemplos miden 512 tokens, aunque la mayoría mida mucho menos",
        "con batches de `profile.batch_size`",
        "checkpoints al final de cada época",
        "Como referencia, lo que midió el perfil `quick` (200 reseñas; error típico ±3.5 puntos).",
        "El otro reparto (en `quick`, las 400 reseñas × 10 épocas; en `full`, 500 × 12).",
        "Yelp Review Full está equilibrado y los subconjuntos del curso también.",
    ],
)
def test_labelled_or_computed_figures_pass(text):
    if "Ocupa" in text:  # la etiqueta vale solo para su frase
        assert profile_dependent_figures(text) == [("cuántas veces mayor", "unas 300 veces")]
    else:
        assert profile_dependent_figures(text) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_lab_prose_has_no_unlabelled_profile_figures(path):
    notebook = nbformat.read(path, as_version=4)
    problems = [
        f"celda {index}: {what}: «{figure}»"
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        for what, figure in profile_dependent_figures(cell.source)
    ]
    assert problems == [], (
        f"{path.name} escribe cifras que dependen del perfil: calcúlalas en una celda o di en "
        f"qué perfil y máquina se midieron. {problems}"
    )
