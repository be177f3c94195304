"""``entrepot serve``: register the nightly and backfill deployments and run their flow runs.

Needs a long-running Prefect server (``prefect server start``) named by ``PREFECT_API_URL``: the
temporary server Prefect starts on its own never fires schedules. The process stays up, polls the
server for scheduled or triggered runs of its deployments and executes them; stopping it pauses
the schedule.
"""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from flows.backfill import backfill
from flows.nightly import nightly

DEFAULT_CRON = "0 6 * * *"
"""06:00 UTC every day (change it with ``entrepot serve --cron``)."""


class NoPrefectServerError(ValueError):
    """``entrepot serve`` was started without a Prefect server to register with."""


def build_deployments(warehouse_path: str | None, cron: str, timezone: str = "UTC") -> list:
    """The nightly deployment (on ``cron``) and the backfill deployment (run on demand with parameters)."""
    parameters = {"warehouse_path": warehouse_path} if warehouse_path else {}
    return [
        nightly.to_deployment(
            name="nightly", schedule=Cron(cron, timezone=timezone), parameters=parameters,
            entrypoint_type=EntrypointType.MODULE_PATH,
            description="Pull new periods and the revision window from every upstream, load, publish artifacts.",
            tags=["entrepot"],
        ),
        backfill.to_deployment(
            name="backfill", parameters=parameters, entrypoint_type=EntrypointType.MODULE_PATH,
            description="Load a range of past months (parameters start, end as YYYY-MM; sources).",
            tags=["entrepot"],
        ),
    ]


def serve_deployments(warehouse_path: str | None, cron: str = DEFAULT_CRON, timezone: str = "UTC") -> None:
    """Register the deployments with the server at PREFECT_API_URL and serve them until stopped."""
    if not PREFECT_API_URL.value():
        raise NoPrefectServerError(
            "entrepot serve needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (or schedule `entrepot run nightly` with cron instead)"
        )
    serve(*build_deployments(warehouse_path, cron, timezone))
