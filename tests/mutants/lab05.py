"""Variantes del lab 05 (LoRA).

``namespace(exercise)`` da los nombres que la celda de la solución y su comprobación usan en
el notebook: la configuración LoRA de la sección 4 (r=8 en query y value, SEQ_CLS) sobre un
BERT diminuto (2 capas, ancho 32, 2 clases), que se envuelve en décimas. El MiniLM real lo
comprueba nbval al ejecutar el notebook.
"""

from __future__ import annotations

from mutants.spec import alternative, mistake

COUNT = "05-parametros-a-mano"
CONFIG = "05-lora-config"

_LORA = "lora_parameters = layers * len(lora_config.target_modules) * lora_config.r * 2 * hidden\n"
_HEAD = "head_parameters = hidden * num_labels + num_labels\n"
_SHARE = "trainable_share = trainable_by_hand / (base_parameters + trainable_by_hand)\n"


def _config(**fields: str) -> str:
    settings = {
        "task_type": "TaskType.SEQ_CLS",
        "r": "(2 * lora_config.r) // 3",
        "lora_alpha": "16",
        "lora_dropout": "0.1",
        "target_modules": '["query", "key", "value"]',
        "bias": '"none"',
    } | fields
    body = "".join(f"    {k}={v},\n" for k, v in settings.items() if v is not None)
    return f"my_lora_config = LoraConfig(\n{body})"


VARIANTS = [
    mistake(
        COUNT,
        "sin-cabeza",
        _LORA + "trainable_by_hand = lora_parameters\n" + _SHARE,
        "olvida la cabeza de clasificación, que también se entrena",
        hint="cabeza",
    ),
    mistake(
        COUNT,
        "solo-una-matriz",
        "lora_parameters = layers * len(lora_config.target_modules) * lora_config.r * hidden\n"
        + _HEAD
        + "trainable_by_hand = lora_parameters + head_parameters\n"
        + _SHARE,
        "cuenta una sola de las dos matrices de LoRA (A o B)",
        hint="mitad",
    ),
    mistake(
        COUNT,
        "cabeza-sin-sesgo",
        _LORA + "trainable_by_hand = lora_parameters + hidden * num_labels\n" + _SHARE,
        "cuenta la matriz de la cabeza pero no su sesgo",
        hint="sesgo",
    ),
    mistake(
        COUNT,
        "un-solo-modulo",
        "lora_parameters = layers * lora_config.r * 2 * hidden\n"
        + _HEAD
        + "trainable_by_hand = lora_parameters + head_parameters\n"
        + _SHARE,
        "adapta un módulo por capa en vez de uno por nombre de target_modules",
        hint="target_modules",
    ),
    mistake(
        COUNT,
        "todos-los-parametros",
        "trainable_by_hand = sum(p.numel() for p in lora_model.parameters())\n"
        "trainable_share = 1.0 - 1e-9\n",
        "cuenta todos los parámetros del modelo en vez de los entrenables",
        hint="todos",
    ),
    mistake(
        COUNT,
        "fraccion-sobre-la-base",
        _LORA + _HEAD + "trainable_by_hand = lora_parameters + head_parameters\n"
        "trainable_share = trainable_by_hand / base_parameters\n",
        "divide entre el modelo base sin lo que añade peft",
        hint="total",
    ),
    mistake(
        COUNT,
        "porcentaje",
        _LORA + _HEAD + "trainable_by_hand = lora_parameters + head_parameters\n"
        "trainable_share = 100 * trainable_by_hand / (base_parameters + trainable_by_hand)\n",
        "da un porcentaje en vez de una fracción",
        hint="fracción",
    ),
    alternative(
        COUNT,
        "bucle-y-total-de-peft",
        "trainable_by_hand = 0\n"
        "for _layer in range(layers):\n"
        "    for _module in lora_config.target_modules:\n"
        "        trainable_by_hand += lora_config.r * (hidden + hidden)\n"
        "trainable_by_hand += (hidden + 1) * num_labels\n"
        "trainable_share = trainable_by_hand / sum(p.numel() for p in "
        "lora_model.parameters())\n",
    ),
    mistake(
        CONFIG,
        "sin-task-type",
        _config(task_type=None),
        "sin task_type: peft deja congelada la cabeza de clasificación",
        hint="cabeza",
    ),
    mistake(
        CONFIG,
        "causal-lm",
        _config(task_type='"CAUSAL_LM"'),
        "task_type CAUSAL_LM (el del tutorial original) en un clasificador",
        hint="SEQ_CLS",
    ),
    mistake(
        CONFIG,
        "dos-modulos",
        _config(target_modules='["query", "value"]'),
        "adapta solo query y value, no las tres proyecciones",
        hint="proyecciones",
    ),
    mistake(
        CONFIG,
        "con-dense",
        _config(target_modules='["query", "key", "value", "dense"]'),
        "añade también las capas dense",
        hint="proyecciones",
    ),
    mistake(
        CONFIG,
        "r-de-arriba",
        _config(r="lora_config.r"),
        "mantiene r=8 en tres módulos: se pasa del presupuesto",
        hint="más parámetros",
    ),
    mistake(
        CONFIG,
        "r-potencia-de-dos",
        _config(r="4"),
        "elige r=4 por costumbre: cabe, pero no es el mayor que cabe",
        hint="el mayor",
    ),
    alternative(
        CONFIG,
        "expresion-regular-y-texto",
        "my_lora_config = LoraConfig(\n"
        '    target_modules=r".*\\.(query|key|value)",\n'
        '    task_type="SEQ_CLS", bias="none", lora_dropout=0.1, lora_alpha=16,\n'
        "    r=lora_config.r * 2 // 3,\n"
        ")",
    ),
    alternative(
        CONFIG,
        "modules-to-save-explicito",
        "budget_per_layer = len(lora_config.target_modules) * lora_config.r\n"
        "my_lora_config = LoraConfig(task_type=TaskType.SEQ_CLS,\n"
        "                            target_modules={'value', 'key', 'query'},\n"
        "                            r=budget_per_layer // 3, lora_alpha=16,\n"
        "                            lora_dropout=0.1, bias='none',\n"
        "                            modules_to_save=['classifier'])",
    ),
]


def _tiny_classifier():
    from coursekit.toy_models import tiny_bert_classifier

    return tiny_bert_classifier()


def namespace(exercise: str) -> dict:
    """Los nombres del notebook que necesitan la celda de ``exercise`` y su comprobación
    (modelos nuevos en cada llamada: peft los modifica al envolverlos)."""
    from peft import LoraConfig, TaskType, get_peft_model

    from coursekit.checks import check
    from coursekit.method_settings import course_lora_config

    lora_config = course_lora_config()
    names = {
        "check": check,
        "LoraConfig": LoraConfig,
        "TaskType": TaskType,
        "lora_config": lora_config,
        "new_classifier": _tiny_classifier,
        "class_names": ["negativa", "positiva"],
    }
    if exercise == COUNT:
        model = _tiny_classifier()
        names["base_parameters"] = model.num_parameters()
        names["lora_model"] = get_peft_model(model, lora_config)
        names["model"] = model
    return names
