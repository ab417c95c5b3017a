"""Arrancar el kernel de Jupyter de una prueba con reintentos, y contar por qué murió.

Un kernel puede morir al arrancar por causas ajenas al lab: dos procesos de pytest-xdist
que arrancan kernels a la vez y eligen el mismo puerto libre, una máquina de CI cargada. Pasó
en la CI con el entorno de Colab («Kernel died before replying to kernel_info» en las 22
celdas de un lab), y nbval manda la salida de error del kernel a ``/dev/null``: no quedaba ni
la causa. Aquí el arranque se reintenta (como mucho :data:`KERNEL_START_ATTEMPTS` veces) y, si
falla del todo, el error lleva el final de la salida de error del kernel. Solo se reintenta el
arranque: ninguna celda se ha ejecutado todavía, así que repetirlo no cambia la prueba.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Intentos de arrancar un kernel antes de dar la prueba por fallida.
KERNEL_START_ATTEMPTS = 3
#: Caracteres del final de la salida de error del kernel que se copian en el error.
STDERR_TAIL_CHARS = 3000

#: Lo que dice jupyter_client (7.x y 8.x) cuando el kernel no llega a responder al arrancar.
_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


def is_kernel_start_failure(error: BaseException) -> bool:
    """``True`` si ``error`` es el de un kernel que murió o no respondió al arrancar."""
    return isinstance(error, RuntimeError) and any(text in str(error) for text in _START_FAILURES)


def call_with_start_retries(
    start: Callable[[int], T],
    attempts: int | None = None,
    report: Callable[[str], None] | None = None,
) -> T:
    """Llama a ``start(intento)`` hasta que arranque; reintenta solo los fallos de arranque.

    Cualquier otro error sale a la primera. ``report`` recibe una línea por cada reintento
    (por omisión, a la salida de error). ``attempts``: por omisión, :data:`KERNEL_START_ATTEMPTS`.
    """
    if attempts is None:
        attempts = KERNEL_START_ATTEMPTS
    if attempts < 1:
        raise ValueError(f"attempts debe ser al menos 1, no {attempts!r}.")
    report = report or (lambda line: print(line, file=sys.stderr, flush=True))
    for attempt in range(1, attempts + 1):
        try:
            return start(attempt)
        except RuntimeError as error:
            if not is_kernel_start_failure(error) or attempt == attempts:
                raise
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            report(f"El kernel no arrancó (intento {attempt} de {attempts}): {first_line}")
    raise AssertionError("inalcanzable")  # pragma: no cover


def start_with_stderr_log(start: Callable[..., T], **kwargs: Any) -> T:
    """Llama a ``start(stderr=archivo, **kwargs)`` guardando la salida de error del kernel.

    Si el arranque falla, el error vuelve a salir con el final de esa salida añadido; si
    arranca, el archivo se borra (el kernel conserva su descriptor abierto).
    """
    with tempfile.NamedTemporaryFile(
        "w+", prefix="coursekit-kernel-stderr-", suffix=".log", delete=False
    ) as log:
        path = log.name
        try:
            started = start(stderr=log, **kwargs)
        except RuntimeError as error:
            log.flush()
            tail = _read_tail(path)
            os.unlink(path)
            if not tail:
                raise
            raise RuntimeError(f"{error}\n--- salida de error del kernel ---\n{tail}") from error
    os.unlink(path)
    return started


def _read_tail(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()[-STDERR_TAIL_CHARS:].strip()


def install_nbval_start_retries() -> bool:
    """Hace que nbval arranque sus kernels con reintentos y guarde su salida de error.

    Devuelve ``False`` si nbval no está instalado. Llamarla dos veces no anida reintentos.
    """
    try:
        import nbval.kernel
    except ImportError:
        return False
    original = nbval.kernel.start_new_kernel
    if getattr(original, "coursekit_retries", False):
        return True

    def start_new_kernel(startup_timeout: int = 60, kernel_name: str = "python", **kwargs: Any):
        kwargs.pop("stderr", None)  # nbval pasa /dev/null: la causa se perdería

        def attempt(_: int):
            return start_with_stderr_log(
                original, startup_timeout=startup_timeout, kernel_name=kernel_name, **kwargs
            )

        return call_with_start_retries(attempt)

    start_new_kernel.coursekit_retries = True  # type: ignore[attr-defined]
    nbval.kernel.start_new_kernel = start_new_kernel
    return True
