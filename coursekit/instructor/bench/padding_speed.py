"""``coursekit bench padding``: una época de **entrenamiento** (forward + backward + paso del
optimizador) con cada estrategia de relleno, sobre reseñas cortas (Rotten Tomatoes) y largas
(IMDB) del CSV empaquetado.

Estrategias: ``padding="max_length"`` a cada longitud de ``max_lengths`` (512 y 128: lo que
hacía el tutorial original y el tope del perfil ``quick``), relleno dinámico
(``DataCollatorWithPadding``) y dinámico + agrupado por longitud
(``train_sampling_strategy="group_by_length"``). Mismos ejemplos, misma semilla y la misma cabeza
inicial en todas; se mide solo ``trainer.train()`` y después la exactitud en validación.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

#: Valores de la columna ``source`` del CSV empaquetado y cómo se llaman en las tablas.
SOURCES = {"rotten_tomatoes": "Rotten Tomatoes", "imdb": "IMDB"}
#: Claves de cada fila de resultados (también las del JSON).
ROW_KEYS = (
    "datos",
    "estrategia",
    "max_length",
    "segundos_época",
    "segundos_cpu_época",
    "posiciones_por_batch",
    "tokens_reales_por_batch",
    "proporción_reales",
    "memoria_pico_MB",
    "exactitud",
    "aceleración",
    "aceleración_cpu",
)
_DISPLAY = {"dynamic": "dinámico", "grouped": "dinámico + agrupado"}


def strategies(max_lengths: Sequence[int]) -> list[tuple[str, int]]:
    """Las estrategias medidas: ``("max_length", L)`` por cada ``L`` (de mayor a menor) y
    después ``("dynamic", Lmax)`` y ``("grouped", Lmax)``, que truncan a la mayor longitud."""
    lengths = sorted({int(n) for n in max_lengths}, reverse=True)
    if not lengths or lengths[-1] <= 0:
        raise CourseError("max_lengths debe tener al menos una longitud positiva, p. ej. 512 128.")
    return [("max_length", n) for n in lengths] + [
        ("dynamic", lengths[0]),
        ("grouped", lengths[0]),
    ]


def strategy_name(strategy: str, max_length: int) -> str:
    """Nombre legible de una estrategia en tablas y gráficas."""
    if strategy == "max_length":
        return f"max_length {max_length}"
    return _DISPLAY[strategy]


class CountingCollator:
    """Envuelve un collator y cuenta, por batch, las posiciones del tensor (filas × columnas)
    y los tokens reales (los unos de ``attention_mask``)."""

    def __init__(self, collator: Callable[[list], Any]) -> None:
        self.collator = collator
        self.positions: list[int] = []
        self.real: list[int] = []

    def __call__(self, features: list) -> Any:
        batch = self.collator(features)
        self.positions.append(int(batch["input_ids"].numel()))
        self.real.append(int(batch["attention_mask"].sum()))
        return batch


def _by_length(dataset: Any) -> Any:
    """El dataset de validación ordenado por longitud: evaluar así es más rápido y la
    exactitud no cambia (las etiquetas viajan con sus filas)."""
    lengths = [len(ids) for ids in dataset["input_ids"]]
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return dataset.select(order)


def _warm_up(new_model: Callable[[], Any], tokenizer: Any, texts: list[str]) -> None:
    """Un forward + backward de un batch corto antes de medir, para que la primera estrategia
    no pague el arranque (hilos, reservas de memoria)."""
    model = new_model()
    model.train()
    batch = tokenizer(texts, truncation=True, max_length=64, padding=True, return_tensors="pt")
    batch = {k: v.to(next(model.parameters()).device) for k, v in batch.items()}
    model(**batch).logits.sum().backward()
    del model


def measure_epoch(
    train: Any,
    evaluation: Any,
    tokenizer: Any,
    new_model: Callable[[], Any],
    profile: Any,
    strategy: str,
    max_length: int,
    output_dir: str | Path,
) -> dict[str, Any]:
    """Entrena una época con una estrategia de relleno y devuelve su fila (sin aceleración).

    ``train`` y ``evaluation`` son datasets con ``text`` y ``label`` sin tokenizar.
    """
    from transformers import DataCollatorWithPadding, Trainer

    from coursekit.comparison import PeakMemory, measurement_arguments
    from coursekit.data import tokenize_dataset
    from coursekit.metrics import classification_metrics
    from coursekit.training import seed_everything

    if strategy not in ("max_length", "dynamic", "grouped"):
        raise CourseError(f"Estrategia desconocida {strategy!r}: max_length, dynamic o grouped.")
    padding = "max_length" if strategy == "max_length" else False
    train_tokens = tokenize_dataset(train, tokenizer, max_length, padding=padding)
    eval_tokens = _by_length(tokenize_dataset(evaluation, tokenizer, max_length))
    extra = {"train_sampling_strategy": "group_by_length"} if strategy == "grouped" else {}
    seed_everything(profile.seed)
    model = new_model()
    counter = CountingCollator(DataCollatorWithPadding(tokenizer))
    trainer = Trainer(
        model=model,
        args=measurement_arguments(Path(output_dir), profile.learning_rate, profile, 1, **extra),
        train_dataset=train_tokens,
        data_collator=counter,
        processing_class=tokenizer,
    )
    with PeakMemory() as memory:
        start, cpu_start = time.perf_counter(), time.process_time()
        trainer.train()
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    trainer.data_collator = DataCollatorWithPadding(tokenizer)  # validación: sin contar
    output = trainer.predict(eval_tokens)
    logits = output.predictions[0] if isinstance(output.predictions, tuple) else output.predictions
    accuracy = classification_metrics(logits.argmax(axis=-1), output.label_ids)["accuracy"]
    batches = len(counter.positions)
    return {
        "estrategia": strategy_name(strategy, max_length),
        "max_length": max_length,
        "segundos_época": seconds,
        "segundos_cpu_época": cpu_seconds,
        "posiciones_por_batch": sum(counter.positions) / batches,
        "tokens_reales_por_batch": sum(counter.real) / batches,
        "proporción_reales": sum(counter.real) / sum(counter.positions),
        "memoria_pico_MB": memory.peak_mb,
        "exactitud": accuracy,
    }


def source_subsets(profile: Any, source: str, train_size: int, eval_size: int):
    """Subconjuntos equilibrados ``(train, eval)`` de las filas de ``source`` del CSV
    empaquetado, con la semilla del perfil."""
    from coursekit.data import course_subsets, load_course_dataset
    from coursekit.profiles import PACKAGED_REVIEWS

    if source not in SOURCES:
        raise CourseError(f"Fuente desconocida {source!r}; válidas: {', '.join(SOURCES)}.")
    reviews = profile.with_overrides(
        dataset_name=PACKAGED_REVIEWS,
        text_column="text",
        label_column="label",
        row_filter={"source": source},
        train_size=train_size,
        eval_size=eval_size,
    )
    return course_subsets(load_course_dataset(reviews), reviews)


def run_padding_benchmark(
    profile: Any,
    sources: Sequence[str] = tuple(SOURCES),
    train_size: int = 256,
    eval_size: int = 200,
    batch_size: int = 16,
    max_lengths: Sequence[int] = (512, 128),
    new_model: Callable[[list[str]], Any] | None = None,
    tokenizer: Any = None,
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Mide :func:`measure_epoch` para cada fuente y estrategia; devuelve las filas con la
    aceleración respecto a la primera estrategia (``max_length`` más largo) de su fuente.

    ``new_model(class_names)`` crea el clasificador (por defecto, el del perfil con una cabeza
    nueva); ``tokenizer``, el del perfil.
    """
    from coursekit.data import label_names
    from coursekit.instructor.bench.report import load_average
    from coursekit.models import load_classifier, load_tokenizer

    if not sources:
        raise CourseError(f"Indica al menos una fuente: {', '.join(SOURCES)}.")
    for value, name in ((train_size, "train_size"), (eval_size, "eval_size")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise CourseError(f"{name} debe ser un entero ≥ 2; es {value!r}.")
    plan = strategies(max_lengths)
    profile = profile.with_overrides(batch_size=batch_size)
    tokenizer = tokenizer or load_tokenizer(profile)
    if new_model is None:

        def new_model(class_names):
            return load_classifier(profile, class_names)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for source in sources:
            train, evaluation = source_subsets(profile, source, train_size, eval_size)
            names = label_names(train)

            def build(names=names):
                return new_model(names)

            if not rows:
                _warm_up(build, tokenizer, list(train["text"][:batch_size]))
            source_rows = []
            for strategy, max_length in plan:
                log(f"▶ {SOURCES[source]} · {strategy_name(strategy, max_length)}...")
                row = measure_epoch(
                    train, evaluation, tokenizer, build, profile, strategy, max_length, folder
                )
                row = {"datos": SOURCES[source], **row, "carga_media_fin": load_average()}
                log(
                    f"  {row['segundos_época']:.1f} s · {row['posiciones_por_batch']:.0f} "
                    f"posiciones/lote · exactitud {row['exactitud']:.3f}"
                )
                source_rows.append(row)
            reference = source_rows[0]
            for row in source_rows:
                row["aceleración"] = reference["segundos_época"] / row["segundos_época"]
                row["aceleración_cpu"] = reference["segundos_cpu_época"] / row["segundos_cpu_época"]
            rows.extend(source_rows)
    return rows


TABLE_COLUMNS = (
    ("datos", "datos", "{}"),
    ("estrategia", "estrategia", "{}"),
    ("posiciones_por_batch", "posiciones/lote", "{:.0f}"),
    ("tokens_reales_por_batch", "tokens reales/lote", "{:.0f}"),
    ("proporción_reales", "% reales", "{:.0%}"),
    ("segundos_época", "s/época", "{:.1f}"),
    ("aceleración", "aceleración", "{:.1f}×"),
    ("segundos_cpu_época", "s de CPU/época", "{:.0f}"),
    ("aceleración_cpu", "aceleración en CPU", "{:.1f}×"),
    ("memoria_pico_MB", "memoria pico (MB)", "{:.0f}"),
    ("exactitud", "exactitud", "{:.3f}"),
    ("carga_media_fin", "carga media (1 min)", "{0[0]:.1f}"),
)


def headline(rows: Sequence[dict[str, Any]]) -> str:
    """La razón principal: ``max_length`` más largo / dinámico + agrupado, por fuente."""
    parts = []
    for source in dict.fromkeys(row["datos"] for row in rows):
        mine = [row for row in rows if row["datos"] == source]
        grouped = next(row for row in mine if row["estrategia"] == _DISPLAY["grouped"])
        parts.append(
            f"{source} {grouped['aceleración']:.1f}× "
            f"({grouped['aceleración_cpu']:.1f}× en tiempo de CPU; "
            f"exactitud {mine[0]['exactitud']:.3f} → {grouped['exactitud']:.3f})"
        )
    return (
        f"dinámico + agrupado frente a {rows[0]['estrategia']}, por época de entrenamiento: "
        + "; ".join(parts)
    )


def plot_padding_epochs(rows: Sequence[dict[str, Any]]):
    """Una gráfica por fuente: posiciones por batch (tokens reales + relleno) y s/época."""
    import matplotlib.pyplot as plt

    sources = list(dict.fromkeys(row["datos"] for row in rows))
    figure, axes = plt.subplots(1, len(sources), figsize=(6 * len(sources), 4), squeeze=False)
    for ax, source in zip(axes[0], sources, strict=True):
        mine = [row for row in rows if row["datos"] == source]
        labels = [row["estrategia"] for row in mine]
        real = [row["tokens_reales_por_batch"] for row in mine]
        padding = [row["posiciones_por_batch"] - r for row, r in zip(mine, real, strict=True)]
        ax.bar(labels, real, label="tokens reales", color="#4C72B0")
        bars = ax.bar(labels, padding, bottom=real, label="relleno (padding)", color="#DD8452")
        ax.bar_label(bars, labels=[f"{row['segundos_época']:.1f} s" for row in mine])
        ax.set_title(f"{source}: posiciones por lote y s/época")
        ax.set_ylabel("posiciones por lote")
        ax.tick_params(axis="x", labelrotation=15)
        ax.legend()
    figure.tight_layout()
    return figure
