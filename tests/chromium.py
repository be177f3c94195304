"""Headless Chromium for tests: flags, and a page watched over the DevTools protocol until it shows a text."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]


class _DevTools:
    """One page's DevTools websocket: send a command, wait for its answer (events are ignored)."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.next_id = 0

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]


def _devtools_port(profile: Path, browser: subprocess.Popen, deadline: float) -> int:
    """The port Chromium chose for ``--remote-debugging-port=0`` (it writes it into the profile)."""
    active = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise RuntimeError(f"chromium exited with {browser.returncode}")
        if active.is_file() and active.read_text().strip():
            return int(active.read_text().split()[0])
        time.sleep(0.2)
    raise TimeoutError("chromium did not open its DevTools port")


def wait_for_text(chromium: str, url: str, text: str, *, profile: Path, screenshot: Path,
                  timeout_s: float = 90) -> str:
    """Open ``url`` in headless Chromium and wait until the page's visible text contains ``text``.

    Saves a screenshot of the page as it was last seen to ``screenshot`` (whether or not the text
    appeared) and returns that visible text. The browser is stopped before returning.
    """
    import httpx
    from websockets.sync.client import connect

    from tests.conftest import stop_process_group

    deadline = time.monotonic() + timeout_s
    browser = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--window-size=1400,1400", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        port = _devtools_port(profile, browser, deadline)
        target = httpx.put(f"http://127.0.0.1:{port}/json/new?{quote(url, safe=':/')}", timeout=30).json()
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as socket:
            page = _DevTools(socket)
            seen = ""
            while text not in seen and time.monotonic() < deadline:
                time.sleep(1)
                answer = page.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
                seen = str(answer["result"].get("value", ""))
            shot = page.call("Page.captureScreenshot", format="png")
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        return seen
    finally:
        stop_process_group(browser)
