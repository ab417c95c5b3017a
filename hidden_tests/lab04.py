"""Pruebas ocultas del lab 04 (bucle nativo en PyTorch). Ver coursekit/instructor/grading/hidden.py.

Otras entradas que la comprobación pública: un clasificador de juguete (coursekit.toy_models)
con 4 clases para ``train_step``, con SGD (con AdamW un recorte apenas cambia el primer paso),
dos lotes distintos y un ``max_grad_norm`` que sí recorta; y 5 clases desequilibradas en 4
lotes para ``evaluate_model``. Las sondas solo llaman a las funciones del estudiante y
devuelven números; los jueces repiten el cálculo de referencia fuera de su kernel.
"""

from __future__ import annotations

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import (
    Flag,
    ListOf,
    Nullable,
    Number,
    Record,
    Text,
)

# Los números solo se comparan con una tolerancia (``<=``): un NaN no pasa, así que se admite
# (una pérdida NaN es un error del estudiante que merece su pista, no «datos no válidos»).
_ANY_NUMBER = Number(finite=False)


def train_case():
    """(clases, tamaños de los lotes, semilla, max_grad_norm, tasa de SGD, pasos del scheduler)."""
    return 4, (6, 5), 3, 0.3, 0.5, 4


def train_setup(device):
    """Modelo de juguete en modo entrenamiento, SGD con scheduler lineal, lotes y espía."""
    import torch
    from transformers import get_scheduler

    from coursekit.toy_models import ToyClassifier, toy_batches

    classes, sizes, seed, _, rate, total = train_case()
    model = ToyClassifier(classes, seed=seed).to(device)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=rate)
    scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=total
    )
    seen = []

    def before_step(opt, args, kwargs):
        grads = [p.grad.detach().flatten() for p in model.parameters() if p.grad is not None]
        seen.append(
            {
                "norm": float(torch.cat(grads).norm()) if grads else 0.0,
                "lr": float(opt.param_groups[0]["lr"]),
                "head": [float(v) for v in model.classifier.bias.grad.detach().cpu()]
                if model.classifier.bias.grad is not None
                else None,
            }
        )

    optimizer.register_step_pre_hook(before_step)
    return model, optimizer, scheduler, toy_batches(classes, sizes, seed=seed), seen


def probe_train_step(ns):
    import torch

    device = ns.get("device", "cpu")
    model, optimizer, scheduler, batches, seen = train_setup(device)
    max_grad_norm = train_case()[3]
    returned = []
    for step, batch in enumerate(batches):
        torch.manual_seed(step)
        value = ns["train_step"](model, batch, optimizer, scheduler, max_grad_norm=max_grad_norm)
        returned.append(
            {"type": type(value).__name__, "value": float(value) if value is not None else None}
        )
    return {
        "returned": returned,
        "seen": seen,
        "last_lr": float(scheduler.get_last_lr()[0]),
        "weights": [float(v) for p in model.parameters() for v in p.detach().cpu().flatten()],
    }


def reference_train():
    """Lo que observaría la sonda con el paso de referencia (se calcula fuera del kernel)."""
    import torch

    model, optimizer, scheduler, batches, seen = train_setup("cpu")
    max_grad_norm = train_case()[3]
    returned = []
    for step, batch in enumerate(batches):
        torch.manual_seed(step)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        returned.append({"type": "float", "value": loss.item()})
    return {
        "returned": returned,
        "seen": seen,
        "last_lr": float(scheduler.get_last_lr()[0]),
        "weights": [float(v) for p in model.parameters() for v in p.detach().flatten()],
    }


def _close(a, b, tolerance=1e-5) -> bool:
    if a is None or b is None or len(a) != len(b):
        return False
    return all(abs(x - y) <= tolerance * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


TRAIN_STEP_SCHEMA = Record(
    {
        "returned": ListOf(
            Record({"type": Text(200), "value": Nullable(_ANY_NUMBER)}), max_length=10
        ),
        "seen": ListOf(
            Record(
                {
                    "norm": _ANY_NUMBER,
                    "lr": _ANY_NUMBER,
                    "head": Nullable(ListOf(_ANY_NUMBER, max_length=100)),
                }
            ),
            max_length=100,
        ),
        "last_lr": _ANY_NUMBER,
        "weights": ListOf(_ANY_NUMBER, max_length=100_000),
    }
)


def judge_train_step(seen) -> dict:
    expected = reference_train()
    max_grad_norm = train_case()[3]
    returned, steps = seen["returned"], seen["seen"]
    loss_ok = all(r["type"] == "float" for r in returned) and _close(
        [r["value"] for r in returned], [r["value"] for r in expected["returned"]]
    )
    clip_ok = len(steps) == len(expected["seen"]) and all(
        0 < s["norm"] <= max_grad_norm * 1.001 for s in steps
    )
    rates_ok = len(steps) == len(expected["seen"]) and _close(
        [s["lr"] for s in steps] + [seen["last_lr"]],
        [s["lr"] for s in expected["seen"]] + [expected["last_lr"]],
        1e-9,
    )
    fresh_ok = len(steps) == len(expected["seen"]) and all(
        _close(s["head"], e["head"], 1e-4) for s, e in zip(steps, expected["seen"], strict=True)
    )
    return {
        "devuelve la pérdida": None
        if loss_ok
        else "con otro modelo y otros lotes, train_step no devuelve como número de Python la "
        "pérdida de cada lote.",
        "recorta antes de actualizar": None
        if clip_ok
        else "con otro max_grad_norm, los gradientes no estaban recortados (o no había) cuando "
        "el optimizador los usó.",
        "avanza el scheduler": None
        if rates_ok
        else "la tasa de aprendizaje no sigue al scheduler: un avance después de cada "
        "actualización.",
        "no acumula gradientes": None
        if fresh_ok
        else "en algún paso, los gradientes no eran solo los de su lote: se acumulan si no se "
        "borran en cada paso.",
        "pesos tras dos pasos": None
        if _close(seen["weights"], expected["weights"], 1e-4)
        else "con SGD y dos lotes distintos, los pesos no quedan como tras dos pasos correctos.",
    }


def eval_case():
    """(clases, tamaños de los lotes, semilla): 5 clases desequilibradas, como Yelp."""
    return 5, (9, 8, 7, 4), 7


def probe_evaluate(ns):
    import torch

    from coursekit.toy_models import ToyClassifier, toy_batches

    classes, sizes, seed = eval_case()
    model = ToyClassifier(classes, seed=seed).to(ns.get("device", "cpu"))
    model.train()
    flags = []
    model.register_forward_hook(
        lambda module, *_: flags.append([torch.is_grad_enabled(), module.training])
    )
    torch.manual_seed(0)
    result = ns["evaluate_model"](model, toy_batches(classes, sizes, seed=seed))
    values = {}
    if isinstance(result, dict):
        values = {k: float(result[k]) for k in ("accuracy", "f1_macro") if k in result}
    return {"type": type(result).__name__, "values": values, "flags": flags}


def reference_evaluation() -> dict:
    import torch

    from coursekit.metrics import classification_metrics
    from coursekit.toy_models import ToyClassifier, toy_batches

    classes, sizes, seed = eval_case()
    model = ToyClassifier(classes, seed=seed).eval()
    predictions, references = [], []
    with torch.no_grad():
        for batch in toy_batches(classes, sizes, seed=seed):
            predictions += model(**batch).logits.argmax(dim=-1).tolist()
            references += batch["labels"].tolist()
    return classification_metrics(predictions, references)


EVALUATE_SCHEMA = Record(
    {
        "type": Text(200),
        "values": Record({}, optional={"accuracy": _ANY_NUMBER, "f1_macro": _ANY_NUMBER}),
        "flags": ListOf(ListOf(Flag(), max_length=2, min_length=2), max_length=10_000),
    }
)


def judge_evaluate(seen) -> dict:
    expected = reference_evaluation()
    values, flags = seen["values"], seen["flags"]
    return {
        "modo evaluación": None
        if flags and not any(training for _, training in flags)
        else "el modelo predijo en modo entrenamiento (con el dropout activo).",
        "sin gradientes": None
        if flags and not any(grad for grad, _ in flags)
        else "la evaluación guardó lo necesario para calcular gradientes.",
        "exactitud": None
        if abs(values.get("accuracy", -1) - expected["accuracy"]) < 1e-9
        else "con 5 clases en 4 lotes, la exactitud no es la de todo el dataloader.",
        "F1 macro": None
        if abs(values.get("f1_macro", -1) - expected["f1_macro"]) < 1e-9
        else "con 5 clases desequilibradas, la F1 no es la macro de todo el dataloader.",
    }


LAB_TESTS = LabTests(
    lab="04",
    # El bucle de entrenamiento, sus gráficos, la comparación con la predicción y Accelerate
    # solo se muestran: las sondas usan sus propios modelos de juguete. Las celdas que definen
    # lo que leen las sondas se ejecutan siempre.
    skip_cells=(
        r"progress = tqdm\(",
        r"history = pd\.DataFrame\(",
        r"first_loss = step_losses",
        r"predict_texts\(",
        r"Accelerator\(",
        r"test_scores = evaluate_model\(",  # la evaluación final en test solo se muestra
    ),
    keep_names=("train_step", "evaluate_model", "device"),
    tests=(
        HiddenTest(
            "04-paso-de-entrenamiento",
            parts={
                "devuelve la pérdida": 1,
                "recorta antes de actualizar": 1,
                "avanza el scheduler": 1,
                "no acumula gradientes": 1,
                "pesos tras dos pasos": 1,
            },
            probe=probe_train_step,
            judge=judge_train_step,
            helpers=(train_case, train_setup),
            schema=TRAIN_STEP_SCHEMA,
        ),
        HiddenTest(
            "04-bucle-de-evaluacion",
            parts={"modo evaluación": 1, "sin gradientes": 1, "exactitud": 1, "F1 macro": 1},
            probe=probe_evaluate,
            judge=judge_evaluate,
            helpers=(eval_case,),
            schema=EVALUATE_SCHEMA,
        ),
    ),
)
