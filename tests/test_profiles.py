"""Perfiles de ejecución: nombres, valores por defecto, variable de entorno y cambios."""

from __future__ import annotations

import pytest

from coursekit.errors import CourseError
from coursekit.profiles import (
    PACKAGED_MODEL,
    PACKAGED_REVIEWS,
    PROFILE_ENV_VAR,
    PROFILES,
    Profile,
    default_profile_name,
    get_profile,
)


@pytest.fixture(autouse=True)
def _no_profile_env(monkeypatch):
    monkeypatch.delenv(PROFILE_ENV_VAR, raising=False)


def test_three_profiles_exist():
    assert list(PROFILES) == ["full", "quick", "ci"]


@pytest.mark.parametrize("name", ["full", "quick", "ci", " QUICK ", "Ci"])
def test_get_profile_by_name_is_case_and_space_insensitive(name):
    profile = get_profile(name)
    assert profile.name == name.strip().lower()
    assert profile is PROFILES[profile.name]


def test_full_profile_uses_hub_and_original_tutorial_settings():
    full = get_profile("full")
    assert full.model_name == "google-bert/bert-base-cased"
    assert full.dataset_name == "Yelp/yelp_review_full"
    assert full.uses_hub
    assert (full.train_size, full.eval_size, full.max_length) == (1000, 1000, 512)


@pytest.mark.parametrize("name", ["quick", "ci"])
def test_offline_profiles_use_packaged_model_and_data(name):
    profile = get_profile(name)
    assert profile.model_name == PACKAGED_MODEL
    assert profile.dataset_name == PACKAGED_REVIEWS
    assert not profile.uses_hub
    assert profile.row_filter == {"source": "rotten_tomatoes"}
    assert profile.label_display_names == {0: "negativa", 1: "positiva"}


def test_ci_profile_is_tiny():
    ci = get_profile("ci")
    assert ci.train_size <= 64 and ci.eval_size <= 64
    assert ci.num_epochs == 1
    assert ci.mixed_precision is False


def test_unknown_profile_lists_valid_ones():
    with pytest.raises(CourseError, match="Perfil desconocido.*full, quick, ci") as info:
        get_profile("rapido")
    assert "get_profile('quick')" in str(info.value)
    assert PROFILE_ENV_VAR in str(info.value)


@pytest.mark.parametrize("bad", [3, 1.5, ["quick"]])
def test_non_string_profile_name(bad):
    with pytest.raises(CourseError, match="debe ser un texto.*full, quick, ci"):
        get_profile(bad)


def test_overrides_change_only_given_fields():
    profile = get_profile("quick", num_epochs=1, batch_size=4)
    assert (profile.num_epochs, profile.batch_size) == (1, 4)
    assert profile.model_name == PROFILES["quick"].model_name
    assert PROFILES["quick"].num_epochs == 3  # el original no cambia


def test_get_profile_accepts_a_profile_object():
    base = get_profile("ci")
    assert get_profile(base) is base
    assert get_profile(base, seed=7).seed == 7


def test_unknown_override_field_lists_valid_fields():
    with pytest.raises(
        CourseError, match="Campo\\(s\\) de perfil desconocido\\(s\\): epocas"
    ) as info:
        get_profile("quick", epocas=2)
    assert "Campos válidos" in str(info.value)
    assert "num_epochs" in str(info.value)


def test_with_overrides_on_profile_object_rejects_unknown_field():
    with pytest.raises(CourseError, match="desconocido.*lr"):
        PROFILES["ci"].with_overrides(lr=0.1)


def test_default_is_full_with_gpu_and_quick_without():
    assert default_profile_name(has_gpu=True) == "full"
    assert default_profile_name(has_gpu=False) == "quick"


def test_env_var_wins_over_gpu(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV_VAR, "ci")
    assert default_profile_name(has_gpu=True) == "ci"
    assert get_profile().name == "ci"


def test_env_var_blank_is_ignored(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV_VAR, "   ")
    assert default_profile_name(has_gpu=False) == "quick"


def test_env_var_with_unknown_profile_fails_clearly(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV_VAR, "enorme")
    with pytest.raises(CourseError, match="Perfil desconocido: 'enorme'"):
        get_profile()


def test_get_profile_without_name_uses_detected_gpu(monkeypatch):
    import coursekit.environment

    monkeypatch.setattr(coursekit.environment, "gpu_available", lambda: False)
    assert get_profile().name == "quick"
    monkeypatch.setattr(coursekit.environment, "gpu_available", lambda: True)
    assert get_profile().name == "full"


def test_uses_hub_when_only_one_part_is_packaged():
    mixed = Profile(name="x", description="", model_name=PACKAGED_MODEL, dataset_name="imdb")
    assert mixed.uses_hub


def test_quick_prompt_tuning_keeps_the_step_budget_of_lab_06():
    """Más reseñas para el prompt tuning, pero los mismos pasos que 400 × 10 épocas."""
    quick = get_profile("quick")
    assert quick.prompt_train_size > quick.train_size
    assert (
        quick.prompt_train_size * quick.prompt_num_epochs
        == quick.train_size * 2 * quick.peft_num_epochs
    )
    for name in ("full", "ci"):  # sin cambio: los datos y épocas del resto de labs
        assert get_profile(name).prompt_train_size is None
        assert get_profile(name).prompt_num_epochs is None


def test_own_data_drops_the_prompt_tuning_size_of_the_packaged_reviews(tmp_path):
    """Un CSV propio puede tener menos de 2000 filas: el lab 06 vuelve a train_size y al doble
    de las épocas de LoRA (antes pedía 2000 reseñas y fallaba con un CSV pequeño)."""
    own = get_profile("quick").with_overrides(dataset_name=str(tmp_path / "mis_datos.csv"))
    assert own.prompt_train_size is None and own.prompt_num_epochs is None
    kept = get_profile("quick").with_overrides(
        dataset_name=str(tmp_path / "x.csv"), prompt_train_size=300
    )
    assert kept.prompt_train_size == 300
