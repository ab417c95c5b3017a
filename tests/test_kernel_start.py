"""Arranque de los kernels de las pruebas: reintentos y salida de error del kernel que muere."""

from __future__ import annotations

import json
import os
import sys

import pytest

from coursekit.maintainer import kernel_start
from coursekit.maintainer.kernel_start import (
    call_with_start_retries,
    install_nbval_start_retries,
    is_kernel_start_failure,
    start_with_stderr_log,
)

DIED = "Kernel died before replying to kernel_info"


def test_start_failures_are_recognised():
    assert is_kernel_start_failure(RuntimeError(DIED))
    assert is_kernel_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not is_kernel_start_failure(RuntimeError("otra cosa"))
    assert not is_kernel_start_failure(ValueError(DIED))


def test_a_kernel_that_dies_once_is_started_again():
    calls, lines = [], []

    def start(attempt):
        calls.append(attempt)
        if attempt == 1:
            raise RuntimeError(DIED)
        return "kernel"

    assert call_with_start_retries(start, report=lines.append) == "kernel"
    assert calls == [1, 2]
    assert lines == [f"El kernel no arrancó (intento 1 de 3): {DIED}"]


def test_other_errors_are_not_retried():
    calls = []

    def start(attempt):
        calls.append(attempt)
        raise RuntimeError("una celda falló")

    with pytest.raises(RuntimeError, match="una celda falló"):
        call_with_start_retries(start, report=lambda line: None)
    assert calls == [1]


def test_the_last_start_failure_is_raised():
    calls = []

    def start(attempt):
        calls.append(attempt)
        raise RuntimeError(f"{DIED} ({attempt})")

    with pytest.raises(RuntimeError, match=r"\(2\)"):
        call_with_start_retries(start, attempts=2, report=lambda line: None)
    assert calls == [1, 2]
    with pytest.raises(ValueError, match="al menos 1"):
        call_with_start_retries(start, attempts=0)


def test_the_error_carries_the_kernel_stderr():
    def start(stderr, **kwargs):
        stderr.write("ImportError: no module named zmq\n")
        stderr.flush()
        raise RuntimeError(DIED)

    with pytest.raises(RuntimeError) as caught:
        start_with_stderr_log(start)
    assert DIED in str(caught.value) and "no module named zmq" in str(caught.value)
    assert is_kernel_start_failure(caught.value)  # sigue reintentándose


def test_a_started_kernel_leaves_no_log_behind(tmp_path):
    seen = {}

    def start(stderr, **kwargs):
        seen["path"], seen["kwargs"] = stderr.name, kwargs
        return "kernel"

    assert start_with_stderr_log(start, cwd="x") == "kernel"
    assert seen["kwargs"] == {"cwd": "x"}
    assert not os.path.exists(seen["path"])


def test_nbval_start_is_wrapped_once(monkeypatch):
    import nbval.kernel

    calls = []

    def fake_start(startup_timeout=60, kernel_name="python", **kwargs):
        calls.append((kernel_name, kwargs["stderr"].name.endswith(".log")))
        if len(calls) == 1:
            raise RuntimeError(DIED)
        return "km", "kc"

    monkeypatch.setattr(nbval.kernel, "start_new_kernel", fake_start)
    assert install_nbval_start_retries() is True
    assert install_nbval_start_retries() is True  # no anida otro envoltorio
    wrapped = nbval.kernel.start_new_kernel
    assert wrapped.coursekit_retries
    with open(os.devnull, "w") as devnull:
        assert wrapped(kernel_name="python3", stderr=devnull, cwd=".") == ("km", "kc")
    assert calls == [("python3", True), ("python3", True)]  # /dev/null sustituido por un log


@pytest.mark.slow
def test_a_kernel_that_always_dies_says_why(tmp_path, monkeypatch):
    """Un kernel real (su kernelspec) que escribe en stderr y muere: nbval sin el envoltorio
    solo decía «Kernel died before replying to kernel_info»."""
    import nbval.kernel

    spec = tmp_path / "kernels" / "se-muere"
    spec.mkdir(parents=True)
    crash = "import sys; sys.stderr.write('ModuleNotFoundError: falta algo'); sys.exit(3)"
    argv = [sys.executable, "-c", crash, "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setattr(kernel_start, "KERNEL_START_ATTEMPTS", 2)
    install_nbval_start_retries()
    with pytest.raises(RuntimeError) as caught:
        nbval.kernel.start_new_kernel(startup_timeout=20, kernel_name="se-muere")
    assert DIED in str(caught.value)
    assert "ModuleNotFoundError: falta algo" in str(caught.value)
