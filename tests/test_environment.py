"""Detección de plataforma, resumen del entorno y flags de precisión mixta."""

from __future__ import annotations

import pytest

from coursekit.environment import (
    PLATFORM_LABELS,
    Environment,
    detect_environment,
    detect_platform,
    gpu_available,
    mixed_precision_flags,
)

HOME = "/home/alumna"


@pytest.mark.parametrize(
    ("environ", "home", "expected"),
    [
        ({"COLAB_RELEASE_TAG": "release-2024"}, "/root", "colab"),
        ({"COLAB_GPU": "1"}, "/root", "colab"),
        ({}, "/home/studio-lab-user", "studiolab"),
        ({}, "/home/studio-lab-user/", "studiolab"),
        ({"STUDIO_LAB_ENV": "1"}, HOME, "studiolab"),
        ({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "/home/jovyan", "binder"),
        ({"CI": "true"}, HOME, "ci"),
        ({"CI": "1"}, HOME, "ci"),
        ({"GITHUB_ACTIONS": "true"}, HOME, "ci"),
        ({"CI": "false"}, HOME, "local"),
        ({}, HOME, "local"),
    ],
)
def test_detect_platform(environ, home, expected):
    assert detect_platform(environ=environ, home=home) == expected


def test_colab_takes_precedence_over_ci():
    assert detect_platform(environ={"COLAB_RELEASE_TAG": "x", "CI": "true"}, home=HOME) == "colab"


def test_every_platform_has_a_spanish_label():
    assert set(PLATFORM_LABELS) == {"colab", "studiolab", "binder", "ci", "local"}
    assert PLATFORM_LABELS["local"] == "máquina local"


def _env(platform="local", has_gpu=False, name=None, memory=None, bf16=False):
    return Environment(platform, has_gpu, name, memory, bf16)


def test_summary_without_gpu():
    summary = _env("colab").summary()
    assert "Entorno: Google Colab" in summary
    assert "sin GPU" in summary
    assert "torch" in summary and "transformers" in summary
    assert "perfil" not in summary


def test_summary_with_gpu_and_profile():
    summary = _env("studiolab", True, "Tesla T4", 15.0).summary("full")
    assert "SageMaker Studio Lab" in summary
    assert "GPU Tesla T4, 15 GB" in summary
    assert "sin GPU" not in summary
    assert "perfil «full»" in summary


def test_unknown_platform_label_falls_back_to_id():
    assert _env("kaggle").platform_label == "kaggle"


@pytest.mark.parametrize(
    ("env", "enabled", "expected"),
    [
        (_env(), True, {"fp16": False, "bf16": False}),
        (_env(has_gpu=True, name="A100", bf16=True), True, {"fp16": False, "bf16": True}),
        (_env(has_gpu=True, name="T4", bf16=False), True, {"fp16": True, "bf16": False}),
        (_env(has_gpu=True, name="A100", bf16=True), False, {"fp16": False, "bf16": False}),
        (_env(has_gpu=True, name="T4"), False, {"fp16": False, "bf16": False}),
    ],
)
def test_mixed_precision_flags(env, enabled, expected):
    assert mixed_precision_flags(env, enabled=enabled) == expected


def test_detect_environment_matches_torch():
    env = detect_environment()
    assert env.has_gpu == gpu_available()
    assert env.platform in PLATFORM_LABELS
    if not env.has_gpu:
        assert env.gpu_name is None and env.bf16_supported is False
        assert mixed_precision_flags(env) == {"fp16": False, "bf16": False}


def test_available_memory_respects_a_cgroup_limit(tmp_path):
    import psutil

    from coursekit.environment import available_memory_gb

    (tmp_path / "memory.max").write_text(f"{2 * 1024**3}\n")
    (tmp_path / "memory.current").write_text(f"{int(1.5 * 1024**3)}\n")
    system_free = psutil.virtual_memory().available / 1024**3
    assert available_memory_gb(str(tmp_path)) == pytest.approx(min(0.5, system_free))
    (tmp_path / "memory.max").write_text("max\n")  # sin límite: la memoria del sistema
    assert available_memory_gb(str(tmp_path)) == pytest.approx(system_free, rel=0.2)


def test_available_memory_reads_the_own_cgroup_v1(tmp_path):
    import psutil

    from coursekit.environment import available_memory_gb

    own = tmp_path / "memory" / "kubepods" / "pod1"
    own.mkdir(parents=True)
    (own / "memory.limit_in_bytes").write_text(f"{2 * 1024**3}\n")
    (own / "memory.usage_in_bytes").write_text(f"{1024**3}\n")
    proc = tmp_path / "cgroup"
    proc.write_text("5:cpu,cpuacct:/\n4:memory:/kubepods/pod1\n0::/\n")
    system_free = psutil.virtual_memory().available / 1024**3
    assert available_memory_gb(str(tmp_path), str(proc)) == pytest.approx(min(1.0, system_free))


def test_available_memory_counts_inactive_file_cache_as_free(tmp_path):
    import psutil

    from coursekit.environment import available_memory_gb

    (tmp_path / "memory.max").write_text(f"{2 * 1024**3}\n")
    (tmp_path / "memory.current").write_text(f"{2 * 1024**3}\n")  # en el límite...
    (tmp_path / "memory.stat").write_text(
        f"anon 1\ninactive_file {1024**3}\n"
    )  # ...con 1 GB de caché
    system_free = psutil.virtual_memory().available / 1024**3
    assert available_memory_gb(str(tmp_path)) == pytest.approx(min(1.0, system_free))


def test_device_follows_the_gpu():
    """El lab 01 medía el relleno con el modelo en la CPU aunque hubiera GPU: nadie lo movía."""
    import torch

    assert _env("colab", True, "Tesla T4", 15.0).device == "cuda"
    assert _env("local").device == "cpu"
    assert torch.zeros(1).to(_env("local").device).device.type == "cpu"
