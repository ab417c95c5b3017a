"""Comparación medida de métodos de fine-tuning: la misma tabla en el lab 07 y en
``coursekit bench methods``.

Cada método se entrena con ``Trainer`` con los mismos datos, semilla, batch y épocas; se miden
parámetros entrenables, tiempo de entrenamiento, memoria pico, tamaño de lo guardado en disco,
exactitud y F1 macro.
"""

from __future__ import annotations

import ctypes
import gc
import json
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coursekit.errors import CourseError

# Columnas de la tabla de resultados (nombres en español: son los que ve el estudiante).
METHOD = "método"
TRAINABLE_PARAMETERS = "parámetros entrenables"
TRAINABLE_PERCENT = "% entrenable"
LEARNING_RATE = "learning_rate"
TRAIN_SECONDS = "tiempo de entrenamiento (s)"
PEAK_MEMORY_MB = "memoria pico (MB)"
DISK_MB = "guardado en disco (MB)"
ACCURACY = "exactitud"
F1_MACRO = "F1 macro"
#: Columnas de la tabla de resultados, en orden.
COLUMNS = (
    METHOD,
    TRAINABLE_PARAMETERS,
    TRAINABLE_PERCENT,
    LEARNING_RATE,
    TRAIN_SECONDS,
    PEAK_MEMORY_MB,
    DISK_MB,
    ACCURACY,
    F1_MACRO,
)
#: Clave extra de cada fila (no es columna de la tabla): 1/0 por ejemplo de validación según el
#: método acierte o no. ``compare_methods`` la deja en ``tabla.attrs[CORRECT]``, por método, para
#: comparar dos métodos sobre los mismos ejemplos (``coursekit.uncertainty``).
CORRECT = "aciertos"
#: Claves extra de cada fila cuando se da ``test_dataset`` (no son columnas de la tabla del lab:
#: ``coursekit bench methods`` las mide para la tabla de referencia).
TEST_ACCURACY = "exactitud (test)"
TEST_F1_MACRO = "F1 macro (test)"


@dataclass
class MethodRun:
    """Un método de la comparación.

    ``build_model()`` devuelve el modelo listo para entrenar (con LoRA, prompts o capas
    congeladas ya aplicados). ``make_optimizer(model)``, si se da, crea el optimizador (p. ej.
    con grupos por capa); si no, ``Trainer`` usa AdamW con ``learning_rate``.
    """

    name: str
    build_model: Callable[[], Any]
    learning_rate: float
    make_optimizer: Callable[[Any], Any] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise CourseError("Cada método necesita un nombre (texto no vacío).")
        if not callable(self.build_model):
            raise CourseError(
                f"build_model de «{self.name}» debe ser una función que crea el modelo."
            )
        if isinstance(self.learning_rate, bool) or not (
            isinstance(self.learning_rate, int | float) and 0 < self.learning_rate < math.inf
        ):
            raise CourseError(
                f"learning_rate de «{self.name}» debe ser positivo; es {self.learning_rate!r}."
            )
        if self.make_optimizer is not None and not callable(self.make_optimizer):
            raise CourseError(f"make_optimizer de «{self.name}» debe ser una función o None.")


def _release_memory() -> None:
    """Devuelve al sistema la memoria liberada, para que la medida del siguiente método no
    herede la del anterior."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # no es Linux con glibc: se mide igual, algo peor
        pass


class PeakMemory:
    """Memoria pico durante un bloque ``with``, en MB.

    Con GPU: ``torch.cuda.max_memory_allocated`` (memoria de tensores en la GPU). En CPU: el
    aumento máximo de la memoria residente (RSS) del proceso sobre la del inicio, muestreada
    cada ``interval`` segundos en un hilo aparte (pesos del modelo ya cargados no cuentan:
    mide gradientes, estado del optimizador y activaciones).
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self.device = "cpu"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        import torch

        _release_memory()
        if torch.cuda.is_available():
            self.device = "cuda"
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
            self._start = torch.cuda.memory_allocated()
            return self
        import psutil

        process = psutil.Process(os.getpid())
        self._start = process.memory_info().rss
        self._peak = self._start

        def sample() -> None:
            while not self._stop.is_set():
                self._peak = max(self._peak, process.memory_info().rss)
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        import torch

        if self.device == "cuda":
            peak = torch.cuda.max_memory_allocated()
        else:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            import psutil

            peak = max(self._peak, psutil.Process(os.getpid()).memory_info().rss)
        self.peak_mb = max(0.0, (peak - self._start) / 2**20)


def measurement_arguments(
    output_dir: Path, learning_rate: float, profile: Any, num_epochs: int, **overrides: Any
):
    """``TrainingArguments`` de una medición: sin evaluación, guardado ni registro durante el
    entrenamiento (el tiempo medido es solo entrenar). ``overrides`` cambia o añade argumentos
    (p. ej. ``train_sampling_strategy``)."""
    from transformers import TrainingArguments

    from coursekit.environment import detect_environment, mixed_precision_flags

    env = detect_environment()
    arguments = dict(
        output_dir=str(output_dir),
        num_train_epochs=num_epochs,
        per_device_train_batch_size=profile.batch_size,
        per_device_eval_batch_size=profile.batch_size,
        learning_rate=learning_rate,
        weight_decay=0.01,
        eval_strategy="no",  # el tiempo medido es solo entrenamiento
        save_strategy="no",
        logging_strategy="no",  # la barra de compare_methods dice por dónde va
        report_to="none",
        seed=profile.seed,
        dataloader_pin_memory=env.has_gpu,
        disable_tqdm=True,
        **mixed_precision_flags(env, profile.mixed_precision),
    )
    return TrainingArguments(**{**arguments, **overrides})


def measure_method(
    method: MethodRun,
    train_dataset: Any,
    eval_dataset: Any,
    tokenizer: Any,
    profile: Any,
    output_dir: str | os.PathLike,
    num_epochs: int | None = None,
    test_dataset: Any = None,
) -> dict[str, Any]:
    """Entrena un método y devuelve su fila de la tabla (ver ``COLUMNS``).

    Lo guardado en disco es ``model.save_pretrained``: el modelo entero, o solo el adaptador
    cuando el modelo es de peft. Además de ``COLUMNS``, la fila trae ``CORRECT``: los aciertos
    (1/0) por ejemplo de validación. Con ``test_dataset``, también ``TEST_ACCURACY`` y
    ``TEST_F1_MACRO`` del mismo modelo entrenado sobre ese conjunto.
    """
    from transformers import DataCollatorWithPadding, Trainer

    from coursekit.checkpoints import directory_size_mb
    from coursekit.metrics import classification_metrics
    from coursekit.models import count_parameters
    from coursekit.training import seed_everything

    epochs = profile.num_epochs if num_epochs is None else num_epochs
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise CourseError(f"num_epochs debe ser un entero ≥ 1; es {epochs!r}.")
    run_dir = Path(output_dir) / method.name.replace(" ", "_").replace("/", "-")
    seed_everything(profile.seed)
    model = method.build_model()
    counts = count_parameters(model)
    trainable, total = counts["trainable"], counts["total"]
    if trainable == 0:
        raise CourseError(f"«{method.name}» no tiene parámetros entrenables.")
    optimizer = method.make_optimizer(model) if method.make_optimizer else None
    trainer = Trainer(
        model=model,
        args=measurement_arguments(run_dir, method.learning_rate, profile, epochs),
        train_dataset=train_dataset,
        data_collator=DataCollatorWithPadding(tokenizer),
        optimizers=(optimizer, None),
    )
    with PeakMemory() as memory:
        start = time.perf_counter()
        trainer.train()
        elapsed = time.perf_counter() - start
    predictions, label_ids = _predict(trainer, eval_dataset)
    scores = classification_metrics(predictions, label_ids)
    test_scores = None
    if test_dataset is not None:
        test_scores = classification_metrics(*_predict(trainer, test_dataset))
    saved = run_dir / "guardado"
    if saved.exists():
        shutil.rmtree(saved)
    trainer.model.save_pretrained(saved)
    row = {
        METHOD: method.name,
        TRAINABLE_PARAMETERS: trainable,
        TRAINABLE_PERCENT: 100 * trainable / total,
        LEARNING_RATE: method.learning_rate,
        TRAIN_SECONDS: elapsed,
        PEAK_MEMORY_MB: memory.peak_mb,
        DISK_MB: directory_size_mb(saved),
        ACCURACY: scores["accuracy"],
        F1_MACRO: scores["f1_macro"],
        CORRECT: [int(hit) for hit in predictions == label_ids],
    }
    if test_scores is not None:
        row[TEST_ACCURACY] = test_scores["accuracy"]
        row[TEST_F1_MACRO] = test_scores["f1_macro"]
    del trainer, model, optimizer
    _release_memory()
    return row


def _predict(trainer: Any, dataset: Any) -> tuple[Any, Any]:
    """Predicciones (argmax de los logits) y etiquetas de ``trainer.predict(dataset)``."""
    output = trainer.predict(dataset)
    logits = output.predictions[0] if isinstance(output.predictions, tuple) else output.predictions
    return logits.argmax(axis=-1), output.label_ids


def _run_key(method: MethodRun, profile: Any, epochs: int, train_size: int) -> str:
    return json.dumps(
        [method.name, method.learning_rate, profile.name, profile.seed, epochs, train_size]
    )


def compare_methods(
    methods: Sequence[MethodRun],
    train_dataset: Any,
    eval_dataset: Any,
    tokenizer: Any,
    profile: Any,
    output_dir: str | os.PathLike,
    num_epochs: int | None = None,
    rerun: bool = False,
    test_dataset: Any = None,
):
    """Mide cada método con :func:`measure_method` y devuelve la tabla (``DataFrame``).

    Cada fila se guarda en ``output_dir/resultados.jsonl`` en cuanto termina: si la sesión
    se corta, al volver a ejecutar se reutilizan las filas ya medidas con la misma
    configuración (``rerun=True`` las mide de nuevo). ``tabla.attrs[CORRECT]`` guarda, por
    método, los aciertos por ejemplo de validación (una fila guardada sin ellos, de una versión
    anterior del curso, se mide de nuevo). ``test_dataset`` pasa a :func:`measure_method` (una
    fila guardada sin ``TEST_ACCURACY`` se mide de nuevo).
    """
    import pandas as pd
    from tqdm.auto import tqdm

    methods = list(methods)
    if not methods:
        raise CourseError("No hay métodos que comparar.")
    names = [m.name for m in methods]
    if len(set(names)) != len(names):
        raise CourseError(f"Hay métodos con el mismo nombre: {names}.")
    epochs = profile.num_epochs if num_epochs is None else num_epochs
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    results_file = folder / "resultados.jsonl"
    saved: dict[str, dict[str, Any]] = {}
    if results_file.exists() and not rerun:
        for line in results_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                saved[record["clave"]] = record["fila"]
    rows = []
    progress = tqdm(methods, desc="métodos")
    for method in progress:
        progress.set_postfix_str(method.name)
        key = _run_key(method, profile, epochs, len(train_dataset))
        needed = [CORRECT] + ([TEST_ACCURACY] if test_dataset is not None else [])
        if any(k not in saved.get(key, {}) for k in needed):  # sin medir, o sin lo que falta
            saved[key] = measure_method(
                method,
                train_dataset,
                eval_dataset,
                tokenizer,
                profile,
                folder,
                epochs,
                test_dataset=test_dataset,
            )
            with results_file.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"clave": key, "fila": saved[key]}) + "\n")
        rows.append(saved[key])
    table = pd.DataFrame(rows, columns=list(COLUMNS)).set_index(METHOD)
    table.attrs[CORRECT] = {row[METHOD]: row[CORRECT] for row in rows if CORRECT in row}
    if test_dataset is not None:  # la exactitud y la F1 en test, por método (no son columnas)
        for extra in (TEST_ACCURACY, TEST_F1_MACRO):
            table.attrs[extra] = {row[METHOD]: row[extra] for row in rows}
    return table


def describe_methods(methods: Sequence[MethodRun]):
    """Tabla con el nombre, la tasa de aprendizaje y qué entrena cada método."""
    import pandas as pd

    return pd.DataFrame(
        {
            LEARNING_RATE: [m.learning_rate for m in methods],
            "qué se entrena": [m.description for m in methods],
        },
        index=pd.Index([m.name for m in methods], name=METHOD),
    )
