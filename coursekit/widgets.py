"""Demostración interactiva: una caja de texto y un botón que clasifican con el modelo afinado
la frase que escribe el estudiante y muestran la probabilidad de cada clase como barras.

Usa solo widgets básicos (``Textarea``, ``Button``, ``FloatProgress``, ``Label``, ``HTML``) que
existen igual en ipywidgets 7 (el de Colab) y 8. Sin ipywidgets no falla: imprime un aviso en
español y la clasificación de la frase de ejemplo con barras de texto.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from coursekit.errors import CourseError

#: Frase con la que arranca la caja de texto (se clasifica al mostrar la demostración).
DEFAULT_EXAMPLE = "I expected more, but the last act almost saves it."
EMPTY_TEXT_MESSAGE = "Escribe una frase en la caja antes de pulsar «Clasificar»."
MISSING_WIDGETS_MESSAGE = (
    "No se encuentra ipywidgets, así que no se pueden mostrar la caja de texto y el botón. "
    "Instálalo con `%pip install ipywidgets` y reinicia el entorno de ejecución (el kernel). "
    "Mientras tanto puedes clasificar frases con `predict_texts`. "
    "Así clasifica el modelo la frase de ejemplo:"
)


def class_probabilities(
    model: Any,
    tokenizer: Any,
    text: str,
    label_names: Sequence[str] | None = None,
    max_length: int | None = None,
) -> list[tuple[str, float]]:
    """Probabilidad de cada clase para un texto: una lista ``(clase, probabilidad)`` en el orden
    de las clases del modelo (``label_names`` o ``model.config.id2label``)."""
    from coursekit.predictions import softmax, text_logits

    names = resolve_label_names(model, label_names)
    if not isinstance(text, str) or not text.strip():
        raise CourseError(EMPTY_TEXT_MESSAGE)
    logits = text_logits(model, tokenizer, [text], max_length=max_length)
    if logits.shape[1] != len(names):
        raise CourseError(
            f"El modelo da {logits.shape[1]} logits y hay {len(names)} nombres de clase "
            f"({names}): pasa en label_names uno por clase, en el orden de sus ids."
        )
    return [(name, float(p)) for name, p in zip(names, softmax(logits)[0], strict=True)]


def resolve_label_names(model: Any, label_names: Sequence[str] | None) -> list[str]:
    """Los nombres de clase dados o, si no hay, los de ``model.config.id2label``."""
    from coursekit.models import config_label_names

    if label_names is None:
        names = config_label_names(model.config)
    elif isinstance(label_names, str):
        raise CourseError(
            f"label_names debe ser una lista de nombres de clase, no el texto {label_names!r}."
        )
    else:
        names = [str(name) for name in label_names]
    num_labels = getattr(getattr(model, "config", None), "num_labels", None)
    if isinstance(num_labels, int) and num_labels != len(names):
        raise CourseError(
            f"El modelo tiene {num_labels} clases (num_labels) y hay {len(names)} nombres de "
            f"clase ({names}): pasa en label_names uno por clase, en el orden de sus ids."
        )
    if len(names) < 2:
        raise CourseError(
            "Hacen falta al menos dos nombres de clase: pásalos en label_names o crea el modelo "
            "con id2label (como hace load_classifier)."
        )
    return names


def text_bars(probabilities: Sequence[tuple[str, float]], width: int = 30) -> str:
    """Las probabilidades como barras de texto, una línea por clase (para imprimir)."""
    name_width = max(len(name) for name, _ in probabilities)
    lines = []
    for name, probability in probabilities:
        filled = round(probability * width)
        bar = "█" * filled + "·" * (width - filled)
        lines.append(f"{name:<{name_width}} {bar} {percent(probability):>6}")
    return "\n".join(lines)


def describe_prediction(probabilities: Sequence[tuple[str, float]]) -> str:
    """Frase con la clase más probable y su probabilidad, p. ej. «Predicción: positiva (87,3 %)»."""
    name, probability = max(probabilities, key=lambda item: item[1])
    return f"Predicción: {name} ({percent(probability)})"


def percent(probability: float) -> str:
    """Una probabilidad como porcentaje con coma decimal: ``0.873`` → ``87,3 %``."""
    return f"{100 * probability:.1f} %".replace(".", ",")


class ClassifierDemo:
    """La demostración: ``widget`` (lo que se muestra), la caja ``text``, el botón ``button`` y
    una barra ``FloatProgress`` por clase en ``bars``. ``classify(texto)`` hace lo mismo que
    escribir el texto y pulsar el botón."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        label_names: Sequence[str] | None = None,
        max_length: int | None = None,
        example: str = DEFAULT_EXAMPLE,
    ) -> None:
        import ipywidgets as widgets

        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.label_names = resolve_label_names(model, label_names)
        name_width = f"{min(max(len(name) for name in self.label_names), 30) + 2}ch"
        self.text = widgets.Textarea(
            value=example,
            placeholder="Escribe aquí una frase…",
            rows=2,
            layout=widgets.Layout(width="90%"),
        )
        self.button = widgets.Button(
            description="Clasificar",
            button_style="primary",
            tooltip="Clasifica la frase con el modelo afinado",
        )
        self.result = widgets.HTML()
        self.bars = [
            widgets.FloatProgress(value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="50%"))
            for _ in self.label_names
        ]
        self.percentages = [widgets.Label(value="") for _ in self.label_names]
        rows = [
            widgets.HBox(
                [widgets.Label(value=name, layout=widgets.Layout(width=name_width)), bar, pct]
            )
            for name, bar, pct in zip(self.label_names, self.bars, self.percentages, strict=True)
        ]
        title = widgets.HTML(
            value="<b>Prueba tu modelo</b>: escribe una frase y pulsa «Clasificar». "
            "Cada barra es la probabilidad de una clase."
        )
        self.widget = widgets.VBox([title, self.text, self.button, self.result, *rows])
        self.button.on_click(self._on_click)
        if example.strip():
            self.classify(example)

    def classify(self, text: str | None = None) -> list[tuple[str, float]] | None:
        """Clasifica ``text`` (o lo que haya en la caja), actualiza las barras y devuelve las
        probabilidades; con la caja vacía lo dice en la demostración y devuelve ``None``."""
        if text is not None:
            self.text.value = text
        try:
            probabilities = class_probabilities(
                self.model, self.tokenizer, self.text.value, self.label_names, self.max_length
            )
        except CourseError as error:
            self.result.value = f"<span style='color:#b00020'>{html.escape(str(error))}</span>"
            for bar, pct in zip(self.bars, self.percentages, strict=True):
                bar.value, pct.value = 0.0, ""
            return None
        best = max(range(len(probabilities)), key=lambda i: probabilities[i][1])
        for i, (bar, pct, (_, probability)) in enumerate(
            zip(self.bars, self.percentages, probabilities, strict=True)
        ):
            bar.value = probability
            bar.bar_style = "success" if i == best else "info"
            pct.value = percent(probability)
        self.result.value = f"<b>{html.escape(describe_prediction(probabilities))}</b>"
        return probabilities

    def _on_click(self, _button: Any) -> None:
        self.classify()


def show_classifier(
    model: Any,
    tokenizer: Any,
    label_names: Sequence[str] | None = None,
    max_length: int | None = None,
    example: str = DEFAULT_EXAMPLE,
) -> ClassifierDemo | None:
    """Muestra una caja de texto y un botón «Clasificar» que clasifican con ``model`` la frase
    que escribas, con la probabilidad de cada clase como barras horizontales.

    Funciona con ipywidgets 7 (Colab) y 8. Devuelve la demostración (``demo.classify(texto)``
    hace lo mismo que el botón). Sin ipywidgets imprime un aviso y la clasificación de
    ``example`` en texto, y devuelve ``None``.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        print(MISSING_WIDGETS_MESSAGE)
        print(f"«{example}»")
        print(text_bars(class_probabilities(model, tokenizer, example, label_names, max_length)))
        return None
    from IPython.display import display

    demo = ClassifierDemo(model, tokenizer, label_names, max_length, example)
    display(demo.widget)
    return demo
