"""Pruebas ocultas del lab 07 (LLRD y la tabla comparativa).

Ver coursekit/instructor/grading/hidden.py.

Los dos ejercicios son celdas, no funciones: la sonda vuelve a ejecutar la celda que el
estudiante escribió (el historial ``In`` del kernel) con entradas nuevas: un BERT diminuto de
3 capas y otra tasa base para los grupos de LLRD, y una tabla de 5 clases (línea base 0.2) para
los puntos sobre la línea base. Las entradas nuevas no dependen de lo que entrene el notebook.
"""

from __future__ import annotations

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import ListOf, Number, Record, Text


def hidden_base_lr():
    """Tasa base de la prueba oculta (el notebook usa la del perfil; decay es el de la celda)."""
    return 3e-4


def tiny_model():
    """Un BERT de 3 capas con pesos al azar (semilla fija): otro modelo que el del notebook."""
    from coursekit.toy_models import tiny_bert_classifier

    return tiny_bert_classifier(num_labels=5, hidden_size=16, num_layers=3, vocab_size=100)


def run_student_cell(ns, marker, make_scope, produced):
    """Vuelve a ejecutar, con ``make_scope()`` como espacio de nombres, la última celda del
    historial ``In`` que contiene ``marker`` y deja ``produced(scope)`` cierto (otras celdas
    pueden nombrar lo mismo en un comentario). Devuelve ese espacio de nombres."""
    cells = [
        c
        for c in ns["In"]
        if marker in c and "check(" not in c and "__coursekit_run_probe" not in c
    ]
    errors = []
    for cell in reversed(cells):
        scope = make_scope()
        try:
            exec(cell, scope)
        except Exception as error:
            errors.append(error)
            continue
        if produced(scope):
            return scope
    not_done = [e for e in errors if type(e).__name__ == "ExerciseNotDone"]
    if not_done:
        raise not_done[0]
    if errors:
        raise errors[-1]
    raise LookupError(f"no encuentro la celda del ejercicio ({marker!r})")


def probe_llrd(ns):
    import types

    from coursekit.optim import parameter_depths

    model = tiny_model()

    def make_scope():
        return {
            "model": model,
            "depths": parameter_depths(model),
            "profile": types.SimpleNamespace(learning_rate=hidden_base_lr()),
            "base_lr": hidden_base_lr(),
        }

    scope = run_student_cell(ns, "param_groups", make_scope, lambda s: "param_groups" in s)
    names = {id(p): n for n, p in model.named_parameters()}
    groups = []
    for group in scope["param_groups"]:
        groups.append(
            {"lr": float(group["lr"]), "params": [names.get(id(p), "?") for p in group["params"]]}
        )
    return {"groups": groups, "decay": float(scope["decay"])}


LLRD_SCHEMA = Record(
    {
        "groups": ListOf(
            Record({"lr": Number(), "params": ListOf(Text(300), max_length=10_000)}),
            max_length=10_000,
        ),
        "decay": Number(),
    }
)


def judge_llrd(seen) -> dict:
    from coursekit.optim import parameter_depths

    depths = parameter_depths(tiny_model())
    listed = [name for group in seen["groups"] for name in group["params"]]
    once = sorted(listed) == sorted(depths)
    decay = seen["decay"]
    rates_ok = (
        once
        and 0 < decay < 1
        and all(
            abs(group["lr"] - hidden_base_lr() * decay ** depths[name]) <= 1e-12 * hidden_base_lr()
            for group in seen["groups"]
            for name in group["params"]
        )
    )
    return {
        "cada parámetro en un grupo": None
        if once
        else "con otro modelo (3 capas), no todos los parámetros están exactamente en un "
        "grupo: recorre todas las profundidades, cabeza y embeddings incluidos.",
        "tasa por profundidad": None
        if rates_ok
        else "con otro modelo y otra tasa base, las tasas no son base_lr × decay elevado a la "
        "profundidad de cada parámetro (la cabeza, profundidad 0, con base_lr).",
    }


def hidden_table():
    """Tabla de 5 clases (como Yelp): línea base 0.2, métodos por encima y por debajo."""
    return {"exactitud": [0.47, 0.18, 0.2, 0.335], "F1 macro": [0.45, 0.07, 0.12, 0.3]}, 0.2


def probe_points(ns):
    import pandas as pd

    columns, baseline = hidden_table()
    column = "puntos sobre la línea base"

    def make_scope():
        results = pd.DataFrame(columns, index=["a", "b", "c", "d"])
        results["% entrenable"] = [100.0, 0.3, 0.04, 15.6]
        return {"results": results, "baseline_accuracy": baseline, "pd": pd}

    def produced(scope):
        return column in getattr(scope.get("results"), "columns", [])

    scope = run_student_cell(ns, column, make_scope, produced)
    return [float(v) for v in scope["results"]["puntos sobre la línea base"]]


POINTS_SCHEMA = ListOf(Number(), max_length=100)


def judge_points(seen) -> dict:
    columns, baseline = hidden_table()
    expected = [100 * (accuracy - baseline) for accuracy in columns["exactitud"]]
    right = len(seen) == len(expected) and all(
        abs(a - b) < 1e-6 for a, b in zip(seen, expected, strict=True)
    )
    return {
        "puntos sobre la línea base": None
        if right
        else "con otra tabla (5 clases, línea base 0.2) los valores no son la diferencia "
        "entre la exactitud y la línea base en puntos porcentuales.",
    }


LAB_TESTS = LabTests(
    lab="07",
    # No se salta ninguna celda: sin la tabla de compare_methods, la celda del ejercicio 2 y las
    # que la leen fallarían y una solución correcta recibiría el aviso «celdas con error». Las
    # sondas vuelven a ejecutar las celdas de los ejercicios con entradas propias.
    keep_names=("param_groups", "depths"),
    tests=(
        HiddenTest(
            "07-grupos-llrd",
            parts={"cada parámetro en un grupo": 1, "tasa por profundidad": 2},
            probe=probe_llrd,
            judge=judge_llrd,
            helpers=(tiny_model, run_student_cell, hidden_base_lr),
            schema=LLRD_SCHEMA,
        ),
        HiddenTest(
            "07-puntos-sobre-base",
            parts={"puntos sobre la línea base": 2},
            probe=probe_points,
            judge=judge_points,
            helpers=(hidden_table, run_student_cell),
            schema=POINTS_SCHEMA,
        ),
    ),
)
