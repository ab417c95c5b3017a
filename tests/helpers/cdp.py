"""Un cliente mínimo del protocolo DevTools de Chrome (CDP) para las pruebas de navegador:
arranca Chromium sin pantalla, evalúa JavaScript en la página, teclea, hace clic y guarda capturas.

Usa el cliente de websockets de tornado, que ya viene con Jupyter (ver docs/decisions.md: por qué
no Playwright ni Selenium).
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any


class BrowserError(RuntimeError):
    """Chromium no arrancó, o la página dio un error al evaluar JavaScript."""


class Chromium:
    """Chromium sin pantalla con una pestaña que se controla por CDP."""

    def __init__(self, executable: str, profile: Path, width: int = 1280, height: int = 900):
        from tornado.websocket import websocket_connect

        profile.mkdir(parents=True, exist_ok=True)
        self._log = (profile / "chromium.log").open("w")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--remote-debugging-port=0", "about:blank"],
            stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise BrowserError(
                    f"Chromium no abrió el puerto de DevTools (ver {self._log.name})"
                )
            time.sleep(0.2)
        port = int(port_file.read_text().splitlines()[0])
        self._next_id = 0
        self._loop = asyncio.new_event_loop()

        async def connect() -> Any:  # tornado crea la conexión en el bucle que está corriendo
            url = f"http://127.0.0.1:{port}/json/list"
            with urllib.request.urlopen(url, timeout=10) as answer:
                page = next(t for t in json.load(answer) if t.get("type") == "page")
            return await websocket_connect(page["webSocketDebuggerUrl"], max_message_size=2**28)

        try:
            self._ws = self._loop.run_until_complete(connect())
            self.send("Page.enable")  # para recibir (y aceptar) los diálogos de la página
        except Exception:
            self.close()
            raise

    def send(self, method: str, timeout: float = 180, **params: Any) -> dict:
        """Envía un comando CDP y devuelve su ``result``."""
        self._next_id += 1
        message_id = self._next_id

        async def call() -> dict:
            await self._ws.write_message(json.dumps({"id": message_id, "method": method,
                                                     "params": params}))  # fmt: skip
            while True:
                raw = await self._ws.read_message()
                if raw is None:
                    raise BrowserError("Chromium cerró la conexión de DevTools")
                message = json.loads(raw)
                if message.get("id") == message_id:
                    return message
                if message.get("method") == "Page.javascriptDialogOpening":
                    # «¿Salir del sitio?» de JupyterLab con un notebook sin guardar (tras
                    # escribir y pulsar en él): sin respuesta, Page.navigate se queda esperando.
                    self._next_id += 1
                    await self._ws.write_message(json.dumps({
                        "id": self._next_id, "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": True},
                    }))  # fmt: skip

        message = self._loop.run_until_complete(asyncio.wait_for(call(), timeout))
        if "error" in message:
            raise BrowserError(f"{method}: {message['error']}")
        return message.get("result", {})

    def evaluate(self, expression: str, timeout: float = 180) -> Any:
        """Valor (JSON) de una expresión de JavaScript; espera a las promesas."""
        result = self.send("Runtime.evaluate", timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)  # fmt: skip
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"Error de JavaScript: {text}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float, interval: float = 0.5) -> Any:
        """Espera a que ``expression`` dé un valor verdadero y lo devuelve."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"No se cumplió en {timeout:.0f} s: {expression[:200]}")
            time.sleep(interval)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def type_text(self, text: str) -> None:
        """Escribe ``text`` donde esté el foco, como el teclado (eventos ``input`` reales)."""
        self.send("Input.insertText", text=text)

    def click(self, x: float, y: float) -> None:
        """Un clic con el botón izquierdo en esas coordenadas de la ventana."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)  # fmt: skip

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        if getattr(self, "_ws", None) is not None:
            self._ws.close()
            self._ws = None
        if getattr(self, "_loop", None) is not None and not self._loop.is_closed():
            self._loop.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()
