"""La referencia con varias semillas del lab 07 (``coursekit.reference_seeds``): cargar lo
guardado, calcular la dispersión de las semillas y ponerla junto a la ejecución del estudiante."""

from __future__ import annotations

import statistics
from pathlib import Path

import nbformat
import pytest
import tomllib

from coursekit.comparison import ACCURACY, F1_MACRO, TEST_ACCURACY, TRAIN_SECONDS
from coursekit.errors import CourseError
from coursekit.instructor.bench.methods import reference_from_results
from coursekit.profiles import get_profile
from coursekit.reference_seeds import (
    compare_with_reference,
    load_reference,
    profile_settings,
    seed_spreads,
)

ROOT = Path(__file__).resolve().parents[1]
QUICK = get_profile("quick")
LORA = [0.700, 0.740, 0.725]
FROZEN = [0.505, 0.495, 0.520]


def _results(profile=QUICK) -> dict:
    """Un JSON de ``coursekit bench methods`` con tres semillas y dos métodos (sin entrenar)."""
    rows = []
    for i, seed in enumerate((42, 43, 44)):
        for name, values in (("LoRA", LORA), ("codificador congelado", FROZEN)):
            rows.append(
                {
                    "método": name,
                    "semilla": seed,
                    ACCURACY: values[i],
                    F1_MACRO: values[i] - 0.01,
                    TEST_ACCURACY: values[i] - 0.02,
                    TRAIN_SECONDS: 10.0 + i,
                }
            )
    return {
        "perfil": profile.name,
        "comando": f"coursekit bench methods --profile {profile.name} --seeds 3",
        "máquina": {
            "fecha": "2026-12-06 08:00:00 UTC",
            "cpu": "x86_64",
            "núcleos": 2,
            "memoria_GiB": 8.0,
            "hilos_torch": 1,
            "torch": "2.13.0",
            "transformers": "5.24.0",
            "gpu": None,
            "carga_media_inicio": [3.0, 3.0, 3.0],
        },
        "épocas": 5,
        "ejemplos": {"train": 400, "validation": 200, "test": 200},
        "línea_base": 0.5,
        "línea_base_test": 0.5,
        "filas": rows,
    }


@pytest.fixture
def reference():
    return reference_from_results(_results(), QUICK, {"torch": "2.13.0"})


def test_reference_keeps_every_seed_and_the_spread_is_computed_from_them(reference):
    runs = {m["método"]: m["por_semilla"] for m in reference["métodos"]}
    assert [run["semilla"] for run in runs["LoRA"]] == [42, 43, 44]
    assert [run["exactitud (test)"] for run in runs["LoRA"]] == pytest.approx(
        [v - 0.02 for v in LORA]
    )
    assert reference["ajustes_del_perfil"] == profile_settings(QUICK)
    lora = seed_spreads(reference)["LoRA"]
    assert lora.mean == pytest.approx(statistics.fmean(LORA))
    assert lora.std == pytest.approx(statistics.stdev(LORA))
    assert (lora.low, lora.high) == (0.700, 0.740)
    with pytest.raises(CourseError, match="perfil"):
        reference_from_results(_results(), get_profile("ci"), {})


def test_student_run_beside_the_reference(reference):
    shown = compare_with_reference(
        {"LoRA": 0.735, "codificador congelado": 0.600, "prompt tuning": 0.55}, QUICK, reference
    )
    assert "3 semillas (42, 43, 44)" in shown.note and "--seeds 3" in shown.note
    assert "Tu ejecución usa la semilla 42, una de las de la referencia" in shown.note
    table = shown.table
    assert list(table.index) == ["LoRA", "codificador congelado", "prompt tuning"]
    lora_mean, lora_std = statistics.fmean(LORA), statistics.stdev(LORA)
    assert table.loc["LoRA", "referencia: media ± desv."] == f"{lora_mean:.3f} ± {lora_std:.3f}"
    assert table.loc["LoRA", "referencia: mín–máx"] == "0.700–0.740"
    assert list(table["dentro del rango"]) == ["sí", "no", "—"]
    lora, frozen, missing = shown.verdicts
    assert "0.735 cae dentro del rango de las 3 semillas" in lora
    assert f"{100 * (0.735 - lora_mean):+.1f} puntos" in lora
    above = 100 * (0.600 - max(FROZEN))
    assert "fuera del rango" in frozen and f"{above:.1f} puntos por encima del máximo" in frozen
    assert "no tiene este método" in missing
    below = compare_with_reference({"LoRA": 0.650}, QUICK, reference).verdicts[0]
    assert "5.0 puntos por debajo del mínimo" in below


@pytest.mark.parametrize(
    "profile, expected",
    [
        (get_profile("ci"), "El perfil «ci» no tiene tabla de referencia"),
        (get_profile("full"), "El perfil «full» no tiene tabla de referencia"),
        (get_profile("quick", dataset_name="mis_datos.csv"), "Con tus propios datos"),
    ],
)
def test_no_reference_is_one_sentence_not_an_error(profile, expected):
    shown = compare_with_reference({"LoRA": 0.7}, profile)
    assert shown.note.startswith(expected) and shown.note.count(". ") == 0
    assert shown.table is None and shown.verdicts == []


def test_profile_mismatch_is_not_compared(reference):
    changed = compare_with_reference({"LoRA": 0.7}, get_profile("quick", train_size=800), reference)
    assert changed.table is None
    assert "train_size (400 → 800)" in changed.note and "no son comparables" in changed.note
    other = compare_with_reference({"LoRA": 0.7}, get_profile("ci"), reference)
    assert "se midió con el perfil «quick» y tú usas «ci»" in other.note and other.table is None


def test_incomplete_reference_file_is_a_clear_error(tmp_path, monkeypatch):
    import coursekit.reference_seeds as reference_seeds

    broken = tmp_path / "methods_quick.json"
    broken.write_text('{"perfil": "quick"}', encoding="utf-8")
    monkeypatch.setattr(reference_seeds, "reference_path", lambda name: broken)
    with pytest.raises(CourseError, match="le falta 'comando'"):
        load_reference("quick")
    monkeypatch.setattr(reference_seeds, "reference_path", lambda name: tmp_path / "no.json")
    assert load_reference("quick") is None


def test_stored_quick_reference_matches_the_profile_and_the_lab(tiny_bert):
    """La referencia del paquete es del perfil quick actual y de los métodos del lab 07: si
    cambia un ajuste del perfil o la lista, hay que medirla de nuevo (docs/benchmarks.md)."""
    from coursekit.method_settings import lab_comparison_methods

    stored = load_reference("quick")
    assert stored is not None, "falta coursekit/reference_data/methods_quick.json"
    assert stored["ajustes_del_perfil"] == profile_settings(QUICK)
    assert list(seed_spreads(stored)) == [
        m.name for m in lab_comparison_methods(tiny_bert, "unused", QUICK)
    ]
    assert stored["comando"].startswith("coursekit bench methods --profile quick --seeds")
    for key in ("fecha", "máquina", "versiones"):
        assert stored[key]
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert (
        "reference_data/*.json" in package_data["tool"]["setuptools"]["package-data"]["coursekit"]
    )


def test_lab_07_shows_the_reference_after_its_heading():
    cells = nbformat.read(ROOT / "solutions" / "07_comparar_metodos.ipynb", as_version=4).cells
    heading = next(
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "markdown"
        and cell.source.startswith("### Tu ejecución frente a varias semillas")
    )
    code = cells[heading + 1]
    assert code.cell_type == "code"
    assert "compare_with_reference(results[ACCURACY], profile)" in code.source
    assert "coursekit bench methods --profile quick --seeds" in cells[heading].source
