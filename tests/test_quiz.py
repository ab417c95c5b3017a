"""El cuestionario final de cada lab («Comprueba lo que has aprendido»): las preguntas están bien
escritas, el widget responde al pulsar, sin widgets sale como texto y las entradas malas dan un
error en español. Corre con el ipywidgets que haya: 8 en el entorno del curso y 7.7.1 (el de
Colab) en scripts/test_colab.sh o con ``PYTHONPATH=/carpeta/con/ipywidgets7``."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import nbformat
import pytest

from coursekit import quiz
from coursekit.errors import CourseError

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted(p.name[:2] for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def test_every_lab_has_a_quiz():
    assert LABS and quiz.available_labs() == LABS


@pytest.mark.parametrize("lab", LABS)
def test_quiz_is_well_formed(lab):
    """3 a 5 preguntas; cada una con exactamente una opción correcta y una explicación por
    opción, distinta en cada opción."""
    questions = quiz.load_quiz(lab).questions
    assert 3 <= len(questions) <= 5
    for question in questions:
        assert question.text.strip()
        assert 2 <= len(question.options) <= 5
        assert sum(option.correct for option in question.options) == 1
        explanations = [option.explanation.strip() for option in question.options]
        assert all(explanations) and len(set(explanations)) == len(explanations)
        assert len({option.text for option in question.options}) == len(question.options)


def test_quiz_problems_catch_badly_written_quizzes():
    right = quiz.Option("sí", True, "Porque sí.")
    wrong = quiz.Option("no", False, "Porque no.")
    good = quiz.Question("¿Bien?", (right, wrong))
    assert quiz.quiz_problems(quiz.Quiz("01", (good,) * 3)) == []
    two_right = quiz.Question("¿Dos?", (right, right))
    none_right = quiz.Question("¿Ninguna?", (wrong, wrong))
    unexplained = quiz.Question("¿Sin por qué?", (right, quiz.Option("no", False, " ")))
    problems = quiz.quiz_problems(quiz.Quiz("01", (two_right, none_right, unexplained)))
    assert problems == [
        "la pregunta 1 tiene 2 opciones correctas, no 1",
        "la pregunta 2 tiene 0 opciones correctas, no 1",
        "a la opción b de la pregunta 3 le falta texto",
    ]
    assert quiz.quiz_problems(quiz.Quiz("01", (good,) * 2)) == [
        "tiene 2 preguntas y deben ser de 3 a 5"
    ]


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
@pytest.mark.parametrize("lab", LABS)
def test_each_lab_ends_with_its_quiz(folder, lab):
    path = next((ROOT / folder).glob(f"{lab}_*.ipynb"))
    heading, code = nbformat.read(path, as_version=4).cells[-2:]
    assert heading.cell_type == "markdown" and heading.source.startswith(quiz_heading())
    assert code.cell_type == "code"
    assert code.source == f'from coursekit import quiz\n\nquiz.show("{lab}")'


def quiz_heading() -> str:
    return f"## {quiz.TITLE}"


def test_answer_prints_whether_right_and_why(capsys):
    question = quiz.load_quiz("01").questions[1]
    right = question.correct_letter
    wrong = next(letter for letter in question.letters if letter != right)
    quiz.answer("01", 2, right.upper())
    printed = capsys.readouterr().out
    explanation = question.options[question.letters.index(right)].explanation
    assert printed == f"Pregunta 2: ✅ ¡Correcto! {explanation}\n"
    quiz.answer(1, 2, f"{wrong})")
    printed = capsys.readouterr().out
    explanation = question.options[question.letters.index(wrong)].explanation
    assert printed == f"Pregunta 2: ❌ La opción {wrong} no es correcta. {explanation}\n"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: quiz.show("08"), r"No hay cuestionario para el lab '08'.*01, 02"),
        (lambda: quiz.answer("siete", 1, "a"), "No hay cuestionario para el lab 'siete'"),
        (lambda: quiz.answer(True, 1, "a"), "No hay cuestionario para el lab True"),
        (lambda: quiz.answer("01", 0, "a"), r"tiene \d preguntas: .* del 1 al \d \(pusiste 0\)"),
        (lambda: quiz.answer("01", 6, "a"), r"del 1 al \d \(pusiste 6\)"),
        (lambda: quiz.answer("01", "2", "a"), r"del 1 al \d \(pusiste '2'\)"),
        (lambda: quiz.answer("01", 1, "z"), r"La pregunta 1 tiene las opciones a, b.*'z'"),
        (lambda: quiz.answer("01", 1, ""), r"una de esas letras entre comillas"),
        (lambda: quiz.answer("01", 1, 2), r"\(pusiste 2\)"),
    ],
)
def test_bad_inputs_raise_a_spanish_course_error(call, message):
    with pytest.raises(CourseError, match=message):
        call()


def test_quiz_text_lists_every_question_and_how_to_answer():
    text = quiz.quiz_text("05")
    for number, question in enumerate(quiz.load_quiz("05").questions, start=1):
        assert f"{number}. {question.text}" in text
        for letter, option in zip(question.letters, question.options, strict=True):
            assert f"   {letter}) {option.text}" in text
    assert 'quiz.answer("05", 1, "a")' in text
    assert "✅" not in text and "correcta" not in text  # no delata las respuestas


def test_inline_html_escapes_and_keeps_code_untouched():
    html = quiz.inline_html("Usa `a * b ** c < d` con *one-hot* y **no** <script>")
    assert html == (
        "Usa <code>a * b ** c &lt; d</code> con <i>one-hot</i> y <b>no</b> &lt;script&gt;"
    )


def test_without_ipywidgets_show_prints_the_quiz(without_ipywidgets, capsys):
    assert quiz.show("01") is None
    printed = capsys.readouterr().out
    assert printed.startswith(quiz.MISSING_WIDGETS_MESSAGE)
    assert quiz.quiz_text("01") in printed


# Con widgets (el ipywidgets instalado: 8 aquí, 7.7.1 en scripts/test_colab.sh).


@pytest.fixture
def ipywidgets():
    return pytest.importorskip("ipywidgets")


@pytest.mark.parametrize("lab", LABS)
def test_clicking_an_option_shows_its_explanation(ipywidgets, lab):
    shown = quiz.quiz_widget(lab)
    questions = shown.quiz.questions
    assert isinstance(shown.widget, ipywidgets.VBox)
    assert shown.widget.children[-1] is shown.score
    assert [len(row) for row in shown.buttons] == [len(q.options) for q in questions]
    assert all(box.value == "" for box in shown.feedback)  # nada respondido todavía

    for index, question in enumerate(questions):
        right = question.letters.index(question.correct_letter)
        wrong = (right + 1) % len(question.options)
        buttons = shown.buttons[index]
        buttons[wrong].click()  # el manejador del clic de ipywidgets, como al pulsar
        assert "no es correcta" in shown.feedback[index].value
        assert quiz.inline_html(question.options[wrong].explanation) in shown.feedback[index].value
        assert [b.button_style for b in buttons] == [
            "danger" if i == wrong else "" for i in range(len(buttons))
        ]
        buttons[right].click()
        assert "¡Correcto!" in shown.feedback[index].value
        assert quiz.inline_html(question.options[right].explanation) in shown.feedback[index].value
        assert [b.button_style for b in buttons] == [
            "success" if i == right else "" for i in range(len(buttons))
        ]
    # Cuenta la primera respuesta de cada pregunta: todas fallidas.
    assert f"Acertadas a la primera: 0 de {len(questions)}" in shown.score.value
    assert f"(respondidas: {len(questions)})" in shown.score.value


def test_first_try_score_and_choose(ipywidgets):
    shown = quiz.quiz_widget("04")
    first = shown.quiz.questions[0]
    result = shown.choose(1, first.correct_letter)
    assert result.correct and result.letter == first.correct_letter
    assert "Acertadas a la primera: 1 de" in shown.score.value
    with pytest.raises(CourseError, match="del 1 al"):
        shown.choose(99, "a")


def test_show_sends_the_widget_with_the_text_as_fallback(ipywidgets, monkeypatch):
    """Fuera de Colab: el widget y, para un visor sin widgets, el texto de las preguntas en lugar
    de «VBox(children=...)»."""
    calls = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(quiz, "_in_colab", lambda: False)
    assert quiz.show("03") is None
    [((bundle,), kwargs)] = calls
    assert kwargs == {"raw": True}
    assert bundle["text/plain"] == quiz.quiz_text("03")
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["version_major"] == 2 and len(view["model_id"]) == 32


def test_show_in_colab_displays_the_widget_itself(ipywidgets, monkeypatch):
    """En Colab, el widget tal cual (Colab le añade sus metadatos al mostrarlo); con ipywidgets 8
    hace falta activar su gestor de widgets, con el 7.7.1 que trae Colab no."""
    calls, enabled = [], []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(quiz, "_in_colab", lambda: True)
    output = types.SimpleNamespace(enable_custom_widget_manager=lambda: enabled.append(True))
    colab = types.ModuleType("google.colab")
    colab.output = output  # type: ignore[attr-defined]
    if "google" not in sys.modules:  # protobuf ya lo importa como paquete de espacio de nombres
        monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    quiz.show("06")
    [((widget,), kwargs)] = calls
    assert isinstance(widget, ipywidgets.VBox) and kwargs == {}
    assert enabled == ([True] if int(ipywidgets.__version__.split(".")[0]) >= 8 else [])
