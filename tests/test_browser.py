"""Los notebooks del estudiante se abren en un navegador de verdad (Chromium sin pantalla) dentro
de JupyterLab, sin diálogos de error, y el lab 02 se ejecuta allí (perfil ``ci``) hasta la
demostración con widgets, donde se escribe una frase y se pulsa «Clasificar». Se salta si no hay
Chromium (``apt-get install chromium``).

Las capturas quedan en ``browser-screenshots/`` (ignorado por git).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "helpers"))
from cdp import Chromium

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHOTS = ROOT / "browser-screenshots"
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
)
TOKEN = "coursekit-browser-test"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium no está instalado"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    pytest.importorskip("jupyterlab")
    port = _free_port()
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # sin el aviso de noticias de Jupyter en las capturas
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8"
    )
    docmanager = home / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)  # sin autoguardado: ejecutar el lab 02 no cambia solutions/
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}', encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        # Los kernels heredan este entorno: el coursekit de este repositorio, el perfil ci, sus
        # propios checkpoints y las gráficas en línea (conftest pone MPLBACKEND=Agg).
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "COURSE_CHECKPOINT_DIR": str(home / "checkpoints"),
    }
    env.pop("MPLBACKEND", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=", "--allow-root",
         "--LabApp.expose_app_in_browser=True"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("JupyterLab no arrancó en 120 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Un Chromium sin pantalla para todas las pruebas del módulo, controlado por CDP."""
    chromium = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


# El panel de un notebook abierto (sin foco, como aquí, ``shell.currentWidget`` es null).
PANEL = (
    'Array.from(jupyterapp.shell.widgets("main")).find(w => w.content && w.sessionContext'
    ' && w.context && w.context.path.endsWith("__NOTEBOOK__"))'
)
NOTEBOOK_READY = """(() => {
  const panel = window.jupyterapp && __PANEL__;
  if (!panel) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return Boolean(panel.context.isReady && panel.content.widgets.length
    && kernel && kernel.status === "idle");
})()"""
RENDERED = """(() => {
  const panel = __PANEL__;
  return {
    title: (panel.content.node.querySelector("h1") || {}).textContent || "",
    dialogs: Array.from(document.querySelectorAll(".jp-Dialog"), d => d.textContent.slice(0, 300)),
    errors: panel.content.node.querySelectorAll(".jp-OutputArea-output[data-mime-type="
      + "'application/vnd.jupyter.stderr']").length,
  };
})()"""


def _js(template: str, notebook: str, **values: int | str) -> str:
    """El JavaScript de una plantilla: sus valores ``%(nombre)`` y el panel de ``notebook``."""
    code = template % values if values else template
    return code.replace("__PANEL__", PANEL).replace("__NOTEBOOK__", notebook)


def _open(browser: Chromium, base: str, path: str) -> None:
    """Abre ``path`` en JupyterLab (espacio de trabajo limpio) y espera al kernel."""
    browser.navigate(f"{base}/lab/tree/{path}?token={TOKEN}&reset")
    browser.wait_for(_js(NOTEBOOK_READY, Path(path).name), timeout=300)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_renders_without_error_dialog(jupyterlab, browser, notebook):
    _open(browser, jupyterlab, f"notebooks/{notebook.name}")  # renderizado y kernel listo
    time.sleep(2)  # un diálogo de error aparece justo después
    shown = browser.evaluate(_js(RENDERED, notebook.name))
    assert shown["title"].startswith(f"Lab {notebook.name[:2]}"), shown  # el título, renderizado
    assert shown["dialogs"] == [], "apareció un diálogo (¿error al abrir el notebook?)"
    assert shown["errors"] == 0
    SHOTS.mkdir(exist_ok=True)
    browser.screenshot(SHOTS / f"{notebook.stem}.png")
    browser.evaluate(_js("__PANEL__.sessionContext.shutdown().then(() => true)", notebook.name))
    assert (SHOTS / f"{notebook.stem}.png").stat().st_size > 10_000


# --- El lab 02 ejecutado en JupyterLab, hasta la demostración con widgets ----------------------

LAB02 = ROOT / "solutions" / "02_trainer.ipynb"
FIRST_CODE_CELLS = 4  # instalación, semilla, datos y línea base
TYPED = "What a wonderful film, I would happily watch it again tomorrow."
RUN_CELLS = """(() => {
  const notebook = __PANEL__.content;
  notebook.deselectAll();
  notebook.activeCellIndex = %(first)d;
  notebook.extendContiguousSelectionTo(%(last)d);
  window.__coursekitRun = null;
  jupyterapp.commands.execute("notebook:run-cell").then(
    ok => { window.__coursekitRun = {ok: ok}; },
    error => { window.__coursekitRun = {error: String(error)}; });
  return true;
})()"""
CELL_PROBLEMS = """(() => {
  const notebook = __PANEL__.content, problems = [];
  for (let i = %(first)d; i <= %(last)d; i++) {
    const model = notebook.widgets[i].model;
    if (model.type !== "code") continue;
    if (model.executionCount === null) problems.push(`celda ${i}: sin ejecutar`);
    for (const output of model.outputs.toJSON())
      if (output.output_type === "error")
        problems.push(`celda ${i}: ${output.ename}: ${output.evalue}`);
  }
  return problems;
})()"""
SCROLL_TO = """(async () => {
  const notebook = __PANEL__.content;
  notebook.activeCellIndex = %(index)d;
  if (notebook.scrollToItem) await notebook.scrollToItem(%(index)d, "%(align)s");
  notebook.widgets[%(index)d].node.scrollIntoView({block: "%(align)s"});
  await new Promise(resolve => setTimeout(resolve, 1000));
  return true;
})()"""
WIDGET = "__PANEL__.content.widgets[%(index)d].node"
WIDGET_RENDERED = f"""(() => {{
  const cell = {WIDGET};
  const bars = cell.querySelectorAll(".widget-hprogress").length;
  return cell.querySelector("textarea") && cell.querySelector("button.widget-button")
    && bars >= 2 ? bars : 0;
}})()"""
FOCUS_TEXTAREA = f"""(() => {{
  const box = {WIDGET}.querySelector("textarea");
  box.focus();
  box.select();
  return true;
}})()"""
BUTTON_CENTER = f"""(() => {{
  const rect = {WIDGET}.querySelector("button.widget-button").getBoundingClientRect();
  return [rect.x + rect.width / 2, rect.y + rect.height / 2];
}})()"""
SHOWN_RESULT = f"""(() => {{
  const cell = {WIDGET};
  return {{
    html: Array.from(cell.querySelectorAll(".widget-html-content"), e => e.textContent),
    labels: Array.from(cell.querySelectorAll(".widget-label"), e => e.textContent),
  }};
}})()"""
KERNEL_STATE = """(async () => {
  const kernel = __PANEL__.sessionContext.session.kernel;
  const future = kernel.requestExecute({code: __CODE__, store_history: false});
  let text = "";
  future.onIOPub = message => {
    if (message.header.msg_type === "stream") text += message.content.text;
  };
  await future.done;
  return text;
})()""".replace(
    "__CODE__",
    json.dumps(
        "import json; print(json.dumps({'text': demo.text.value, 'result': demo.result.value, "
        "'percentages': [label.value for label in demo.percentages]}))"
    ),
)


def _lab02_cells() -> tuple[int, int]:
    """Índices (en el notebook) de la última de las primeras celdas de código y de la celda de la
    demostración con widgets."""
    cells = json.loads(LAB02.read_text(encoding="utf-8"))["cells"]
    code = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
    widget = next(i for i in code if "show_classifier(" in "".join(cells[i]["source"]))
    return code[FIRST_CODE_CELLS - 1], widget


def _run_cells(browser: Chromium, first: int, last: int, timeout: float) -> None:
    browser.evaluate(_js(RUN_CELLS, LAB02.name, first=first, last=last))
    outcome = browser.wait_for("window.__coursekitRun", timeout=timeout, interval=1)
    problems = browser.evaluate(_js(CELL_PROBLEMS, LAB02.name, first=first, last=last))
    assert not problems and "error" not in outcome, (outcome, problems)


def test_lab02_runs_in_jupyterlab_and_widget_classifies(jupyterlab, browser):
    first_cells_end, widget_cell = _lab02_cells()
    SHOTS.mkdir(exist_ok=True)
    _open(browser, jupyterlab, f"solutions/{LAB02.name}")

    # 1) Las primeras celdas: instalación (no instala nada aquí), datos y línea base.
    _run_cells(browser, 0, first_cells_end, timeout=300)
    browser.evaluate(_js(SCROLL_TO, LAB02.name, index=first_cells_end, align="center"))
    browser.screenshot(SHOTS / "02_primeras_celdas.png")

    # 2) Hasta la demostración: modelo, entrenamiento (ci), evaluación, gráficas, predicciones.
    _run_cells(browser, first_cells_end + 1, widget_cell, timeout=900)
    browser.evaluate(_js(SCROLL_TO, LAB02.name, index=widget_cell, align="center"))
    where = {"index": widget_cell}
    bars = browser.wait_for(_js(WIDGET_RENDERED, LAB02.name, **where), timeout=60)
    assert bars == 2  # una barra por clase: el perfil ci tiene dos (negativa, positiva)
    before = browser.evaluate(_js(SHOWN_RESULT, LAB02.name, **where))
    assert any(text.startswith("Predicción:") for text in before["html"]), before

    # 3) El estudiante escribe una frase y pulsa «Clasificar».
    browser.evaluate(_js(FOCUS_TEXTAREA, LAB02.name, **where))
    browser.type_text(TYPED)
    browser.click(*browser.evaluate(_js(BUTTON_CENTER, LAB02.name, **where)))
    deadline = time.monotonic() + 60
    while True:  # el kernel recibe la frase y clasifica; el navegador muestra lo mismo
        state = json.loads(browser.evaluate(_js(KERNEL_STATE, LAB02.name)) or "null")
        shown = browser.evaluate(_js(SHOWN_RESULT, LAB02.name, **where))
        if (
            state
            and state["text"] == TYPED
            and all(p in shown["labels"] for p in state["percentages"])
            and any(state["result"].endswith(f"{t}</b>") for t in shown["html"] if t)
        ):
            break
        assert time.monotonic() < deadline, (state, shown)
        time.sleep(1)
    browser.screenshot(SHOTS / "02_widget.png")
    for name in ("02_primeras_celdas.png", "02_widget.png"):
        assert (SHOTS / name).stat().st_size > 10_000


# --- El cuestionario final, en JupyterLab: se dibuja con botones y responde al pulsar ----------

QUIZ_LAB = ROOT / "notebooks" / "01_preparar_datos.ipynb"
QUIZ_BUTTONS = f"""(() => {{
  const buttons = {WIDGET}.querySelectorAll("button.widget-button");
  return buttons.length;
}})()"""
QUIZ_BUTTON_CENTER = f"""(() => {{
  const button = Array.from({WIDGET}.querySelectorAll("button.widget-button"))[%(button)d];
  button.scrollIntoView({{block: "center"}});
  const rect = button.getBoundingClientRect();
  return [rect.x + rect.width / 2, rect.y + rect.height / 2];
}})()"""
QUIZ_TEXT = f"{WIDGET}.textContent"


def test_quiz_renders_in_jupyterlab_and_answers_on_click(jupyterlab, browser):
    """Solo la celda del cuestionario (no necesita nada de las anteriores): botones de verdad,
    no el texto alternativo, y la explicación al pulsar la opción correcta de la pregunta 1."""
    from coursekit import quiz

    cells = json.loads(QUIZ_LAB.read_text(encoding="utf-8"))["cells"]
    index = len(cells) - 1
    assert "quiz.show(" in "".join(cells[index]["source"])
    first = quiz.load_quiz("01").questions[0]
    _open(browser, jupyterlab, f"notebooks/{QUIZ_LAB.name}")
    browser.evaluate(_js(RUN_CELLS, QUIZ_LAB.name, first=index, last=index))
    browser.wait_for("window.__coursekitRun", timeout=120, interval=1)
    browser.evaluate(_js(SCROLL_TO, QUIZ_LAB.name, index=index, align="start"))
    total = sum(len(q.options) for q in quiz.load_quiz("01").questions)
    where = {"index": index}
    assert browser.wait_for(_js(QUIZ_BUTTONS, QUIZ_LAB.name, **where), timeout=60) == total
    right = first.letters.index(first.correct_letter)
    browser.click(*browser.evaluate(_js(QUIZ_BUTTON_CENTER, QUIZ_LAB.name, button=right, **where)))
    explanation = first.options[right].explanation
    text = browser.wait_for(
        f"(() => {{ const t = {_js(QUIZ_TEXT, QUIZ_LAB.name, **where)};"
        f" return t.includes({json.dumps(explanation)}) ? t : null; }})()",
        timeout=60,
    )
    assert "¡Correcto!" in text and "Acertadas a la primera: 1 de" in text
    SHOTS.mkdir(exist_ok=True)
    browser.screenshot(SHOTS / "01_cuestionario.png")
    browser.evaluate(_js("__PANEL__.sessionContext.shutdown().then(() => true)", QUIZ_LAB.name))
