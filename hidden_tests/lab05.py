"""Pruebas ocultas del lab 05 (LoRA). Ver coursekit/instructor/grading/hidden.py.

``05-parametros-a-mano``: el juez vuelve a contar, fuera del kernel del estudiante, con el
modelo y los datos del perfil ``ci`` (así no cuenta un ``peft`` que el notebook haya
cambiado). ``05-lora-config``: la sonda solo lee los campos de la configuración; el juez la
aplica a **otro** modelo (un BERT de 3 capas, ancho 48 y 5 clases) y cuenta.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from coursekit.instructor.grading.hidden import HiddenTest, LabTests
from coursekit.instructor.grading.probe_data import (
    AnyOf,
    Integer,
    ListOf,
    Nullable,
    Number,
    Record,
    Text,
)

# El juez aplica la configuración del estudiante a un BERT de ancho 48: r y las listas de
# módulos acotados (r=10**7 pediría decenas de GB al corrector).
MAX_R = 1024


def probe_count(ns):
    def number(value):
        return {
            "type": type(value).__name__,
            "value": float(value) if isinstance(value, (int, float)) else None,
        }

    return {"trainable": number(ns["trainable_by_hand"]), "share": number(ns["trainable_share"])}


@lru_cache(maxsize=1)
def _expected_count() -> tuple[int, int]:
    """(entrenables, total) de LoRA r=8 en query y value sobre el clasificador del perfil ci."""
    from peft import get_peft_model

    from coursekit import data
    from coursekit.method_settings import course_lora_config
    from coursekit.models import load_classifier
    from coursekit.profiles import get_profile

    profile = get_profile("ci")
    class_names = data.label_names(data.load_course_dataset(profile))
    config = course_lora_config()
    with warnings.catch_warnings():  # el aviso interno de peft 0.21 con transformers 5
        warnings.simplefilter("ignore", FutureWarning)
        model = get_peft_model(load_classifier(profile, class_names), config)
    return model.get_nb_trainable_parameters()


_NUMBER = Record({"type": Text(200), "value": Nullable(Number())})
COUNT_SCHEMA = Record({"trainable": _NUMBER, "share": _NUMBER})


def judge_count(seen) -> dict:
    trainable, total = _expected_count()
    mine, share = seen["trainable"], seen["share"]
    return {
        "entrenables": None
        if mine["type"] == "int" and mine["value"] == trainable
        else "el número de parámetros entrenables no es el que entrena peft (LoRA y la cabeza).",
        "fracción": None
        if share["type"] == "float" and abs(share["value"] - trainable / total) < 1e-9
        else "la fracción entrenable no es entrenables / total del modelo envuelto (entre 0 y 1).",
    }


def probe_config(ns):
    def describe(config):
        task = getattr(config, "task_type", None)
        fields = {}
        for name in (
            "r",
            "lora_alpha",
            "lora_dropout",
            "bias",
            "target_modules",
            "modules_to_save",
        ):
            value = getattr(config, name, None)
            fields[name] = sorted(value) if isinstance(value, (set, list, tuple)) else value
        return {
            "type": type(config).__name__,
            "task_type": getattr(task, "value", task),
            "fields": fields,
        }

    return {"mine": describe(ns["my_lora_config"]), "reference": describe(ns["lora_config"])}


_MODULES = Nullable(AnyOf((Text(200), ListOf(Text(200), max_length=64))))
_CONFIG = Record(
    {
        "type": Text(200),
        "task_type": Nullable(Text(200)),
        "fields": Record(
            {
                "r": Nullable(Integer(1, MAX_R)),
                "lora_alpha": Nullable(Number(-1e6, 1e6)),
                "lora_dropout": Nullable(Number(0, 1)),
                "bias": Nullable(Text(50)),
                "target_modules": _MODULES,
                "modules_to_save": _MODULES,
            }
        ),
    }
)
CONFIG_SCHEMA = Record({"mine": _CONFIG, "reference": _CONFIG})


def _other_model():
    """El modelo del juez: distinto del de la comprobación pública (3 capas, 48, 5 clases)."""
    from coursekit.toy_models import tiny_bert_classifier

    return tiny_bert_classifier(num_labels=5, hidden_size=48, num_layers=3, seed=5, vocab_size=1000)


def _lora_model(description, r=None, task_type=None):
    from peft import LoraConfig, get_peft_model

    fields = {k: v for k, v in description["fields"].items() if v is not None}
    if r is not None:
        fields["r"] = r
    config = LoraConfig(task_type=task_type or description["task_type"], **fields)
    with warnings.catch_warnings():  # el aviso interno de peft 0.21 con transformers 5
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(_other_model(), config)


def judge_config(seen) -> dict:
    from coursekit.lab_checks.lab05 import adapted_module_names, lora_parameter_count
    from coursekit.peft_methods import trainable_parameter_names

    mine, reference = seen["mine"], seen["reference"]
    verdict = {
        "clasificación con la cabeza entrenable": "la configuración no es un LoraConfig de "
        "clasificación que entrene la cabeza.",
        "query, key y value": "LoRA no se aplica exactamente a las tres proyecciones de la "
        "atención.",
        "el mayor r del presupuesto": "r no es el mayor con el que tres módulos no superan a la "
        "configuración de arriba.",
    }
    if mine["type"] != "LoraConfig":
        return verdict
    try:  # con su task_type: ¿entrena la cabeza?
        model = _lora_model(mine)
        if mine["task_type"] == "SEQ_CLS" and any(
            "classifier" in name for name in trainable_parameter_names(model)
        ):
            verdict["clasificación con la cabeza entrenable"] = None
    except Exception:  # peft no acepta su task_type: cero en esa parte
        pass
    try:  # módulos y presupuesto, con el task_type bueno (puntos parciales)
        model = _lora_model(mine, task_type="SEQ_CLS")
        if adapted_module_names(model) == {"query", "key", "value"}:
            verdict["query, key y value"] = None
            budget = lora_parameter_count(_lora_model(reference))
            larger = lora_parameter_count(
                _lora_model(mine, r=mine["fields"]["r"] + 1, task_type="SEQ_CLS")
            )
            if lora_parameter_count(model) <= budget < larger:
                verdict["el mayor r del presupuesto"] = None
    except Exception:  # una configuración que peft no acepta: cero
        pass
    return verdict


LAB_TESTS = LabTests(
    lab="05",
    # Los entrenamientos, las curvas, guardar, recargar y fusionar el adaptador, y las
    # predicciones solo se muestran: ningún ejercicio depende de ellos.
    skip_cells=(
        r"\.train\(",
        r"history_frame\(",
        r"save_pretrained\(",
        r"PeftModel\.from_pretrained\(",
        r"merge_and_unload\(",
        r"size_ratio = ",
        r"predict_texts\(",
        r"show_classifier\(",  # la demostración con widgets usa lo que predice la celda anterior
        r"test_output = chosen_trainer\.predict\(",  # la evaluación final en test solo se muestra
    ),
    keep_names=(
        "lora_config",
        "lora_model",
        "trainable_by_hand",
        "trainable_share",
        "my_lora_config",
    ),
    tests=(
        HiddenTest(
            "05-parametros-a-mano",
            parts={"entrenables": 2, "fracción": 1},
            probe=probe_count,
            judge=judge_count,
            schema=COUNT_SCHEMA,
        ),
        HiddenTest(
            "05-lora-config",
            parts={
                "clasificación con la cabeza entrenable": 1,
                "query, key y value": 1,
                "el mayor r del presupuesto": 1,
            },
            probe=probe_config,
            judge=judge_config,
            schema=CONFIG_SCHEMA,
        ),
    ),
)
