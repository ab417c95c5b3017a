"""``coursekit bench``: cada benchmark en miniatura (modelo diminuto, pocos ejemplos).

Comprueban la forma de la salida (columnas, claves del JSON, la línea de la razón principal),
nunca los tiempos.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from coursekit.cli import main
from coursekit.comparison import COLUMNS
from coursekit.errors import CourseError
from coursekit.instructor.bench import labs
from coursekit.instructor.bench import padding_speed as padding
from coursekit.instructor.bench.report import HEADLINE_PREFIX, markdown_table
from coursekit.profiles import get_profile


@pytest.fixture
def tiny_models(monkeypatch, tiny_bert):
    """Los benchmarks cargan el clasificador del perfil: aquí, uno diminuto."""
    import coursekit.models

    def fake_classifier(profile, label_names, **kwargs):
        return tiny_bert(num_labels=len(label_names))

    monkeypatch.setattr(coursekit.models, "load_classifier", fake_classifier)


def _last_line(capsys) -> tuple[str, str]:
    out = capsys.readouterr().out
    return out, out.strip().splitlines()[-1]


@pytest.mark.slow
def test_bench_padding_smoke(tmp_path, capsys, tiny_models):
    code = main(
        [
            "bench",
            "padding",
            "--profile",
            "ci",
            "--train-size",
            "8",
            "--eval-size",
            "4",
            "--batch-size",
            "4",
            "--max-length",
            "32",
            "16",
            "--output",
            str(tmp_path),
        ]
    )
    out, last = _last_line(capsys)
    assert code == 0
    assert "| datos | estrategia | posiciones/lote | tokens reales/lote |" in out
    assert last.startswith(HEADLINE_PREFIX)
    assert "Rotten Tomatoes" in last and "IMDB" in last
    results = json.loads((tmp_path / "padding-ci.json").read_text(encoding="utf-8"))
    assert {"benchmark", "perfil", "máquina", "filas", "ejemplos", "batch"} <= set(results)
    rows = results["filas"]
    assert [(r["datos"], r["estrategia"]) for r in rows] == [
        (source, name)
        for source in ("Rotten Tomatoes", "IMDB")
        for name in ("max_length 32", "max_length 16", "dinámico", "dinámico + agrupado")
    ]
    for row in rows:
        assert set(padding.ROW_KEYS) <= set(row)
        assert 0 < row["tokens_reales_por_batch"] <= row["posiciones_por_batch"]
        assert 0.0 <= row["exactitud"] <= 1.0
    # max_length rellena siempre hasta el tope: batch × longitud posiciones por batch.
    assert rows[0]["posiciones_por_batch"] == 4 * 32
    assert rows[0]["aceleración"] == 1.0
    assert (tmp_path / "padding-ci.png").stat().st_size > 0


def test_padding_strategies_and_errors():
    assert padding.strategies([128, 512]) == [
        ("max_length", 512),
        ("max_length", 128),
        ("dynamic", 512),
        ("grouped", 512),
    ]
    with pytest.raises(CourseError, match="longitud positiva"):
        padding.strategies([])
    with pytest.raises(CourseError, match="Fuente desconocida"):
        padding.source_subsets(None, "yelp", 8, 4)


@pytest.mark.slow
def test_bench_methods_smoke(tmp_path, capsys, tiny_models, tiny_bert):
    from coursekit.comparison import TEST_ACCURACY
    from coursekit.method_settings import lab_comparison_methods
    from coursekit.reference_seeds import compare_with_reference, seed_spreads

    reference_file = tmp_path / "referencia.json"
    argv = ["bench", "methods", "--profile", "ci", "--output", str(tmp_path)]
    code = main([*argv, "--reference", str(reference_file)])
    out, last = _last_line(capsys)
    assert code == 0
    assert "| método | entrenables |" in out and "línea base (clase mayoritaria)" in out
    assert "| exactitud (validación) |" in out and "| exactitud (test) |" in out
    assert last.startswith(f"{HEADLINE_PREFIX} LoRA / completo: parámetros entrenables")
    results = json.loads((tmp_path / "methods-ci.json").read_text(encoding="utf-8"))
    names = [row["método"] for row in results["filas"]]
    # Por defecto, los métodos del lab 07, de la misma lista que usa el lab.
    profile = get_profile("ci")
    assert names == [m.name for m in lab_comparison_methods(tiny_bert, "unused", profile)]
    assert set(COLUMNS) <= set(results["filas"][0])
    assert all(0 <= row[TEST_ACCURACY] <= 1 for row in results["filas"])
    assert results["ejemplos"] == {"train": 32, "validation": 32, "test": 32}
    # La referencia guardada se lee con coursekit.reference_seeds y se compara con el perfil.
    reference = json.loads(reference_file.read_text(encoding="utf-8"))
    assert reference["comando"].startswith("coursekit bench methods --profile ci")
    assert list(seed_spreads(reference)) == names
    accuracies = {row["método"]: row["exactitud"] for row in results["filas"]}
    shown = compare_with_reference(accuracies, profile, reference=reference)
    assert list(shown.table.index) == names and set(shown.table["dentro del rango"]) == {"sí"}
    ratios = results["razones_lora_completo"]
    assert set(ratios) == {"parámetros", "tiempo", "memoria", "disco", "exactitud_puntos"}
    assert 0 < ratios["parámetros"] < 1
    assert (tmp_path / "methods-ci.png").is_file()


@pytest.mark.slow
def test_bench_methods_rejects_unknown_method(tmp_path, capsys, tiny_models):
    assert main(["bench", "methods", "--profile", "ci", "--only", "magia"]) == 2
    assert "Método(s) desconocido(s): magia" in capsys.readouterr().err


@pytest.mark.slow
def test_bench_labs_smoke(tmp_path, capsys, write_notebook):
    solutions = tmp_path / "solutions"
    # La muestra se toma cada 0,25 s: la celda retiene los 300 MB un segundo para que al menos
    # una la vea (sin la espera, en una máquina rápida el lab acababa entre dos muestras).
    write_notebook(
        solutions,
        "01_memoria.ipynb",
        "import time\ndatos = b'x' * (300 * 2**20)\ntime.sleep(1)",
        "print('hecho')",
    )
    write_notebook(solutions, "02_falla.ipynb", "raise ValueError('roto')")
    output = tmp_path / "res"
    code = main(
        ["bench", "labs", "--profile", "ci", "--solutions", str(solutions), "--output", str(output)]
    )
    out, last = _last_line(capsys)
    assert code == 1  # un lab falló
    assert "| lab | estado | tiempo (s) | RSS pico del kernel (MB) | pico CUDA (MB) |" in out
    assert last.startswith(HEADLINE_PREFIX) and "1/2 labs" in last
    results = json.loads((output / "labs-ci.json").read_text(encoding="utf-8"))
    rows = {row["lab"]: row for row in results["filas"]}
    assert set(rows) == {"01_memoria", "02_falla"}
    assert set(labs.ROW_KEYS) <= set(rows["01_memoria"])
    assert rows["01_memoria"]["estado"] == "ok" and rows["02_falla"]["estado"] == "error"
    assert rows["01_memoria"]["rss_pico_MB"] > 300  # los 300 MB del kernel cuentan
    assert rows["01_memoria"]["cuda_pico_MB"] is None  # sin GPU (o sin torch importado)
    # La copia ejecutada no lleva la celda añadida para leer la memoria CUDA.
    executed = nbformat.read(output / "labs-ci" / "01_memoria.ipynb", as_version=4)
    assert len(executed.cells) == 2
    assert not any(labs.CUDA_MARK in cell.source for cell in executed.cells)


@pytest.mark.slow
def test_bench_labs_memory_limit_falls_back_with_a_message(
    tmp_path, capsys, monkeypatch, write_notebook
):
    monkeypatch.setattr(labs, "check_memory_limit_supported", lambda limit: "sin cgroups aquí")
    solutions = tmp_path / "solutions"
    write_notebook(solutions, "01_ok.ipynb", "print(1)")
    code = main(
        [
            "bench",
            "labs",
            "--profile",
            "ci",
            "--solutions",
            str(solutions),
            "--output",
            str(tmp_path / "res"),
            "--memory-limit",
            "2G",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Aviso: se mide sin límite de memoria. sin cgroups aquí" in out


@pytest.mark.skipif(
    labs.check_memory_limit_supported(256 * 2**20) is not None,
    reason="esta máquina no deja crear cgroups con límite de memoria",
)
@pytest.mark.slow
def test_memory_limit_kills_a_lab_that_exceeds_it(tmp_path, write_notebook):
    solutions = tmp_path / "solutions"
    write_notebook(solutions, "01_grande.ipynb", "datos = b'x' * (600 * 2**20)")
    rows = labs.run_labs_benchmark(
        "ci", solutions, memory_limit=256 * 2**20, timeout=120, log=lambda _: None
    )
    assert rows[0]["estado"] == "sin memoria"
    assert rows[0]["límite_MB"] == 256


def test_parse_memory_size_and_cuda_output():
    assert labs.parse_memory_size("2G") == 2 * 2**30
    assert labs.parse_memory_size("1536M") == 1536 * 2**20
    assert labs.parse_memory_size("1000") == 1000
    with pytest.raises(CourseError, match="Tamaño de memoria no válido"):
        labs.parse_memory_size("mucho")
    outputs = [[{"output_type": "stream", "text": f"{labs.CUDA_MARK} {3 * 2**20}\n"}]]
    assert labs.cuda_peak_mb(outputs) == 3.0
    assert labs.cuda_peak_mb([[{"text": f"{labs.CUDA_MARK} -1\n"}]]) is None


def test_markdown_table_leaves_missing_values_blank():
    table = markdown_table([{"a": 1.234, "b": None}], [("a", "A", "{:.1f}"), ("b", "B", "{}")])
    assert table.splitlines() == ["| A | B |", "|---|---|", "| 1.2 |  |"]
    with pytest.raises(CourseError):
        markdown_table([], [])


def _lab_row(lab, rss_mb, status="ok", limit_mb=None):
    row = {"lab": lab, "perfil": "quick", "estado": status, "segundos": 10.0, "rss_pico_MB": rss_mb}
    if limit_mb is not None:
        row["límite_MB"] = limit_mb
    return row


def test_headline_under_a_real_limit_counts_labs_that_finished():
    """Con un cgroup, cabe el lab que terminó: su RSS sumada (páginas compartidas dos veces)
    puede pasar del límite sin que el sistema lo mate. Antes decía «6/7 por debajo de 2048 MB»
    de siete labs que habían terminado dentro de los 2 GiB."""
    rows = [_lab_row("03_keras", 2188, limit_mb=2048), _lab_row("01_datos", 1075, limit_mb=2048)]
    line = labs.headline(rows, 2048)
    assert line.startswith("2/2 labs terminaron sin errores dentro de un cgroup de 2048 MB")
    assert "03_keras, 2188 MB" in line
    rows[1]["estado"] = "sin memoria"
    assert labs.headline(rows, 2048).startswith("1/2 labs terminaron")


def test_headline_without_a_limit_compares_rss_with_binder():
    rows = [_lab_row("03_keras", 2188), _lab_row("01_datos", 1075)]
    assert labs.headline(rows).startswith("1/2 labs sin errores y por debajo de 2048 MB de RSS")
    with pytest.raises(CourseError):
        labs.headline([])


@pytest.mark.parametrize(
    "module",
    [
        "coursekit.instructor.bench.grading_class",
        "coursekit.instructor.bench.mixed_precision",
        "coursekit.instructor.bench.prompt_sweep",
    ],
)
def test_bench_scripts_import(module):
    """Los guiones de ``python -m coursekit.instructor.bench.<nombre>`` (docs/benchmarks.md)
    se importan: un ajuste que cambió de sitio no los rompe sin que nadie lo vea."""
    import importlib

    assert callable(importlib.import_module(module).main)


# --- varias semillas y agrupación ------------------------------------------------------------


def _fake_row(name: str, seed: int, accuracy: float, f1: float, seconds: float) -> dict:
    from coursekit.comparison import ACCURACY, F1_MACRO, TRAIN_SECONDS

    return {
        "método": name,
        "semilla": seed,
        ACCURACY: accuracy,
        F1_MACRO: f1,
        TRAIN_SECONDS: seconds,
        "parámetros entrenables": 770,
    }


def test_aggregate_seeds_on_fake_rows():
    import statistics

    from coursekit.instructor.bench import methods

    rows = [
        _fake_row("LoRA", 42, 0.70, 0.69, 10.0),
        _fake_row("completo", 42, 0.60, 0.58, 20.0),
        _fake_row("LoRA", 43, 0.74, 0.73, 12.0),
        _fake_row("completo", 43, 0.66, 0.66, 22.0),
        _fake_row("LoRA", 44, 0.75, 0.75, 11.0),
    ]
    summary = {entry["método"]: entry for entry in methods.aggregate_seeds(rows)}
    assert list(summary) == ["LoRA", "completo"]  # el orden de aparición
    lora = summary["LoRA"]
    assert lora["semillas"] == 3 and "semilla" not in lora
    assert lora["exactitud_media"] == pytest.approx(statistics.fmean([0.70, 0.74, 0.75]))
    assert lora["exactitud_desv"] == pytest.approx(statistics.stdev([0.70, 0.74, 0.75]))
    assert (lora["exactitud_mín"], lora["exactitud_máx"]) == (0.70, 0.75)
    assert lora["f1_macro_desv"] == pytest.approx(statistics.stdev([0.69, 0.73, 0.75]))
    assert lora["tiempo_s_media"] == pytest.approx(11.0)
    assert lora["exactitud"] == lora["exactitud_media"]  # la columna de la tabla, con la media
    assert summary["completo"]["semillas"] == 2
    text = {row["método"]: row for row in methods.seed_table_rows(summary.values())}
    assert text["completo"]["exactitud"] == "0.630 ± 0.042"
    assert text["completo"]["exactitud mín–máx"] == "0.600–0.660"


def test_aggregate_one_seed_has_no_spread_and_rejects_repeated_seeds():
    from coursekit.instructor.bench import methods

    (single,) = methods.aggregate_seeds([_fake_row("LoRA", 42, 0.7, 0.7, 1.0)])
    assert single["exactitud_desv"] is None and single["exactitud_media"] == 0.7
    assert methods.seed_table_rows([single])[0]["exactitud"] == "0.700"
    with pytest.raises(CourseError, match="misma semilla"):
        methods.aggregate_seeds([_fake_row("LoRA", 42, 0.7, 0.7, 1.0)] * 2)
    with pytest.raises(CourseError, match="No hay filas"):
        methods.aggregate_seeds([])


def test_frozen_features_and_probe(tiny_bert, tokenizer, make_dataset):
    from coursekit.data import tokenize_dataset
    from coursekit.instructor.bench.pooling_probe import frozen_features, probe_accuracy

    dataset = tokenize_dataset(make_dataset([0, 1, 0, 1, 0, 1]), tokenizer, 16)
    vectors = frozen_features(tiny_bert(), dataset, tokenizer, batch_size=4)
    assert set(vectors) == {"pooler", "cls", "mean"}
    assert all(v.shape == (6, 32) for v in vectors.values())
    accuracy = probe_accuracy(vectors["mean"], dataset["label"], vectors["mean"], dataset["label"])
    assert 0.0 <= accuracy <= 1.0
    with pytest.raises(CourseError, match="Agrupaciones válidas"):
        frozen_features(tiny_bert(), dataset, tokenizer, poolings=["max"])


def test_pooling_gaps_on_fake_rows():
    from coursekit.instructor.bench import methods

    summary = methods.aggregate_seeds(
        [
            _fake_row("prompt tuning", 42, 0.535, 0.5, 1.0),
            _fake_row("prompt tuning (media)", 42, 0.705, 0.7, 1.0),
            _fake_row("LoRA", 42, 0.725, 0.7, 1.0),
        ]
    )
    gaps = methods.pooling_gaps(summary)
    assert gaps == {"prompt tuning": pytest.approx(17.0)}
    assert methods.pooling_headline(gaps) == (
        "media de los tokens frente a pooler (exactitud): prompt tuning +17.0 puntos"
    )


@pytest.mark.slow
def test_bench_methods_with_seeds_and_mean_pooling(tmp_path, capsys, tiny_models):
    argv = ["bench", "methods", "--profile", "ci", "--only", "codificador congelado"]
    argv += ["--seeds", "2", "--pooling", "pooler", "mean", "--output", str(tmp_path)]
    assert main(argv) == 0
    out, last = _last_line(capsys)
    assert "| método | semillas | exactitud validación (media ± desv.) |" in out and " ± " in out
    assert last.startswith(f"{HEADLINE_PREFIX} media de los tokens frente a pooler")
    results = json.loads((tmp_path / "methods-ci.json").read_text(encoding="utf-8"))
    assert results["comando"].startswith("coursekit bench methods --profile ci")
    assert results["máquina"]["fecha"]
    assert results["semillas"] == [42, 43]
    assert [(r["método"], r["semilla"]) for r in results["filas"]] == [
        ("codificador congelado", 42),
        ("codificador congelado (media)", 42),
        ("codificador congelado", 43),
        ("codificador congelado (media)", 43),
    ]
    assert [(s["método"], s["semillas"]) for s in results["resumen"]] == [
        ("codificador congelado", 2),
        ("codificador congelado (media)", 2),
    ]


@pytest.mark.slow
def test_bench_pooling_smoke(tmp_path, capsys, tiny_models):
    assert main(["bench", "pooling", "--profile", "ci", "--output", str(tmp_path)]) == 0
    out, last = _last_line(capsys)
    assert "| agrupación | exactitud | error típico |" in out
    assert last.startswith(f"{HEADLINE_PREFIX} sonda lineal sobre el codificador congelado")
    results = json.loads((tmp_path / "pooling-ci.json").read_text(encoding="utf-8"))
    assert [row["clave"] for row in results["filas"]] == ["pooler", "cls", "mean"]
    assert (tmp_path / "pooling-ci.png").is_file()


def test_methods_benchmark_uses_lab_list_and_three_splits(
    monkeypatch, tiny_bert, ci_dataset, tokenizer
):
    """Sin entrenar (``compare_methods`` falso): la lista por defecto es la del lab 07, la
    exactitud de la tabla sale de validación, la de test aparte, y los tres conjuntos son
    distintos; cada semilla entrena con su propio perfil."""
    import pandas as pd

    import coursekit.comparison as comparison
    from coursekit import data
    from coursekit.comparison import ACCURACY, METHOD, TEST_ACCURACY, TEST_F1_MACRO
    from coursekit.instructor.bench import methods
    from coursekit.method_settings import lab_comparison_methods

    calls = []

    def fake_compare(methods_, train, evaluation, tokenizer, profile, folder, **kwargs):
        calls.append((methods_, train, evaluation, kwargs["test_dataset"], profile.seed))
        names = [m.name for m in methods_]
        table = pd.DataFrame(
            [{METHOD: n, **{c: 0.5 for c in COLUMNS[1:]}, ACCURACY: 0.6} for n in names]
        ).set_index(METHOD)
        table.attrs[TEST_ACCURACY] = {n: 0.55 for n in names}
        table.attrs[TEST_F1_MACRO] = {n: 0.54 for n in names}
        return table

    monkeypatch.setattr(comparison, "compare_methods", fake_compare)
    monkeypatch.setattr(data, "load_course_dataset", lambda profile: ci_dataset)  # ya cargados
    profile = get_profile("ci")
    results = methods.run_methods_benchmark(
        profile, new_classifier=lambda names: tiny_bert(num_labels=len(names)), seeds=2
    )
    expected = [m.name for m in lab_comparison_methods(tiny_bert, "unused", profile)]
    assert [seed for *_, seed in calls] == [42, 43]
    splits = data.course_splits(ci_dataset, profile)  # train, validación, test
    for methods_, *measured, _ in calls:
        assert [m.name for m in methods_] == expected
        for tokenized, split in zip(measured, splits, strict=True):  # los mismos textos
            ids = tokenizer(list(split["text"]), truncation=True, max_length=profile.max_length)
            assert list(tokenized["input_ids"]) == ids["input_ids"]
    assert [(r["método"], r["semilla"]) for r in results["filas"][:2]] == [
        (expected[0], 42),
        (expected[1], 42),
    ]
    assert {(r[ACCURACY], r[TEST_ACCURACY]) for r in results["filas"]} == {(0.6, 0.55)}
    summary = methods.aggregate_seeds(results["filas"])
    assert summary[0]["exactitud_test_media"] == pytest.approx(0.55)
    assert methods.seed_table_rows(summary)[0]["exactitud test"] == "0.550 ± 0.000"
    assert results["agrupaciones"] == "las del lab 07"
