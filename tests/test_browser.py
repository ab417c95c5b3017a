"""Los notebooks del estudiante se abren en un navegador de verdad (Chromium sin pantalla) dentro
de JupyterLab, sin diálogos de error. Se salta si no hay Chromium (``apt-get install chromium``).

Las capturas quedan en ``browser-screenshots/`` (ignorado por git).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=", "--allow-root"],
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


def _chromium(*args: str, profile: Path) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--no-first-run",
               f"--user-data-dir={profile}", "--window-size=1280,900",
               "--virtual-time-budget=15000", *args]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_renders_without_error_dialog(jupyterlab, notebook, tmp_path):
    # Uno detrás de otro: en paralelo, con 2 núcleos, Chromium no terminaba a tiempo.
    url = f"{jupyterlab}/lab/tree/notebooks/{notebook.name}?token={TOKEN}&reset"
    dom = _chromium("--dump-dom", url, profile=tmp_path / "p1")
    assert "jp-Notebook" in dom, "JupyterLab no mostró el notebook"
    assert f"Lab {notebook.name[:2]}" in dom  # el título del lab, ya renderizado
    dialogs = re.findall(r'class="[^"]*\bjp-Dialog\b[^"]*"', dom)  # elementos, no el CSS
    assert dialogs == [], "apareció un diálogo (¿error al abrir el notebook?)"
    assert "jp-OutputArea-error" not in dom
    SHOTS.mkdir(exist_ok=True)
    _chromium(f"--screenshot={SHOTS / (notebook.stem + '.png')}", url, profile=tmp_path / "p2")
    assert (SHOTS / f"{notebook.stem}.png").stat().st_size > 10_000
