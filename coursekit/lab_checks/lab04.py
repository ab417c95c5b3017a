"""Comprobaciones del lab 04: bucle de entrenamiento nativo en PyTorch.

Cada comprobación trabaja sobre copias del modelo y restaura los generadores aleatorios,
para que comprobar un ejercicio no cambie lo que el notebook entrena después. Las pistas
nombran la idea equivocada (qué necesita cada operación), no el código que hay que escribir.
"""

from __future__ import annotations

import copy

from coursekit.checks import expect, fail, register

# La comprobación pasa un max_grad_norm por debajo de la norma real de los gradientes del lote
# (la mitad, y como mucho 0.5, lejos del 1.0 de Trainer): así el recorte cambia el paso con
# cualquier modelo y cualquier lote, y se nota si la función ignora su argumento.
MAX_GRAD_NORM_CAP = 0.5
STEPS = 2


class _StepSpy:
    """Mira el estado justo antes de cada ``optimizer.step()`` con un *pre-hook* del optimizador
    (``register_step_pre_hook`` de PyTorch): la norma de los gradientes, la tasa de
    aprendizaje y los gradientes de la cabeza (los últimos parámetros, pocos números)."""

    def __init__(self, optimizer, parameters) -> None:
        self.calls = 0
        self.grad_norms: list[float] = []
        self.rates: list[float] = []
        self.head_grads: list[list] = []
        self._parameters = parameters
        self.handle = optimizer.register_step_pre_hook(self._before_step)

    def _before_step(self, optimizer, args, kwargs) -> None:
        import torch

        grads = [p.grad.detach().flatten() for p in self._parameters if p.grad is not None]
        self.grad_norms.append(float(torch.cat(grads).norm()) if grads else 0.0)
        self.rates.append(float(optimizer.param_groups[0]["lr"]))
        self.head_grads.append(
            [
                None if p.grad is None else p.grad.detach().cpu().clone()
                for p in self._parameters[-2:]
            ]
        )
        self.calls += 1


def _fresh_training_state(model, learning_rate):
    """Copia del modelo en modo entrenamiento, con su AdamW, su scheduler lineal y el espía."""
    import torch
    from transformers import get_scheduler

    clone = copy.deepcopy(model)
    clone.train()
    optimizer = torch.optim.AdamW(clone.parameters(), lr=learning_rate, weight_decay=0.01)
    spy = _StepSpy(optimizer, list(clone.parameters()))
    scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=10
    )
    return clone, optimizer, scheduler, spy


def _gradient_norm(model, batch) -> float:
    """Norma de los gradientes de un pase hacia atrás con el lote, sin recortar (en una copia)."""
    import torch

    clone = copy.deepcopy(model)
    clone.train()
    device = next(clone.parameters()).device
    clone(**{name: tensor.to(device) for name, tensor in batch.items()}).loss.backward()
    return float(torch.nn.utils.clip_grad_norm_(clone.parameters(), float("inf")))


def _reference_step(model, batch, optimizer, scheduler, max_grad_norm) -> float:
    import torch

    device = next(model.parameters()).device
    outputs = model(**{name: tensor.to(device) for name, tensor in batch.items()})
    outputs.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return outputs.loss.item()


def _same_grads(mine, theirs) -> bool:
    import torch

    return all(
        a is not None and b is not None and torch.allclose(a, b, rtol=1e-4, atol=1e-7)
        for a, b in zip(mine, theirs, strict=True)
    )


@register("04-paso-de-entrenamiento")
def _check_train_step(train_step, model, batch, learning_rate) -> str:
    import torch

    expect(callable(train_step), "train_step tiene que ser una función.")
    expect("labels" in batch, "el lote no trae labels: sin ellas el modelo no calcula la pérdida.")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        max_grad_norm = min(MAX_GRAD_NORM_CAP, _gradient_norm(model, batch) / 2)
        student, optimizer, scheduler, spy = _fresh_training_state(model, learning_rate)
        initial_lr = scheduler.get_last_lr()[0]
        losses, rates = [], []
        for step in range(STEPS):
            torch.manual_seed(step)
            losses.append(
                train_step(student, batch, optimizer, scheduler, max_grad_norm=max_grad_norm)
            )
            rates.append(scheduler.get_last_lr()[0])
        reference, ref_optimizer, ref_scheduler, ref_spy = _fresh_training_state(
            model, learning_rate
        )
        reference_losses = []
        for step in range(STEPS):
            torch.manual_seed(step)
            reference_losses.append(
                _reference_step(reference, batch, ref_optimizer, ref_scheduler, max_grad_norm)
            )
        ref_rates = [ref_spy.rates[0], ref_scheduler.get_last_lr()[0]]
    spy.handle.remove()

    loss = losses[0]
    expect(loss is not None, "train_step no devuelve nada: tiene que devolver la pérdida del lote.")
    if not isinstance(loss, float):
        fail(
            f"train_step devuelve un {type(loss).__name__}; devuelve un número de Python "
            "(.item()): guardar tensores mantiene vivo el grafo y gasta memoria."
        )
    if not (abs(loss - reference_losses[0]) < 1e-4):
        fail(
            f"la pérdida devuelta ({loss:.4f}) no es la del lote ({reference_losses[0]:.4f}): "
            "devuelve la que calcula el modelo en el pase hacia delante, con las labels del lote."
        )
    if spy.calls != STEPS:
        fail(
            "el optimizador no actualizó los pesos: sin su paso, los gradientes no sirven de nada."
            if spy.calls == 0
            else f"en {STEPS} llamadas el optimizador actualizó {spy.calls} veces; una por paso."
        )
    if spy.grad_norms[0] == 0.0:
        fail(
            "al actualizar no había gradientes: se calcularon después del paso del optimizador "
            "o se borraron antes de que los usara."
        )
    if not (spy.grad_norms[0] <= max_grad_norm * 1.001):
        fail(
            f"al actualizar, la norma de los gradientes era {spy.grad_norms[0]:.3g} y "
            f"max_grad_norm={max_grad_norm:.3g}: el recorte tiene que hacerse antes de que el "
            "optimizador use los gradientes, y con el max_grad_norm que recibe la función."
        )
    if not (abs(spy.rates[0] - initial_lr) < 1e-15):
        fail(
            "el primer paso usó una tasa de aprendizaje ya reducida: el scheduler avanza después "
            "de cada actualización de los pesos, no antes."
        )
    expect(
        rates[0] != initial_lr,
        "la tasa de aprendizaje no cambió tras el paso: el scheduler también tiene que avanzar, "
        "una vez por cada actualización.",
    )
    if not (abs(rates[-1] - ref_rates[-1]) < 1e-15):
        fail(
            f"tras {STEPS} pasos la tasa de aprendizaje es {rates[-1]:.3g} y debería ser "
            f"{ref_rates[-1]:.3g}: el scheduler avanza exactamente una vez por paso."
        )
    if _same_grads(spy.head_grads[0], ref_spy.head_grads[0]) and not _same_grads(
        spy.head_grads[1], ref_spy.head_grads[1]
    ):
        fail(
            "en el segundo paso, los gradientes incluían los del primero: PyTorch acumula (suma) "
            "los gradientes de cada pase hacia atrás hasta que se borran. Bórralos una vez en "
            "cada paso."
        )
    for (name, mine), theirs in zip(
        student.named_parameters(), reference.parameters(), strict=True
    ):
        if not torch.allclose(mine, theirs, atol=1e-6):
            fail(
                f"tras {STEPS} pasos, los pesos ({name}) no quedan como tras dos pasos normales. "
                "Piensa qué necesita cada operación: la pérdida, sus gradientes, recortarlos, "
                "usarlos para actualizar, avanzar la tasa y borrarlos antes del siguiente lote."
            )
    return f"Pérdida del lote: {loss:.4f}."


def _run_evaluation(evaluate_model, model, dataloader) -> tuple[object, list[tuple[bool, bool]]]:
    """Llama a la función del estudiante con el modelo en modo entrenamiento (el estado en que
    lo deja el bucle) y anota, en cada pase hacia delante, si se guardaban gradientes y si el
    modelo seguía en modo entrenamiento."""
    import torch

    seen: list[tuple[bool, bool]] = []
    model.train()
    hook = model.register_forward_hook(
        lambda module, *_: seen.append((torch.is_grad_enabled(), module.training))
    )
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            result = evaluate_model(model, dataloader)
    finally:
        hook.remove()
    return result, seen


def _reference_predictions(model, dataloader) -> tuple[list[int], list[int], list[dict]]:
    import torch

    from coursekit.metrics import classification_metrics

    device = next(model.parameters()).device
    model.eval()
    predictions, references, per_batch = [], [], []
    with torch.no_grad():
        for batch in dataloader:
            batch = {name: tensor.to(device) for name, tensor in batch.items()}
            batch_predictions = model(**batch).logits.argmax(dim=-1).tolist()
            batch_references = batch["labels"].tolist()
            predictions += batch_predictions
            references += batch_references
            per_batch.append(classification_metrics(batch_predictions, batch_references))
    return predictions, references, per_batch


def _evaluation_verdict(result, seen, model, dataloader, where: str) -> dict:
    """Compara lo que devolvió ``evaluate_model`` con la referencia; falla con una pista."""
    from sklearn.metrics import f1_score

    from coursekit.metrics import classification_metrics

    expect(
        isinstance(result, dict),
        "evaluate_model debe devolver un diccionario {'accuracy': ..., 'f1_macro': ...}.",
    )
    missing = {"accuracy", "f1_macro"} - set(result)
    if missing:
        fail(f"faltan las claves {sorted(missing)} en el diccionario.")
    expect(seen, "evaluate_model no pasó ningún lote por el modelo.")
    if any(training for _, training in seen):
        fail(
            "el modelo predijo en modo entrenamiento: el dropout seguía apagando neuronas al "
            "azar y las métricas cambian de una ejecución a otra. Pásalo a modo evaluación "
            "antes de predecir."
        )
    if any(grad for grad, _ in seen):
        fail(
            "el pase hacia delante de la evaluación guardó lo necesario para calcular gradientes, "
            "que aquí no se usan: gasta memoria y tiempo (busca cómo desactivarlos en PyTorch)."
        )
    predictions, references, per_batch = _reference_predictions(model, dataloader)
    expected = classification_metrics(predictions, references)
    accuracy, f1 = float(result["accuracy"]), float(result["f1_macro"])
    if not (abs(accuracy - expected["accuracy"]) < 1e-9):
        if abs(accuracy - per_batch[-1]["accuracy"]) < 1e-9:
            fail(
                f"{where}, la exactitud es la del último lote: las métricas tienen que recibir "
                "las predicciones de todos los lotes antes de calcularse."
            )
        fail(
            f"{where}, la exactitud ({accuracy:.4f}) no es la de todo el dataloader: cada "
            "ejemplo aporta una clase predicha (la de mayor logit) y su etiqueta, en todos los "
            "lotes."
        )
    if not (abs(f1 - expected["f1_macro"]) < 1e-9):
        others = {
            average: f1_score(references, predictions, average=average)
            for average in ("weighted", "micro")
        }
        named = next((a for a, v in others.items() if abs(f1 - v) < 1e-9), None)
        fail(
            f"{where}, la F1 ({f1:.4f}) no es la F1 macro"
            + (f" (es la '{named}')" if named else "")
            + ": la macro calcula la F1 de cada clase y las promedia sin ponderar, así una "
            "clase rara cuenta igual que una frecuente."
        )
    return expected


@register("04-bucle-de-evaluacion")
def _check_evaluation_loop(evaluate_model, model, dataloader) -> str:
    from coursekit.toy_models import ToyClassifier, toy_batches

    expect(callable(evaluate_model), "evaluate_model tiene que ser una función.")
    # 1) Un caso pequeño que pone a prueba cada idea: 3 clases desequilibradas, 3 lotes
    #    distintos y dropout fuerte (en modo entrenamiento las predicciones cambian).
    device = next(model.parameters()).device
    toy = ToyClassifier(num_classes=3, seed=0).to(device)
    toy_loader = toy_batches(3, (7, 6, 5), seed=0)
    result, seen = _run_evaluation(evaluate_model, toy, toy_loader)
    _evaluation_verdict(result, seen, toy, toy_loader, "con 3 clases desequilibradas")
    # 2) El modelo y los datos del notebook.
    clone = copy.deepcopy(model)
    result, seen = _run_evaluation(evaluate_model, clone, dataloader)
    expected = _evaluation_verdict(result, seen, clone, dataloader, "con tus datos")
    return f"Exactitud {expected['accuracy']:.3f}, F1 macro {expected['f1_macro']:.3f}."
