"""Comprobaciones del lab 04: bucle de entrenamiento nativo en PyTorch.

Cada comprobación trabaja sobre copias del modelo y restaura los generadores aleatorios,
para que comprobar un ejercicio no cambie lo que el notebook entrena después.
"""

from __future__ import annotations

import copy

from coursekit.checks import expect, fail, register

MAX_GRAD_NORM = 1.0


class _StepSpy:
    """Mide la norma de los gradientes en el momento de actualizar, con un *pre-hook* del
    optimizador (``register_step_pre_hook`` de PyTorch): no sustituye ``optimizer.step``."""

    def __init__(self, optimizer, parameters) -> None:
        self.calls = 0
        self.grad_norm = None
        self._parameters = parameters
        self.handle = optimizer.register_step_pre_hook(self._before_step)

    def _before_step(self, optimizer, args, kwargs) -> None:
        import torch

        grads = [p.grad.detach().flatten() for p in self._parameters if p.grad is not None]
        self.grad_norm = float(torch.cat(grads).norm()) if grads else 0.0
        self.calls += 1


def _fresh_training_state(model, learning_rate, spy=False):
    """Copia del modelo en modo entrenamiento, con su AdamW y su scheduler lineal (y, si se
    pide, el espía de ``optimizer.step``)."""
    import torch
    from transformers import get_scheduler

    clone = copy.deepcopy(model)
    clone.train()
    optimizer = torch.optim.AdamW(clone.parameters(), lr=learning_rate, weight_decay=0.01)
    step_spy = _StepSpy(optimizer, list(clone.parameters())) if spy else None
    scheduler = get_scheduler(
        "linear", optimizer=optimizer, num_warmup_steps=0, num_training_steps=10
    )
    return clone, optimizer, scheduler, step_spy


def _reference_step(model, batch, optimizer, scheduler) -> float:
    import torch

    device = next(model.parameters()).device
    outputs = model(**{name: tensor.to(device) for name, tensor in batch.items()})
    outputs.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    return outputs.loss.item()


@register("04-paso-de-entrenamiento")
def _check_train_step(train_step, model, batch, learning_rate) -> str:
    import torch

    expect(callable(train_step), "train_step tiene que ser una función.")
    expect("labels" in batch, "el lote no trae labels: sin ellas el modelo no calcula la pérdida.")
    with torch.random.fork_rng(devices=[]):
        student, optimizer, scheduler, spy = _fresh_training_state(model, learning_rate, spy=True)
        initial_lr = scheduler.get_last_lr()[0]
        torch.manual_seed(0)
        loss = train_step(student, batch, optimizer, scheduler)

        reference, ref_optimizer, ref_scheduler, _ = _fresh_training_state(model, learning_rate)
        torch.manual_seed(0)
        reference_loss = _reference_step(reference, batch, ref_optimizer, ref_scheduler)

    expect(loss is not None, "train_step no devuelve nada: termina con `return loss.item()`.")
    if not isinstance(loss, float):
        fail(
            f"train_step devuelve un {type(loss).__name__}; devuelve un número de Python con "
            "loss.item() (guardar tensores mantiene vivo el grafo y gasta memoria)."
        )
    if not (abs(loss - reference_loss) < 1e-4):
        fail(
            f"la pérdida devuelta ({loss:.4f}) no es la del lote ({reference_loss:.4f}): "
            "devuelve outputs.loss del pase hacia delante con model(**batch)."
        )
    if spy.calls != 1:
        fail(
            "optimizer.step() no se llamó: sin él los pesos no cambian."
            if spy.calls == 0
            else f"optimizer.step() se llamó {spy.calls} veces; una por paso."
        )
    if not (spy.grad_norm <= MAX_GRAD_NORM * 1.001):
        fail(
            f"la norma de los gradientes al actualizar era {spy.grad_norm:.2f}: recórtalos con "
            "torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm) antes de "
            "optimizer.step()."
        )
    expect(
        scheduler.get_last_lr()[0] != initial_lr,
        "la tasa de aprendizaje no cambió: falta lr_scheduler.step().",
    )
    leftover = [
        name
        for name, p in student.named_parameters()
        if p.grad is not None and bool(p.grad.abs().sum() > 0)
    ]
    expect(
        not leftover,
        "quedan gradientes después del paso: llama a optimizer.zero_grad() al final "
        "(PyTorch los acumula de un paso al siguiente).",
    )
    for (name, mine), theirs in zip(
        student.named_parameters(), reference.parameters(), strict=True
    ):
        if not torch.allclose(mine, theirs, atol=1e-6):
            fail(
                f"los pesos ({name}) no quedan como tras un paso normal: revisa el orden "
                "pase hacia delante → pase hacia atrás → recorte → optimizer.step() → "
                "lr_scheduler.step() → "
                "zero_grad()."
            )
    return f"Pérdida del lote: {loss:.4f}."


@register("04-bucle-de-evaluacion")
def _check_evaluation_loop(evaluate_model, model, dataloader) -> str:
    import torch

    from coursekit.metrics import classification_metrics

    expect(callable(evaluate_model), "evaluate_model tiene que ser una función.")
    clone = copy.deepcopy(model)
    device = next(clone.parameters()).device
    with torch.random.fork_rng(devices=[]):
        clone.eval()
        predictions, references = [], []
        with torch.no_grad():
            for batch in dataloader:
                batch = {name: tensor.to(device) for name, tensor in batch.items()}
                predictions += clone(**batch).logits.argmax(dim=-1).tolist()
                references += batch["labels"].tolist()
        grad_enabled = []
        hook = clone.register_forward_hook(lambda *_: grad_enabled.append(torch.is_grad_enabled()))
        try:
            result = evaluate_model(clone, dataloader)
        finally:
            hook.remove()
    expected = classification_metrics(predictions, references)
    expect(
        isinstance(result, dict),
        "evaluate_model debe devolver un diccionario {'accuracy': ..., 'f1_macro': ...}.",
    )
    missing = {"accuracy", "f1_macro"} - set(result)
    if missing:
        fail(f"faltan las claves {sorted(missing)} en el diccionario.")
    for key in ("accuracy", "f1_macro"):
        if not (abs(float(result[key]) - expected[key]) < 1e-9):
            fail(
                f"{key} da {float(result[key]):.4f} y sobre todo el dataloader es "
                f"{expected[key]:.4f}: llama a add_batch en cada lote (no solo en el último), "
                "con el argmax de los logits, y compute() al final (F1 con average='macro')."
            )
    expect(
        not any(grad_enabled),
        "el pase hacia delante de la evaluación guardó lo necesario para calcular gradientes: "
        "envuélvelo en `with torch.no_grad():` (ahorra memoria y tiempo).",
    )
    return f"Exactitud {expected['accuracy']:.3f}, F1 macro {expected['f1_macro']:.3f}."
