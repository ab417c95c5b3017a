"""``coursekit bench full-rehearsal``: el ensayo de ``full`` en una GPU, como en una T4 de Colab.

Con el Hub sustituto de tamaño ``full`` (``coursekit standin-hub --size full``: la configuración
exacta de bert-base-cased y filas de Yelp) ejecuta cada lab en el perfil ``full`` y mide su tiempo
y su memoria CUDA pico (``coursekit bench labs``), con dos condiciones de una T4:

- **fp16, no bf16**: cada kernel arranca con ``torch.cuda.is_bf16_supported`` devolviendo
  ``False``, así que ``coursekit.environment.mixed_precision_flags`` elige fp16 (con
  ``GradScaler``) como en una T4, aunque la GPU sea una H100;
- **15 GiB**: ``torch.cuda.set_per_process_memory_fraction`` limita cada kernel a la memoria de
  una T4; pasarse es un ``OutOfMemoryError`` del lab, como en Colab. (TensorFlow, en el lab 03,
  no pasa por ese límite: su pico se lee aparte.)

Las dos cosas van en un archivo de arranque de IPython (``IPYTHONDIR``): los notebooks no cambian.

Calibración: el tutorial original publicó ~114 s por época con bert-base-cased, 1000 reseñas de
Yelp, ``padding="max_length"`` (512), lotes de 8 y fp32 (``TrainingArguments`` por defecto).
:func:`calibrate` entrena esa misma configuración una época; ``114 / segundos`` es el factor que
convierte los tiempos de esta GPU en una estimación para la GPU del tutorial (una T4 de Colab,
por lo que se sabe). En una CPU, ``--calibration-steps`` mide unos pasos y extrapola la época.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

#: Memoria de una T4 (GiB) y segundos por época que publicó el tutorial original.
T4_MEMORY_GIB = 15.0
TUTORIAL_SECONDS_PER_EPOCH = 114.0
STARTUP_FILE = "00-coursekit-t4.py"


def t4_startup_code(memory_gib: float = T4_MEMORY_GIB) -> str:
    """Código que cada kernel ejecuta al arrancar: sin bf16 y con ``memory_gib`` de GPU."""
    return f'''"""Arranque de coursekit bench full-rehearsal: el kernel se comporta como una T4."""
try:
    import torch as _torch
except ImportError:
    _torch = None
if _torch is not None and _torch.cuda.is_available():
    _torch.cuda.is_bf16_supported = lambda *args, **kwargs: False  # fp16, como una T4
    _total = _torch.cuda.get_device_properties(0).total_memory
    _torch.cuda.set_per_process_memory_fraction(min(1.0, {memory_gib!r} * 2**30 / _total), 0)
'''


def prepare_ipython_dir(folder: str | Path, memory_gib: float = T4_MEMORY_GIB) -> Path:
    """Una carpeta ``IPYTHONDIR`` cuyo perfil por defecto arranca con :func:`t4_startup_code`."""
    folder = Path(folder)
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / STARTUP_FILE).write_text(t4_startup_code(memory_gib), encoding="utf-8")
    return folder


def rehearsal_environment(
    hf_home: str | Path, ipython_dir: str | Path, base: dict[str, str] | None = None
) -> dict[str, str]:
    """El entorno de los kernels del ensayo: el Hub sustituto sin red, ``full`` y el arranque
    de T4 (``IPYTHONDIR``)."""
    from coursekit.maintainer.standin_hub import standin_environment

    env = standin_environment(hf_home, dict(os.environ if base is None else base))
    env["COURSE_PROFILE"] = "full"
    env["IPYTHONDIR"] = str(Path(ipython_dir).resolve())
    return env


def calibrate(
    train_size: int = 1000,
    max_length: int = 512,
    batch_size: int = 8,
    max_steps: int | None = None,
    output_dir: str | Path = "/tmp/coursekit-calibration",
) -> dict[str, Any]:
    """Una época del tutorial original: el modelo y los datos de ``full`` (los del Hub o los del
    sustituto), ``train_size`` reseñas rellenas a ``max_length``, lotes de 8, fp32, sin evaluar.

    Con ``max_steps`` entrena solo esos pasos (tras uno de calentamiento) y extrapola la época.
    """
    import torch
    from transformers import Trainer, TrainingArguments

    from coursekit import data
    from coursekit.models import load_classifier, load_tokenizer
    from coursekit.profiles import get_profile
    from coursekit.training import seed_everything

    profile = get_profile("full")
    dataset = data.load_course_dataset(profile)
    names = data.label_names(dataset)
    train = dataset["train"].shuffle(seed=42).select(range(train_size))  # como el tutorial
    tokenizer = load_tokenizer(profile)
    train = train.map(
        lambda batch: tokenizer(
            batch["text"], padding="max_length", truncation=True, max_length=max_length
        ),
        batched=True,
        remove_columns=["text"],
    )
    seed_everything(42)
    model = load_classifier(profile, names)
    steps_per_epoch = -(-train_size // batch_size)
    has_gpu = torch.cuda.is_available()

    def trainer_for(steps: int) -> Trainer:
        args = TrainingArguments(
            output_dir=str(output_dir),
            num_train_epochs=1,
            max_steps=steps,
            per_device_train_batch_size=batch_size,
            learning_rate=5e-5,
            eval_strategy="no",
            save_strategy="no",
            logging_strategy="no",
            report_to="none",
            disable_tqdm=True,
            dataloader_pin_memory=has_gpu,
        )
        return Trainer(model=model, args=args, train_dataset=train)

    if max_steps:
        trainer_for(1).train()  # calentamiento: arranque de CUDA o de los hilos de la CPU
    if has_gpu:
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
    steps = max_steps or steps_per_epoch
    start, cpu_start = time.perf_counter(), time.process_time()
    trainer_for(steps).train()
    if has_gpu:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start  # en una CPU compartida, más estable
    epoch_seconds = seconds / steps * steps_per_epoch
    return {
        "configuración": f"{train_size} reseñas, max_length={max_length} (padding='max_length'), "
        f"lote {batch_size}, fp32, 1 época",
        "pasos_medidos": steps,
        "segundos_medidos": round(seconds, 2),
        "segundos_por_paso": round(seconds / steps, 4),
        "segundos_cpu_por_paso": round(cpu_seconds / steps, 4),
        "hilos": torch.get_num_threads(),
        # 3 decimales: con el sustituto tiny una época dura menos de un segundo, y redondear a
        # 1 decimal movía el factor de abajo un 5 %.
        "segundos_por_época": round(epoch_seconds, 3),
        "extrapolado": bool(max_steps and max_steps < steps_per_epoch),
        "factor_tutorial": round(TUTORIAL_SECONDS_PER_EPOCH / epoch_seconds, 4),
        "cuda_pico_MB": round(torch.cuda.max_memory_allocated() / 2**20) if has_gpu else None,
        "dispositivo": torch.cuda.get_device_name(0) if has_gpu else "CPU",
    }


def calibrate_in_subprocess(max_steps: int | None = None) -> dict[str, Any]:
    """:func:`calibrate` en un proceso nuevo con el entorno de este (``HF_HOME`` y las variables
    *offline* ya puestas: huggingface_hub las lee al importarse) y la GPU para él solo."""
    import subprocess
    import sys

    code = (
        "import json\n"
        "from coursekit.instructor.bench.full_rehearsal import calibrate\n"
        f"print(json.dumps(calibrate(max_steps={max_steps!r}), ensure_ascii=False))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True
    )
    if result.returncode != 0:
        from coursekit.errors import CourseError

        raise CourseError(f"La calibración falló: {result.stderr.strip()[-1500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def estimate_rows(rows: list[dict[str, Any]], factor: float | None) -> list[dict[str, Any]]:
    """Las filas de ``coursekit bench labs`` con la estimación para la GPU del tutorial
    (``segundos × factor``, en minutos) si hay factor de calibración."""
    estimated = []
    for row in rows:
        row = dict(row)
        row["t4_estimado_min"] = None if factor is None else row["segundos"] * factor / 60
        estimated.append(row)
    return estimated


TABLE_COLUMNS = (
    ("lab", "lab", "{}"),
    ("estado", "estado", "{}"),
    ("segundos", "tiempo aquí (s)", "{:.0f}"),
    ("t4_estimado_min", "estimado en la GPU del tutorial (min)", "{:.1f}"),
    ("cuda_pico_MB", "pico CUDA de PyTorch (MB)", "{:.0f}"),
    ("tf_pico_MB", "pico CUDA de TensorFlow (MB)", "{:.0f}"),
    ("rss_pico_MB", "RSS pico (MB)", "{:.0f}"),
)


def run_full_rehearsal(
    hf_home: str | Path,
    output: str | Path,
    names: list[str] | None = None,
    memory_gib: float = T4_MEMORY_GIB,
    calibration_steps: int | None = None,
    skip_calibration: bool = False,
    solutions_dir: str | Path = "solutions",
    timeout: int = 1800,
) -> dict[str, Any]:
    """Ejecuta los labs en ``full`` con el arranque de T4 y, después, la calibración (en otro
    proceso). Devuelve el manifiesto del sustituto, la calibración y las filas (``coursekit bench``
    las guarda en ``<output>/full-rehearsal-full.json``).

    Cambia ``os.environ`` de este proceso (``HF_HOME``, *offline*, ``IPYTHONDIR``): los kernels
    de :func:`coursekit.instructor.bench.labs.run_labs_benchmark` lo heredan.
    """
    from coursekit.instructor.bench.labs import run_labs_benchmark
    from coursekit.maintainer.standin_hub import read_manifest

    output = Path(output)
    manifest = read_manifest(hf_home)
    ipython_dir = prepare_ipython_dir(output / "ipython-t4", memory_gib)
    os.environ.update(rehearsal_environment(hf_home, ipython_dir))
    rows = run_labs_benchmark(
        "full",
        solutions_dir,
        names,
        timeout=timeout,
        executed_dir=output / "labs-full-rehearsal",
    )
    calibration = None if skip_calibration else calibrate_in_subprocess(calibration_steps)
    factor = calibration["factor_tutorial"] if calibration else None
    results = {
        "sustituto": manifest,
        "memoria_GiB": memory_gib,
        "precisión": "fp16 forzado (is_bf16_supported=False)",
        "calibración": calibration,
        "filas": estimate_rows(rows, factor),
    }
    return results
