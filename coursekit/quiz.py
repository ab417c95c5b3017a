"""«Comprueba lo que has aprendido»: un cuestionario corto al final de cada lab, con la
explicación de cada opción en cuanto el estudiante responde.

Las preguntas son datos (``coursekit/quizzes/labNN.json``); este módulo las carga, las valida y
las muestra. Con ipywidgets (7 en Colab, 8 en Jupyter) cada opción tiene un botón; donde los
widgets no se pueden dibujar (sin ipywidgets, o un visor sin soporte de widgets) las preguntas
salen como texto y se responde con ``quiz.answer("01", 2, "b")``.
"""

from __future__ import annotations

import html
import json
import re
import string
from dataclasses import dataclass
from importlib import resources
from typing import Any

from coursekit.errors import CourseError

TITLE = "Comprueba lo que has aprendido"
MISSING_WIDGETS_MESSAGE = (
    "No se encuentra ipywidgets, así que el cuestionario sale como texto: responde cada pregunta "
    "con una celda como la del ejemplo de abajo."
)


@dataclass(frozen=True)
class Option:
    """Una respuesta posible, si es la correcta y por qué lo es o no lo es."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """Un enunciado y sus opciones (la primera es la «a»)."""

    text: str
    options: tuple[Option, ...]

    @property
    def letters(self) -> list[str]:
        """Las letras de las opciones: ``["a", "b", "c"]``."""
        return list(string.ascii_lowercase[: len(self.options)])

    @property
    def correct_letter(self) -> str:
        """La letra de la opción correcta."""
        return next(
            letter for letter, o in zip(self.letters, self.options, strict=True) if o.correct
        )


@dataclass(frozen=True)
class Quiz:
    """El cuestionario de un lab (``lab`` con dos cifras, p. ej. ``"01"``)."""

    lab: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Feedback:
    """Lo que se le dice al estudiante al elegir una opción."""

    correct: bool
    letter: str
    explanation: str

    @property
    def message(self) -> str:
        """La respuesta en una frase: acierto o no, y por qué."""
        verdict = "✅ ¡Correcto!" if self.correct else f"❌ La opción {self.letter} no es correcta."
        return f"{verdict} {self.explanation}"


def available_labs() -> list[str]:
    """Los labs que tienen cuestionario, p. ej. ``["01", ..., "07"]``."""
    folder = resources.files("coursekit") / "quizzes"
    names = (entry.name for entry in folder.iterdir())
    return sorted(m.group(1) for m in map(re.compile(r"lab(\d\d)\.json$").match, names) if m)


def normalize_lab(lab: str | int) -> str:
    """``"01"``, ``"1"``, ``1`` o ``"lab01"`` → ``"01"``; si no hay cuestionario, un error."""
    text = str(lab).strip().lower().removeprefix("lab").strip() if not isinstance(lab, bool) else ""
    labs = available_labs()
    if text.isdigit() and text.zfill(2) in labs:
        return text.zfill(2)
    raise CourseError(
        f"No hay cuestionario para el lab {lab!r}. Escribe el número del lab entre comillas, "
        f'como en quiz.show("01"); hay cuestionario para: {", ".join(labs)}.'
    )


def load_quiz(lab: str | int) -> Quiz:
    """Carga y valida el cuestionario de un lab (``coursekit/quizzes/labNN.json``)."""
    lab = normalize_lab(lab)
    path = resources.files("coursekit") / "quizzes" / f"lab{lab}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = tuple(
        Question(
            text=item["question"],
            options=tuple(
                Option(text=o["text"], correct=bool(o.get("correct")), explanation=o["explanation"])
                for o in item["options"]
            ),
        )
        for item in data["questions"]
    )
    quiz = Quiz(lab=lab, questions=questions)
    problems = quiz_problems(quiz)
    if problems:
        raise CourseError(f"El cuestionario del lab {lab} está mal escrito: {'; '.join(problems)}.")
    return quiz


def quiz_problems(quiz: Quiz) -> list[str]:
    """Lo que está mal en un cuestionario (vacío si está bien): de 3 a 5 preguntas, cada una
    con 2 a 5 opciones, exactamente una correcta y una explicación en cada opción."""
    problems = []
    if not 3 <= len(quiz.questions) <= 5:
        problems.append(f"tiene {len(quiz.questions)} preguntas y deben ser de 3 a 5")
    for number, question in enumerate(quiz.questions, start=1):
        if not question.text.strip():
            problems.append(f"la pregunta {number} no tiene enunciado")
        if not 2 <= len(question.options) <= 5:
            problems.append(f"la pregunta {number} tiene {len(question.options)} opciones")
        right = sum(option.correct for option in question.options)
        if right != 1:
            problems.append(f"la pregunta {number} tiene {right} opciones correctas, no 1")
        for letter, option in zip(question.letters, question.options, strict=True):
            if not option.text.strip() or not option.explanation.strip():
                problems.append(f"a la opción {letter} de la pregunta {number} le falta texto")
    return problems


def question_at(quiz: Quiz, number: int) -> Question:
    """La pregunta ``number`` (desde 1), o un error que dice cuántas hay."""
    count = len(quiz.questions)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= count:
        raise CourseError(
            f"El cuestionario del lab {quiz.lab} tiene {count} preguntas: el número de pregunta "
            f"va del 1 al {count} (pusiste {number!r})."
        )
    return quiz.questions[number - 1]


def feedback(lab: str | int, number: int, letter: str) -> Feedback:
    """Si la opción ``letter`` de la pregunta ``number`` del lab es la correcta, y por qué."""
    question = question_at(load_quiz(lab), number)
    return question_feedback(question, number, letter)


def question_feedback(question: Question, number: int, letter: str) -> Feedback:
    """La respuesta a una opción de ``question`` (``letter``: ``"b"``, ``"B"`` o ``"b)"``)."""
    chosen = letter.strip().rstrip(")").strip().lower() if isinstance(letter, str) else None
    if chosen not in question.letters:
        raise CourseError(
            f"La pregunta {number} tiene las opciones {', '.join(question.letters)}: responde "
            f'con una de esas letras entre comillas, como "{question.letters[0]}" '
            f"(pusiste {letter!r})."
        )
    option = question.options[question.letters.index(chosen)]
    return Feedback(correct=option.correct, letter=chosen, explanation=option.explanation)


def answer(lab: str | int, number: int, letter: str) -> None:
    """Responde sin widgets: imprime si la opción es correcta y por qué.

    >>> answer("01", 2, "b")  # doctest: +SKIP
    """
    print(f"Pregunta {number}: {feedback(lab, number, letter).message}")


def quiz_text(lab: str | int) -> str:
    """El cuestionario como texto, con la forma de responder (para imprimir)."""
    quiz = load_quiz(lab)
    lines = [f"{TITLE} · lab {quiz.lab}", ""]
    for number, question in enumerate(quiz.questions, start=1):
        lines.append(f"{number}. {question.text}")
        lines += [
            f"   {ltr}) {o.text}" for ltr, o in zip(question.letters, question.options, strict=True)
        ]
        lines.append("")
    lines.append(
        f'Responde con quiz.answer("{quiz.lab}", número de pregunta, "letra"), '
        f'por ejemplo quiz.answer("{quiz.lab}", 1, "a").'
    )
    return "\n".join(lines)


def inline_html(text: str) -> str:
    """El texto de una pregunta como HTML: escapado, con `código`, **negrita** y *cursiva*
    (dentro del código no se toca nada)."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1], quote=False)}</code>")
            continue
        part = html.escape(part, quote=False)
        part = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", part)
        out.append(re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<i>\1</i>", part))
    return "".join(out)


class QuizWidget:
    """El cuestionario con widgets: un botón por opción y la explicación al pulsarlo.

    ``widget`` es lo que se muestra; ``buttons[i][j]`` es el botón de la opción ``j`` de la
    pregunta ``i`` (desde 0), ``feedback[i]`` el texto que aparece al responder y ``score`` el
    recuento. ``choose(número, "letra")`` hace lo mismo que pulsar el botón. Solo usa widgets
    básicos (``Button``, ``HTML``, ``HBox``, ``VBox``), iguales en ipywidgets 7 (Colab) y 8.
    """

    def __init__(self, quiz: Quiz) -> None:
        import ipywidgets as widgets

        self.quiz = quiz
        self.first_answers: dict[int, bool] = {}
        self.buttons: list[list[Any]] = []
        self.feedback: list[Any] = []
        blocks = []
        for number, question in enumerate(quiz.questions, start=1):
            buttons, rows = [], []
            for letter, option in zip(question.letters, question.options, strict=True):
                button = widgets.Button(
                    description=letter,
                    tooltip=f"Responder {letter}",
                    layout=widgets.Layout(width="3em", min_width="3em"),
                )
                button.on_click(self._handler(number, letter))
                text = widgets.HTML(
                    value=f"<div style='line-height:1.4'>{inline_html(option.text)}</div>",
                    layout=widgets.Layout(width="auto"),
                )
                buttons.append(button)
                rows.append(widgets.HBox([button, text]))
            self.buttons.append(buttons)
            self.feedback.append(widgets.HTML(value=""))
            prompt = widgets.HTML(
                value=f"<div style='line-height:1.4'><b>{number}.</b> "
                f"{inline_html(question.text)}</div>"
            )
            spaced = widgets.Layout(margin="0 0 12px 0")
            blocks.append(widgets.VBox([prompt, *rows, self.feedback[-1]], layout=spaced))
        title = widgets.HTML(
            value=f"<h3>{TITLE}</h3>Pulsa la letra de la respuesta que elijas: verás al momento "
            "si es correcta y por qué. Puedes probar las demás opciones."
        )
        self.score = widgets.HTML(value=self._score_text())
        self.widget = widgets.VBox([title, *blocks, self.score])

    def _handler(self, number: int, letter: str) -> Any:
        return lambda _button: self.choose(number, letter)

    def choose(self, number: int, letter: str) -> Feedback:
        """Elige la opción ``letter`` de la pregunta ``number`` (desde 1), como un clic."""
        question = question_at(self.quiz, number)
        result = question_feedback(question, number, letter)
        self.first_answers.setdefault(number, result.correct)
        for button_letter, button in zip(question.letters, self.buttons[number - 1], strict=True):
            chosen = button_letter == result.letter
            button.button_style = ("success" if result.correct else "danger") if chosen else ""
        color = "#1b5e20" if result.correct else "#b00020"
        self.feedback[
            number - 1
        ].value = f"<div style='color:{color};line-height:1.4'>{inline_html(result.message)}</div>"
        self.score.value = self._score_text()
        return result

    def _score_text(self) -> str:
        right = sum(self.first_answers.values())
        return (
            f"<i>Acertadas a la primera: {right} de {len(self.quiz.questions)} "
            f"(respondidas: {len(self.first_answers)}).</i>"
        )


def quiz_widget(lab: str | int) -> QuizWidget:
    """El cuestionario del lab con widgets, sin mostrarlo (``show`` lo muestra)."""
    return QuizWidget(load_quiz(lab))


def show(lab: str | int) -> None:
    """Muestra el cuestionario del lab: con botones si hay ipywidgets y, si no, como texto.

    Donde el visor no sabe dibujar widgets (GitHub, nbviewer, un editor sin soporte) se ve el
    texto de las preguntas y cómo responder con ``quiz.answer``.
    """
    text = quiz_text(lab)
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        print(MISSING_WIDGETS_MESSAGE)
        print()
        print(text)
        return
    from IPython.display import display

    quiz = quiz_widget(lab)
    if _in_colab():
        _enable_colab_widgets()
        display(quiz.widget)  # Colab añade sus metadatos al mostrar el widget
        return
    display(widget_bundle(quiz.widget, text), raw=True)


def widget_bundle(widget: Any, text: str) -> dict[str, Any]:
    """Lo que se envía al mostrar ``widget`` con ``text`` como alternativa en texto plano (la
    que usa un visor que no dibuja widgets, en lugar de ``VBox(children=...)``)."""
    bundle = widget._repr_mimebundle_() if hasattr(widget, "_repr_mimebundle_") else None
    if not bundle:  # ipywidgets 7 no tiene _repr_mimebundle_: se muestra con _ipython_display_
        bundle = {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": widget.model_id,
            }
        }
    return {**bundle, "text/plain": text}


def _in_colab() -> bool:
    from coursekit.environment import detect_platform

    return detect_platform() == "colab"


def _enable_colab_widgets() -> None:
    """Colab dibuja ipywidgets 7 sin más; con ipywidgets 8 hace falta su gestor de widgets."""
    import ipywidgets

    if int(ipywidgets.__version__.split(".")[0]) < 8:
        return
    try:
        from google.colab import output
    except ImportError:
        return
    output.enable_custom_widget_manager()
