"""Comprobación de ejercicios: aciertos, pistas en español y registro."""

from __future__ import annotations

import pytest
from datasets import Dataset

import coursekit.checks
from coursekit.checks import CheckFailed, available_checks, check, register
from coursekit.errors import CourseError

MAX_LENGTH = 16
TEXTS = [
    "Corta.",
    "Una reseña un poco más larga que la anterior.",
    "Esta reseña es larguísima y repite palabras una y otra vez, una y otra vez, "
    "una y otra vez, hasta pasar de sobra el máximo de tokens permitido.",
]


def test_lab01_checks_are_registered():
    assert {"01-tokenizar", "01-subconjunto-aleatorio", "01-tokens-por-batch"} <= set(
        available_checks()
    )


def test_unknown_exercise_lists_available():
    with pytest.raises(
        CourseError, match="No hay comprobación para '99-nada'. Disponibles: .*01-tokenizar"
    ):
        check("99-nada")


# --- 01-tokenizar ---------------------------------------------------------------------------


def _tokenize_check(tokenizer, function):
    return check(
        "01-tokenizar",
        tokenize_function=function,
        tokenizer=tokenizer,
        max_length=MAX_LENGTH,
        texts=TEXTS,
    )


def test_tokenize_correct(tokenizer, capsys):
    def tokenize_function(batch):
        return tokenizer(batch["text"], truncation=True, max_length=MAX_LENGTH)

    assert _tokenize_check(tokenizer, tokenize_function) is True
    out = capsys.readouterr().out
    assert out.startswith("✅ Ejercicio «01-tokenizar»: ¡correcto!")
    assert "sin relleno" in out


def test_tokenize_quiet(tokenizer, capsys):
    def tokenize_function(batch):
        return tokenizer(batch["text"], truncation=True, max_length=MAX_LENGTH)

    assert check(
        "01-tokenizar",
        verbose=False,
        tokenize_function=tokenize_function,
        tokenizer=tokenizer,
        max_length=MAX_LENGTH,
        texts=TEXTS,
    )
    assert capsys.readouterr().out == ""


def test_tokenize_without_return(tokenizer):
    def tokenize_function(batch):
        tokenizer(batch["text"], truncation=True, max_length=MAX_LENGTH)

    with pytest.raises(CheckFailed, match="falta el `return`"):
        _tokenize_check(tokenizer, tokenize_function)


def test_tokenize_wrong_ids(tokenizer):
    def tokenize_function(batch):
        return tokenizer(
            batch["text"], truncation=True, max_length=MAX_LENGTH, add_special_tokens=False
        )

    with pytest.raises(CheckFailed, match="no coinciden con los del tokenizador"):
        _tokenize_check(tokenizer, tokenize_function)


def test_tokenize_not_callable(tokenizer):
    with pytest.raises(CheckFailed, match="tiene que ser una función"):
        _tokenize_check(tokenizer, "no soy una función")


def test_missing_argument_gives_hint(tokenizer):
    with pytest.raises(CheckFailed, match="no recibió lo que esperaba"):
        check("01-tokenizar", tokenizer=tokenizer)


# --- 01-subconjunto-aleatorio ---------------------------------------------------------------


@pytest.fixture(scope="module")
def small_dataset():
    return Dataset.from_dict(
        {"text": [f"reseña {i}" for i in range(20)], "label": [i % 2 for i in range(20)]}
    )


def test_random_subset_correct(small_dataset, capsys):
    def take_random_subset(split, size, seed):
        return split.shuffle(seed=seed).select(range(size))

    assert check(
        "01-subconjunto-aleatorio",
        take_random_subset=take_random_subset,
        dataset=small_dataset,
        size=6,
        seed=3,
    )
    assert "✅" in capsys.readouterr().out


def test_random_subset_needs_a_function(small_dataset):
    subset = small_dataset.shuffle(seed=3).select(range(6))
    with pytest.raises(CheckFailed, match="take_random_subset tiene que ser una función"):
        check(
            "01-subconjunto-aleatorio",
            take_random_subset=subset,
            dataset=small_dataset,
            size=6,
            seed=3,
        )


# Los errores plausibles de los tres ejercicios (sin truncar, relleno, solo ids, primeras filas,
# sin semilla, con repetición, solo tokens reales...) están en tests/mutants/lab01.py.


# --- 01-tokens-por-batch --------------------------------------------------------------------


@pytest.fixture(scope="module")
def dynamic_batch(tokenizer):
    from transformers import DataCollatorWithPadding

    features = [dict(tokenizer(t, truncation=True, max_length=MAX_LENGTH)) for t in TEXTS]
    return DataCollatorWithPadding(tokenizer)(features)


def test_tokens_per_batch_correct(dynamic_batch, capsys):
    rows, columns = dynamic_batch["input_ids"].shape
    assert check(
        "01-tokens-por-batch",
        batch=dynamic_batch,
        dynamic_positions=dynamic_batch["input_ids"].numel(),
        max_length_positions=rows * 64,
        max_length=64,
    )
    assert "veces menos posiciones" in capsys.readouterr().out


# --- CheckFailed y registro -----------------------------------------------------------------


def test_check_failed_renders_one_line():
    failure = CheckFailed("01-tokenizar", "usa truncation=True.")
    lines = failure._render_traceback_()
    assert len(lines) == 1
    assert lines[0].startswith("❌")
    assert lines[0] == "❌ Ejercicio «01-tokenizar»: todavía no: usa truncation=True."
    assert isinstance(failure, CourseError)
    assert failure.exercise_id == "01-tokenizar" and failure.hint == "usa truncation=True."


def test_check_failed_pickles():
    import pickle

    failure = pickle.loads(pickle.dumps(CheckFailed("x", "pista")))
    assert (failure.exercise_id, failure.hint, str(failure)) == (
        "x",
        "pista",
        str(CheckFailed("x", "pista")),
    )


@pytest.fixture
def custom_exercise_id():
    exercise_id = "zz-test-registro"
    yield exercise_id
    coursekit.checks._REGISTRY.pop(exercise_id, None)


def test_register_and_check_custom_exercise(custom_exercise_id, capsys):
    @register(custom_exercise_id)
    def _check(value):
        assert value == 42, "el valor debería ser 42."
        return "bien hecho."

    assert custom_exercise_id in available_checks()
    assert check(custom_exercise_id, value=42)
    assert (
        capsys.readouterr().out.strip()
        == f"✅ Ejercicio «{custom_exercise_id}»: ¡correcto! bien hecho."
    )
    with pytest.raises(CheckFailed, match="todavía no: el valor debería ser 42."):
        check(custom_exercise_id, value=41)


def test_register_twice_is_an_error(custom_exercise_id):
    register(custom_exercise_id)(lambda: "ok")
    with pytest.raises(CourseError, match=f"'{custom_exercise_id}' ya está registrada"):
        register(custom_exercise_id)(lambda: "otra")
    assert coursekit.checks._REGISTRY[custom_exercise_id]() == "ok"
