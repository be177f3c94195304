"""The CLI's early launch of Prefect's temporary server: the flow run uses it, and no second server starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = """
import json
from flows import prefect_server

prefect_server.launch()
launched = prefect_server._launched
port = launched.port if launched else None
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.server.api.server import SubprocessASGIServer

prefect_server.adopt()

@flow
def probe() -> str:
    with get_client(sync_client=True) as client:
        return str(client.api_url)

api_url = probe()
server = SubprocessASGIServer()
print(json.dumps({"launched_port": port, "server_port": server.port, "api_url": api_url,
                  "instances": len(SubprocessASGIServer._instances)}))
"""


def run_probe(tmp_path: Path, **env: str) -> dict[str, object]:
    import json

    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_URL")}
    base.update({"PREFECT_HOME": str(tmp_path / ".prefect"), "PYTHONPATH": str(REPO), **env})
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=base, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_flow_run_uses_the_server_launched_with_the_command(tmp_path) -> None:
    seen = run_probe(tmp_path)
    assert seen["launched_port"] is not None
    assert seen["server_port"] == seen["launched_port"]
    assert f"127.0.0.1:{seen['launched_port']}/api" in str(seen["api_url"])
    assert seen["instances"] == 1  # Prefect did not start a temporary server of its own


def test_a_configured_api_url_is_left_alone(tmp_path, prefect_api_server) -> None:
    seen = run_probe(tmp_path, PREFECT_API_URL=prefect_api_server)
    assert seen["launched_port"] is None
    assert str(seen["api_url"]).rstrip("/") == prefect_api_server.rstrip("/")


def test_an_api_url_from_prefect_settings_files_wins_over_the_launched_server(tmp_path, prefect_api_server) -> None:
    (tmp_path / "prefect.toml").write_text(f'[api]\nurl = "{prefect_api_server}"\n', encoding="utf-8")
    seen = run_probe(tmp_path)
    assert seen["launched_port"] is not None  # launched before Prefect's settings were read, then stopped
    assert str(seen["api_url"]).rstrip("/") == prefect_api_server.rstrip("/")
