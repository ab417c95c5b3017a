"""Ayudas para PEFT (LoRA, prompt tuning): elegir módulos, comprobar la configuración antes de
``get_peft_model`` y contar qué se entrena.

El notebook llama a ``peft`` directamente (``LoraConfig``, ``get_peft_model``); aquí solo
está lo que da errores claros en español y lo que cuenta parámetros.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

from coursekit.errors import CourseError

#: Nombres de la cabeza de clasificación en los modelos de transformers (peft los usa igual).
HEAD_NAMES = ("classifier", "score")

# Orden de los componentes en las tablas y gráficas, de abajo arriba del modelo.
COMPONENTS = (
    "embeddings",
    "capas del codificador",
    "pooler",
    "cabeza (copia entrenable)",
    "cabeza",
    "LoRA",
    "prompt virtual",
    "otros",
)


def _require_torch_model(model: Any, what: str) -> None:
    import torch

    if not isinstance(model, torch.nn.Module) or not hasattr(model, "config"):
        raise CourseError(
            f"{what} necesita un modelo de PyTorch de 🤗 Transformers "
            f"(p. ej. AutoModelForSequenceClassification); recibió {type(model).__name__}. "
            "peft no envuelve modelos de Keras ni módulos sueltos."
        )


def linear_layer_names(model: Any):
    """Tabla de las capas lineales del modelo agrupadas por su nombre corto (``query``,
    ``value``, ``dense``...): cuántas hay, su forma y un ejemplo de nombre completo.

    Esos nombres cortos son los que acepta ``LoraConfig(target_modules=[...])``.
    """
    import pandas as pd
    import torch

    _require_torch_model(model, "linear_layer_names")
    rows: dict[str, dict[str, Any]] = {}
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear):
            continue
        short = name.rsplit(".", 1)[-1]
        shape = f"{module.in_features} → {module.out_features}"
        row = rows.setdefault(
            short, {"nombre corto": short, "capas": 0, "formas": [], "ejemplo": name}
        )
        row["capas"] += 1
        if shape not in row["formas"]:
            row["formas"].append(shape)
    table = pd.DataFrame(list(rows.values()))
    if table.empty:
        raise CourseError("El modelo no tiene capas lineales (torch.nn.Linear).")
    table["formas"] = table["formas"].map(", ".join)
    return table.set_index("nombre corto")


def _module_names(model: Any) -> list[str]:
    return [name for name, _ in model.named_modules() if name]


def _target_matches(target: str, module_name: str) -> bool:
    # La misma regla que peft: el nombre completo o su final después de un punto.
    return module_name == target or module_name.endswith("." + target)


def _is_sequence_classifier(model: Any) -> bool:
    return type(model).__name__.endswith("ForSequenceClassification")


def _check_task_type(model: Any, config: Any) -> None:
    task_type = getattr(config, "task_type", None)
    task = getattr(task_type, "value", task_type)
    if _is_sequence_classifier(model) and task != "SEQ_CLS":
        raise CourseError(
            f"task_type={task!r} no sirve para {type(model).__name__}: un clasificador de "
            'secuencias necesita task_type=TaskType.SEQ_CLS (o "SEQ_CLS"). Con otro tipo '
            '(el tutorial original usaba "CAUSAL_LM") peft no entrena la cabeza de '
            "clasificación, que se queda con sus pesos al azar, o ni siquiera crea el modelo."
        )


def _check_lora_targets(model: Any, config: Any) -> None:
    targets = getattr(config, "target_modules", None)
    if targets is None:
        return  # peft elige los módulos por defecto de la arquitectura
    names = _module_names(model)
    linear = sorted(linear_layer_names(model).index)
    if isinstance(targets, str):
        if not any(re.fullmatch(targets, name) for name in names):
            raise CourseError(
                f"La expresión target_modules={targets!r} no coincide con ningún módulo del "
                f"modelo. Capas lineales disponibles: {', '.join(linear)}."
            )
        return
    missing = [t for t in targets if not any(_target_matches(t, name) for name in names)]
    if missing:
        raise CourseError(
            f"target_modules tiene nombre(s) que no existen en {type(model).__name__}: "
            f"{', '.join(sorted(missing))}. Capas lineales disponibles: {', '.join(linear)} "
            "(mira linear_layer_names(model))."
        )


def _forward_accepts(module: Any, argument: str) -> bool:
    parameters = inspect.signature(module.forward).parameters
    return argument in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _check_prompt_learning(model: Any, config: Any) -> None:
    method = type(config).__name__.removesuffix("Config")
    if not _forward_accepts(model, "inputs_embeds"):
        raise CourseError(
            f"{method} añade vectores a la entrada y necesita un modelo cuyo pase hacia delante "
            "(model.forward) acepte "
            f"inputs_embeds; {type(model).__name__} no lo acepta."
        )
    peft_type = getattr(getattr(config, "peft_type", None), "value", None)
    if peft_type == "PREFIX_TUNING":
        # peft lo descubre en el primer forward; lo comprobamos antes con su misma regla.
        backbone = getattr(model, getattr(model, "base_model_prefix", ""), None)
        ok = "past_key_values" in inspect.signature(model.forward).parameters or (
            backbone is not None
            and "past_key_values" in inspect.signature(backbone.forward).parameters
        )
        if not ok:
            raise CourseError(
                f"El prefix tuning no funciona con {type(model).__name__}: necesita que el "
                "modelo acepte past_key_values (claves y valores precalculados por capa), y "
                "los codificadores tipo BERT ya no los aceptan desde transformers 5.24. Usa prompt "
                "tuning (PromptTuningConfig) o P-tuning (PromptEncoderConfig), que solo cambian "
                "la entrada."
            )


def check_peft_config(model: Any, config: Any) -> None:
    """Comprueba que ``get_peft_model(model, config)`` va a funcionar y tiene sentido.

    Da un error en español si el modelo no es de PyTorch/transformers, si ya está envuelto,
    si ``task_type`` no es ``SEQ_CLS`` en un clasificador, si un nombre de ``target_modules``
    no existe, o si el método de prompts no puede envolver este tipo de modelo.
    """
    from peft import PeftConfig, PeftModel

    if isinstance(model, PeftModel):
        raise CourseError(
            "Este modelo ya está envuelto por peft. Crea un modelo base nuevo "
            "(from_pretrained) antes de aplicar otra configuración."
        )
    _require_torch_model(model, "peft")
    if not isinstance(config, PeftConfig):
        raise CourseError(
            f"Se esperaba una configuración de peft (LoraConfig, PromptTuningConfig...), no "
            f"{type(config).__name__}. Ojo: transformers no tiene PromptTuningConfig; está en peft."
        )
    _check_task_type(model, config)
    if getattr(config, "is_prompt_learning", False):
        _check_prompt_learning(model, config)
    else:
        _check_lora_targets(model, config)


def trainable_parameter_names(model: Any) -> list[str]:
    """Nombres de los parámetros que se entrenan (``requires_grad=True``)."""
    return [name for name, p in model.named_parameters() if p.requires_grad]


def _is_head(name: str) -> bool:
    return any(part in HEAD_NAMES for part in name.split("."))


def check_head_trainable(model: Any) -> list[str]:
    """Comprueba que la cabeza de clasificación se entrena y devuelve sus parámetros
    entrenables. Error en español si está congelada (un fallo frecuente con LoRA)."""
    head = [name for name, _ in model.named_parameters() if _is_head(name)]
    if not head:
        raise CourseError(
            f"No encuentro la cabeza de clasificación ({' o '.join(HEAD_NAMES)}) en "
            f"{type(model).__name__}."
        )
    trainable = [name for name in trainable_parameter_names(model) if _is_head(name)]
    if not trainable:
        raise CourseError(
            "La cabeza de clasificación está congelada: se quedaría con sus pesos al azar. Usa "
            "task_type=TaskType.SEQ_CLS (peft la entrena sola) o modules_to_save=['classifier']."
        )
    return trainable


def component_of(name: str) -> str:
    """Componente del modelo al que pertenece un parámetro (para contar y dibujar)."""
    if "lora_" in name:
        return "LoRA"
    if "prompt_encoder" in name:
        return "prompt virtual"
    if _is_head(name):
        return "cabeza (copia entrenable)" if "modules_to_save" in name else "cabeza"
    if "pooler" in name:
        return "pooler"
    if "embeddings" in name:
        return "embeddings"
    if re.search(r"\.layers?\.\d+\.", name):
        return "capas del codificador"
    return "otros"


def parameter_breakdown(model: Any):
    """Parámetros entrenables y congelados por componente (embeddings, capas, cabeza, LoRA,
    prompt virtual), con una fila de total. Devuelve un ``pandas.DataFrame``."""
    import pandas as pd

    counts = {c: {"entrenables": 0, "congelados": 0} for c in COMPONENTS}
    for name, parameter in model.named_parameters():
        key = "entrenables" if parameter.requires_grad else "congelados"
        counts[component_of(name)][key] += parameter.numel()
    table = pd.DataFrame.from_dict(counts, orient="index")
    table = table[(table["entrenables"] + table["congelados"]) > 0]
    table.loc["total"] = table.sum()
    total = table.loc["total", "entrenables"] + table.loc["total", "congelados"]
    table["% del total"] = (100 * (table["entrenables"] + table["congelados"]) / total).round(3)
    return table


def freeze_all_but(model: Any, keep: Iterable[str]) -> int:
    """Congela todos los parámetros salvo los que contienen alguno de los textos de ``keep``
    (p. ej. ``["classifier"]``); devuelve cuántos parámetros quedan entrenables."""
    keep = [keep] if isinstance(keep, str) else list(keep)
    if not keep:
        raise CourseError("Indica qué parámetros dejar entrenables, p. ej. ['classifier'].")
    trainable = 0
    for name, parameter in model.named_parameters():
        parameter.requires_grad = any(k in name for k in keep)
        trainable += parameter.numel() if parameter.requires_grad else 0
    if trainable == 0:
        raise CourseError(
            f"Ningún parámetro contiene {keep}: no quedaría nada que entrenar. "
            "Mira los nombres con model.named_parameters()."
        )
    return trainable
