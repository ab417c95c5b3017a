"""El código de los labs tal como lo ejecuta un estudiante de `full` (Colab con GPU T4,
bert-base-cased, Yelp: 650 000 reseñas en train, 1000 de validación, 5 clases).

Pruebas estáticas sobre las soluciones: cada una es un fallo que una revisión
encontró leyendo los labs como ese estudiante, y que en `quick` (CPU, 200 reseñas) no se ve.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
ALL = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))


def _cells(name: str, kind: str) -> list[str]:
    path = next(SOLUTIONS.glob(f"{name}_*.ipynb"))
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def _code(name: str) -> str:
    return "\n".join(_cells(name, "code"))


def _after_calls(code: str, call: str) -> list[str]:
    """Lo que sigue a cada llamada ``call(...)`` completa (paréntesis equilibrados)."""
    found = []
    for match in re.finditer(re.escape(call) + r"\(", code):
        depth, index = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(code[index], 0)
            index += 1
        found.append(code[index : index + 20])
    return found


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_no_code_prints_a_noise_margin_typed_from_quick(path):
    """Lab 07 imprimía «±3.5 puntos de 200 reseñas» también con las 1000 de `full`: el margen
    se calcula en la ejecución (``coursekit.uncertainty``)."""
    code = _code(path.name[:2])
    assert not re.search(r"±\s?\d", code), re.search(r".*±\s?\d.*", code).group(0)


def test_lab07_verdict_names_no_winner_within_noise():
    code = _code("07")
    assert "tied_with_best(" in code and "paired_difference_standard_error(" in code
    assert "results[ACCURACY].idxmax()" not in code  # nombraba ganador aunque todos empataran


def test_lab01_padding_model_runs_on_the_environment_device():
    """Sin ``.to(...)`` bert-base medía 3 estrategias × 1000 reseñas en la CPU de Colab."""
    loads = _after_calls(_code("01"), "AutoModelForSequenceClassification.from_pretrained")
    assert loads, "el lab 01 ya no carga el modelo de la medida del relleno"
    for rest in loads:
        assert rest.startswith(".to(env.device)"), "el modelo del lab 01 no va a env.device"


def test_lab01_does_not_load_a_whole_split_into_pandas():
    """``to_pandas()`` de Yelp train son 650 000 reseñas: se cuenta sobre una muestra."""
    for line in _code("01").splitlines():
        if ".to_pandas()" in line:
            assert ".select(" in line, line


def test_lab01_padding_sentence_has_words_for_a_slowdown():
    """«0.8 veces más rápido» era un forward más lento: la frase sale de ``padding_summary``."""
    code = _code("01")
    assert "veces más rápido" not in code and "padding_summary(" in code


def test_lab05_compares_reloaded_logits_on_one_device_with_a_tolerance():
    """El modelo entrenado queda en la GPU y el recargado nace en la CPU: la igualdad exacta
    imprimía ``False`` bajo un título que decía que eran iguales."""
    code = _code("05")
    assert "array_equal" not in code
    assert [rest[:11] for rest in _after_calls(code, "PeftModel.from_pretrained")] == [
        ".to(device)"
    ]
    assert "torch.allclose(" in code and "atol=" in code


def test_lab02_compares_the_reloaded_model_on_the_same_device():
    assert re.search(
        r"from_pretrained\(final_dir\)\.to\((chosen_)?trainer\.model\.device\)", _code("02")
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_disk_note_matches_what_the_lab_saves(path):
    """Los labs 05 y 07 copiaban la nota de disco del 02 («el lab guarda hasta 2» puntos de
    control de ~1.3 GB) sin guardar esos puntos de control."""
    lab = path.name[:2]
    prose, code = "\n".join(_cells(lab, "markdown")), _code(lab)
    for count in re.findall(r"el lab guarda hasta (\d+)", prose):
        assert f"save_total_limit={count}" in code, f"lab {lab}: dice que guarda hasta {count}"
    if "estado de AdamW ocupa" in prose:  # el tamaño de un punto de control de todo el modelo
        assert 'save_strategy="epoch"' in code and "get_peft_model" not in code, lab
