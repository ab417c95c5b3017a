"""La ficha del modelo (*model card*): el README.md que acompaña a un modelo guardado y dice
qué es, con qué datos se entrenó, cuánto acierta y dónde no fiarse de él.

Se escribe en local con ``huggingface_hub.ModelCard`` (no necesita conexión); el Hub la muestra
como portada del repositorio si se sube la carpeta. :func:`hub_upload_blocker` dice, sin tocar
la red, por qué no se puede subir nada (sin conexión o sin token).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from coursekit.errors import CourseError
from coursekit.uncertainty import NOISE_Z, accuracy_standard_error

CARD_NAME = "README.md"


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def model_card_text(
    *,
    base_model: str,
    dataset: str,
    profile: str,
    label_names: Sequence[str],
    num_train: int,
    num_eval: int,
    accuracy: float,
    f1_macro: float | None = None,
    baseline_accuracy: float | None = None,
    language: str | None = None,
    num_validation: int | None = None,
) -> str:
    """El texto (Markdown con metadatos YAML) de la ficha de un clasificador de textos.

    Las cifras (``accuracy``, ``f1_macro``, ``baseline_accuracy``: fracciones entre 0 y 1)
    son las que midió la ejecución sobre ``num_eval`` ejemplos de evaluación; la ficha añade el
    margen de ruido de la exactitud calculado con ese ``num_eval``.

    Con ``num_validation`` (los ejemplos con los que se eligió, p. ej., la tasa de aprendizaje),
    la ficha dice que los ``num_eval`` de evaluación son la partición de prueba (*test*), que no
    se usó para elegir nada.
    """
    from huggingface_hub import ModelCard, ModelCardData

    names = [str(name) for name in label_names]
    if len(names) < 2:
        raise CourseError("La ficha necesita los nombres de al menos dos clases.")
    noise = NOISE_Z * accuracy_standard_error(accuracy, num_eval)
    accuracy_standard_error(accuracy, num_train)  # valida num_train igual que num_eval
    if num_validation is not None:
        accuracy_standard_error(accuracy, num_validation)  # y num_validation
    for name, value in (("f1_macro", f1_macro), ("baseline_accuracy", baseline_accuracy)):
        if value is not None and (isinstance(value, bool) or not 0 <= value <= 1):
            raise CourseError(f"{name} debe ser una fracción entre 0 y 1; es {value!r}.")
    metadata = ModelCardData(
        language=language,
        library_name="transformers",
        pipeline_tag="text-classification",
        base_model=base_model if "/" in base_model else None,  # solo un id del Hub
        tags=["text-classification", "curso-finetuning-es"],
    )
    metric_rows = [f"| exactitud | {_percent(accuracy)} (±{100 * noise:.1f} puntos) |"]
    if f1_macro is not None:
        metric_rows.append(f"| F1 macro | {_percent(f1_macro)} |")
    if baseline_accuracy is not None:
        metric_rows.append(
            f"| exactitud de la clase mayoritaria (línea base) | {_percent(baseline_accuracy)} |"
        )
    if num_validation is None:
        evaluation_rows = (
            f"- Evaluación: {num_eval} ejemplos de `{dataset}` que el modelo no vio al entrenar."
        )
        evaluation_name = "de evaluación"
    else:
        evaluation_rows = (
            f"- Validación: {num_validation} ejemplos de `{dataset}`, con los que se eligió "
            "la tasa de aprendizaje.\n"
            f"- Prueba (*test*): {num_eval} ejemplos de `{dataset}` que no se usaron ni para "
            "entrenar ni para elegir; se evaluaron una sola vez, al final."
        )
        evaluation_name = "de prueba (test)"
    body = f"""
# Clasificador de textos ajustado desde {base_model}

Modelo de clasificación de textos en {len(names)} clases ({", ".join(names)}), ajustado
(*fine-tuning*) desde `{base_model}` con el `Trainer` de 🤗 Transformers en el lab 02 del curso
de fine-tuning (perfil `{profile}`). Es un modelo de prácticas, no de producción.

## Datos

- Entrenamiento: {num_train} ejemplos de `{dataset}`.
{evaluation_rows}

## Resultados

Medidos por la ejecución que guardó este modelo, sobre los {num_eval} ejemplos {evaluation_name}:

| métrica | valor |
|---|---|
{chr(10).join(metric_rows)}

El margen (±) es de {NOISE_Z} errores típicos de una exactitud medida sobre {num_eval} ejemplos:
con otros {num_eval} ejemplos parecidos, la exactitud podría moverse eso.

## Uso

```python
from transformers import pipeline

clasificador = pipeline("text-classification", model="<esta carpeta o repositorio>")
clasificador("Un texto como los de entrenamiento.")
```

## Limitaciones

- Aprendió de {num_train} ejemplos de un solo conjunto de datos: con textos de otro dominio,
  otro idioma u otro estilo puede equivocarse mucho más de lo que dicen estas cifras.
- Las cifras salen de una sola ejecución (una semilla) y de {num_eval} ejemplos: comparar con
  otro modelo exige tener en cuenta el margen de ruido.
- Hereda los sesgos del modelo base y de los datos; no lo uses para decidir sobre personas.
"""
    return str(ModelCard(f"---\n{metadata.to_yaml()}\n---\n{body}"))


def write_model_card(folder: str | os.PathLike, **card) -> Path:
    """Escribe la ficha (:func:`model_card_text` con los mismos argumentos) como
    ``README.md`` en la carpeta de un modelo guardado y devuelve su ruta."""
    from huggingface_hub import ModelCard

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise CourseError(
            f"{folder} no tiene un modelo guardado (falta config.json): guarda antes el modelo "
            "con trainer.save_model o save_pretrained."
        )
    path = folder / CARD_NAME
    ModelCard(model_card_text(**card)).save(path)
    return path


def hub_upload_blocker() -> str | None:
    """Por qué no se puede subir un modelo al Hub ahora (una frase), o ``None`` si nada lo
    impide. No usa la red: mira el modo sin conexión (``HF_HUB_OFFLINE``) y si hay token
    (``HF_TOKEN`` o ``huggingface-cli login``)."""
    from huggingface_hub import constants, get_token

    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in constants.ENV_VARS_TRUE_VALUES
    if offline or constants.is_offline_mode():
        return "Sin conexión al Hub (HF_HUB_OFFLINE=1): no se sube nada."
    if not get_token():
        return (
            "No hay token de Hugging Face: crea uno con permiso de escritura y guárdalo como "
            "HF_TOKEN (o usa huggingface-cli login) para subir el modelo."
        )
    return None
