"""Los jueces solo ven datos de las sondas con la forma declarada (tipos, rangos, tamaños).

Lo que devuelve una sonda sale del kernel del estudiante: puede traer ``r=10**7`` para el
LoraConfig del juez del lab 05, listas enormes o NaN. Rápidas: no se ejecuta ningún notebook.
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

from coursekit.instructor.grading.hidden import load_lab_tests
from coursekit.instructor.grading.probe_data import (
    INVALID_PREFIX,
    AnyOf,
    Flag,
    Integer,
    InvalidProbeData,
    ListOf,
    Nullable,
    Number,
    Record,
    Scalar,
    Table,
    Text,
    validate,
)
from coursekit.instructor.grading.scoring import judge_exercise

ROOT = Path(__file__).resolve().parents[1]
LABS = ("01", "02", "03", "04", "05", "06", "07")


def _test(lab: str, exercise: str):
    return next(
        t for t in load_lab_tests(lab, ROOT / "hidden_tests").tests if t.exercise == exercise
    )


def _hints(score) -> set[str]:
    return {part.hint for part in score.parts}


# --- las piezas -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, value, message",
    [
        (Integer(1, 1024), 10**7, "fuera del rango [1, 1024]"),
        (Integer(), True, "se esperaba un entero y llegó booleano"),
        (Number(), math.nan, "no es finito"),
        (Number(), math.inf, "no es finito"),
        (Number(0, 1), "0.5", "se esperaba un número y llegó texto"),
        (Text(10), "x" * 11, "texto de 11 caracteres (máximo 10)"),
        (ListOf(Integer(), max_length=3), [1, 2, 3, 4], "lista de 4 elementos"),
        (ListOf(ListOf(Flag(), 2, 2)), [[True, False], [True]], "«[1]»: lista de 1 elementos"),
        (Record({"a": Integer()}), {"a": 1, "b": 2}, "claves que la sonda no devuelve"),
        (Record({"a": Integer()}), {}, "falta la clave 'a'"),
        (Record({"a": Record({"r": Integer(1, 8)})}), {"a": {"r": 9}}, "«a.r»"),
        (Nullable(Integer()), "uno", "ninguna de las formas esperadas"),
    ],
)
def test_specs_reject_what_does_not_fit_and_say_where(spec, value, message):
    with pytest.raises(InvalidProbeData, match=re.escape(message)):
        validate(spec, value)


def test_specs_accept_what_fits():
    spec = Record(
        {
            "n": Integer(0, 10),
            "x": Number(finite=False),
            "texts": ListOf(Text(5)),
            "any": ListOf(Scalar()),
            "table": Table(AnyOf((Integer(), Text()))),
        },
        optional={"extra": Flag()},
    )
    validate(
        spec,
        {"n": 3, "x": math.nan, "texts": ["a"], "any": [1, 2.5, "x", True, None], "table": {}},
    )
    validate(None, object())  # sin forma declarada no se comprueba nada


def test_messages_never_repeat_what_the_submission_wrote():
    with pytest.raises(InvalidProbeData) as raised:
        validate(Table(Integer()), {"<script>alert(1)</script>": "=HYPERLINK()"})
    assert "script" not in str(raised.value) and "HYPERLINK" not in str(raised.value)


# --- cada prueba oculta declara su forma --------------------------------------------------------


@pytest.mark.parametrize("lab", LABS)
def test_every_hidden_test_declares_the_shape_of_its_probe_data(lab):
    for test in load_lab_tests(lab, ROOT / "hidden_tests").tests:
        assert test.schema is not None, test.exercise


def test_absurd_lora_rank_never_reaches_peft(monkeypatch):
    """Antes: el juez construía LoraConfig(r=10**7) y llamaba a get_peft_model en el proceso
    del corrector (decenas de GB)."""
    import peft

    calls = []
    monkeypatch.setattr(peft, "get_peft_model", lambda *a, **k: calls.append(a) or 1 / 0)
    fields = {
        "r": 10**7,
        "lora_alpha": 16,
        "lora_dropout": 0.1,
        "bias": "none",
        "target_modules": ["key", "query", "value"],
        "modules_to_save": ["classifier"],
    }
    config = {"type": "LoraConfig", "task_type": "SEQ_CLS", "fields": fields}
    score = judge_exercise(
        _test("05", "05-lora-config"), {"ok": True, "value": {"mine": config, "reference": config}}
    )
    assert calls == [] and score.points == 0
    (hint,) = _hints(score)
    assert hint.startswith(f"{INVALID_PREFIX}: «mine.fields.r»")


def test_nan_metrics_do_not_score():
    """Antes: ``abs(nan - x) > 1e-9`` es falso y una compute_metrics que devolvía NaN se
    llevaba los dos puntos del lab 02."""
    nan = {"accuracy": math.nan, "f1_macro": math.nan}
    test = _test("02", "02-compute-metrics")
    score = judge_exercise(test, {"ok": True, "value": [nan, nan]})
    assert score.points == 0 and all(INVALID_PREFIX in hint for hint in _hints(score))
    # El juez tampoco lo da por bueno sin la comprobación de forma.
    verdict = test.judge([nan, nan])
    assert verdict["exactitud"] and verdict["F1 macro"]


def test_huge_lists_are_rejected_before_the_judge():
    test = _test("01", "01-tokenizar")
    huge = {"keys": ["attention_mask", "input_ids"], "input_ids": [[0] * 200_000] * 5}
    score = judge_exercise(test, {"ok": True, "value": huge})
    assert score.points == 0
    assert _hints(score) == {
        f"{INVALID_PREFIX}: «input_ids»: no tiene ninguna de las formas esperadas "
        "(«input_ids[0]»: lista de 200000 elementos (se esperaban entre 0 y 10000).)."
    }
    points = _test("07", "07-puntos-sobre-base")
    assert judge_exercise(points, {"ok": True, "value": [0.0] * 10**6}).points == 0


# --- nombres públicos -----------------------------------------------------------------------------


def _imports(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


@pytest.mark.parametrize("lab", LABS)
def test_hidden_tests_use_public_names_only(lab):
    path = ROOT / "hidden_tests" / f"lab{lab}.py"
    private = [f"{m}.{n}" for m, n in _imports(path) if m.startswith("coursekit") and n[:1] == "_"]
    assert private == []


@pytest.mark.parametrize("lab", LABS)
def test_probes_do_not_import_the_public_checks_in_the_kernel(lab):
    """Lo que viaja al kernel no importa coursekit.lab_checks: el estudiante podría parchearlo."""
    for test in load_lab_tests(lab, ROOT / "hidden_tests").tests:
        assert "coursekit.lab_checks" not in test.probe_source(), test.exercise


def test_loss_facts_and_description_match_the_public_check():
    """La sonda del lab 03 devuelve datos en bruto (loss_facts); el juez los interpreta con
    describe_loss, la misma cuenta que la comprobación pública (loss_description)."""
    from coursekit.lab_checks.lab03 import describe_loss, loss_description, loss_facts

    class LossFunctionWrapper:
        def __init__(self, fn, **config):
            self.fn, self.config = fn, config

        def get_config(self):
            return self.config

    class SparseCategoricalCrossentropy:
        def get_config(self):
            return {"from_logits": True}

    def sparse_categorical_crossentropy():
        return None

    cases = {
        "sparse_categorical_crossentropy": ("sparsecategoricalcrossentropy", False),
        SparseCategoricalCrossentropy(): ("sparsecategoricalcrossentropy", True),
        LossFunctionWrapper(sparse_categorical_crossentropy, from_logits=True): (
            "sparsecategoricalcrossentropy",
            True,
        ),
        LossFunctionWrapper(sparse_categorical_crossentropy): (
            "sparsecategoricalcrossentropy",
            False,
        ),
        sparse_categorical_crossentropy: ("sparsecategoricalcrossentropy", False),
    }
    for loss, expected in cases.items():
        assert loss_description(loss) == describe_loss(loss_facts(loss)) == expected
