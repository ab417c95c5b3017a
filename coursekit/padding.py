"""Comparación medida de estrategias de relleno (padding): ``max_length``, dinámico y agrupado.

La usa el lab 01 (un forward). ``coursekit bench padding`` mide una época de entrenamiento.
"""

from __future__ import annotations

import time
from typing import Any

from coursekit.errors import CourseError

STRATEGIES = ("max_length", "dynamic", "grouped")
STRATEGY_LABELS = {
    "max_length": "padding='max_length'",
    "dynamic": "dinámico (DataCollatorWithPadding)",
    "grouped": "dinámico + agrupado por longitud",
}


def _batches(dataset: Any, tokenizer: Any, strategy: str, batch_size: int, max_length: int):
    """El ``DataLoader`` de una estrategia y el orden de los ejemplos (índices originales)."""
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding

    texts = list(dataset["text"])
    if strategy == "max_length":
        encoded = tokenizer(texts, truncation=True, max_length=max_length, padding="max_length")
    else:
        encoded = tokenizer(texts, truncation=True, max_length=max_length)
    order = list(range(len(texts)))
    if strategy == "grouped":
        order.sort(key=lambda i: len(encoded["input_ids"][i]))
    features = [{key: encoded[key][i] for key in encoded.keys()} for i in order]
    collator = DataCollatorWithPadding(tokenizer)
    loader = DataLoader(features, batch_size=batch_size, shuffle=False, collate_fn=collator)
    return loader, order


def compare_padding(
    dataset: Any,
    tokenizer: Any,
    model: Any,
    batch_size: int = 16,
    max_length: int = 512,
    strategies: tuple[str, ...] = STRATEGIES,
    progress: bool = True,
):
    """Mide tokens por batch y tiempo de un pase hacia delante (forward) por estrategia.

    ``dataset`` necesita una columna ``text``. Devuelve un ``DataFrame`` con, por estrategia:
    posiciones por batch (reales + relleno), proporción de tokens reales, segundos, la
    aceleración respecto a ``max_length`` y cuántas predicciones coinciden con ``max_length``.
    """
    import numpy as np
    import pandas as pd
    import torch
    from tqdm.auto import tqdm

    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        raise CourseError(
            f"Estrategia(s) desconocida(s) {unknown}; válidas: {', '.join(STRATEGIES)}."
        )
    if "text" not in getattr(dataset, "column_names", []):
        raise CourseError("compare_padding necesita un dataset con columna 'text' (sin tokenizar).")
    if len(dataset) == 0:
        raise CourseError("El dataset está vacío: no hay nada que medir.")
    if batch_size <= 0 or max_length <= 0:
        raise CourseError("batch_size y max_length deben ser enteros positivos.")

    device = next(model.parameters()).device
    model.eval()
    rows, predictions = [], {}
    for strategy in strategies:
        loader, order = _batches(dataset, tokenizer, strategy, batch_size, max_length)
        positions = real = 0
        order_preds = []
        # Un batch de calentamiento para no cargar a la primera estrategia el arranque.
        with torch.inference_mode():
            warm = next(iter(loader))
            model(**{k: v.to(device) for k, v in warm.items()})
            start = time.perf_counter()
            for batch in tqdm(loader, desc=STRATEGY_LABELS[strategy], disable=not progress):
                batch = {k: v.to(device) for k, v in batch.items()}
                logits = model(**batch).logits
                positions += batch["input_ids"].numel()
                real += int(batch["attention_mask"].sum())
                order_preds.append(logits.argmax(-1).cpu().numpy())
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds = time.perf_counter() - start
        preds = np.concatenate(order_preds)
        restored = np.empty_like(preds)  # volver al orden original para comparar
        restored[order] = preds
        preds = restored
        predictions[strategy] = preds
        n_batches = len(loader)
        rows.append(
            {
                "estrategia": strategy,
                "descripción": STRATEGY_LABELS[strategy],
                "posiciones_por_batch": positions / n_batches,
                "tokens_reales_por_batch": real / n_batches,
                "proporción_reales": real / positions,
                "segundos": seconds,
            }
        )
    table = pd.DataFrame(rows).set_index("estrategia")
    reference = strategies[0]
    table["aceleración"] = table.loc[reference, "segundos"] / table["segundos"]
    table["misma_predicción"] = [
        float(np.mean(predictions[s] == predictions[reference])) for s in table.index
    ]
    return table


#: Por debajo de esta diferencia relativa de tiempo, dos estrategias se dan por igual de rápidas
#: (el tiempo de un forward varía de una ejecución a otra en una máquina compartida).
SAME_SPEED_TOLERANCE = 0.10


def _speed_phrase(speedup: float, reference: str) -> str:
    if speedup >= 1 + SAME_SPEED_TOLERANCE:
        return f"{speedup:.1f} veces más rápido que {reference}"
    if speedup <= 1 / (1 + SAME_SPEED_TOLERANCE):
        return f"más lento que {reference} ({1 / speedup:.1f} veces su tiempo)"
    return (
        f"tan rápido como {reference} (menos de un {SAME_SPEED_TOLERANCE:.0%} de diferencia, "
        "dentro de lo que varía una medida a otra)"
    )


def padding_summary(table: Any) -> str:
    """Resume en español la tabla de :func:`compare_padding`: por estrategia, posiciones por
    lote frente a la primera (``max_length``) y si el pase hacia delante fue más rápido, más lento
    o igual
    (menos de ``SAME_SPEED_TOLERANCE`` de diferencia), con la proporción de predicciones que
    coinciden. Las posiciones no dependen de la máquina; los segundos, sí."""
    required = {"posiciones_por_batch", "aceleración", "misma_predicción"}
    missing = required - set(getattr(table, "columns", []))
    if missing:
        raise CourseError(
            f"padding_summary necesita la tabla de compare_padding; faltan {sorted(missing)}."
        )
    if len(table.index) < 2:
        raise CourseError("Hacen falta al menos dos estrategias en la tabla para compararlas.")
    reference = table.index[0]
    reference_label = STRATEGY_LABELS.get(reference, reference)
    reference_positions = table.loc[reference, "posiciones_por_batch"]
    lines = []
    for strategy in table.index[1:]:
        row = table.loc[strategy]
        share = row["posiciones_por_batch"] / reference_positions
        lines.append(
            f"{STRATEGY_LABELS.get(strategy, strategy)}: {row['posiciones_por_batch']:,.0f} "
            f"posiciones por lote frente a {reference_positions:,.0f} ({share:.0%}); el pase hacia "
            f"delante fue {_speed_phrase(row['aceleración'], reference_label)}, con las mismas "
            f"predicciones en el {row['misma_predicción']:.0%} de los ejemplos."
        )
    return "\n".join(lines)
