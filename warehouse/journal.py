"""The load journal: in the landing directory, what each load was and how it ended.

``<landing_dir>/loads.jsonl`` holds one JSON object per line:

- ``{"type": "load", "run_id", "loader", "flow_name", "started_at", "stamps", "payloads", "params"}``:
  a load prepared for publishing; written (and synced) just before the warehouse is published;
- ``{"type": "commit", "run_ids": [...]}``: those loads were published (written just after);
- ``{"type": "abort", "run_ids": [...]}``: those loads never were (the writer died first);
- ``{"type": "refused", "run_id", "at", "reason", "payloads"}``: a load refused (quality gate, too many
  rejected rows, a bad file...): nothing of it is in the warehouse.

A load whose ``commit`` line is missing (killed between the publish and that line) is resolved by
the next writer from the published warehouse's ``meta.runs``, so the record of a load is committed
exactly when its data is. A rebuild replays the committed loads in order, each with its own run id,
payloads, thresholds and clock stamps, and so rebuilds every core and meta row as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path

import duckdb

from warehouse.readers import open_reader

JOURNAL = "loads.jsonl"


class Journal:
    """The load journal of one landing directory, with the loads of the current session not yet published."""

    def __init__(self, landing_dir: Path | str) -> None:
        self.path = Path(landing_dir) / JOURNAL
        self.pending: list[dict[str, object]] = []

    def exists(self) -> bool:
        return self.path.exists()

    def _append(self, records: list[dict[str, object]]) -> None:
        if not records:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode()
        with open(self.path, "ab+") as handle:
            end = handle.seek(0, os.SEEK_END)
            if end and (handle.seek(end - 1), handle.read(1))[1] != b"\n":
                text = b"\n" + text  # after a line cut short by a kill, start on a line of its own
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())

    def read(self) -> list[dict[str, object]]:
        """Every record, oldest first (a line cut short by a kill is ignored)."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):  # a line cut short by a kill: never published
                records.append(json.loads(line))
        return records

    # -- writing, around a publish -----------------------------------------------------------------
    def add(self, record: dict[str, object]) -> None:
        """A load committed to the draft, to be journaled with the next publish."""
        self.pending.append({"type": "load", **record})

    def refused(self, run_id: str, reason: str, payloads: list[dict[str, object]]) -> None:
        """A load that was refused: recorded at once (nothing of it reaches the warehouse)."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._append([{"type": "refused", "run_id": run_id, "at": at, "reason": reason, "payloads": payloads}])

    def prepare(self) -> None:
        """Before the publish: the pending loads, synced to disk."""
        self._append(self.pending)

    def commit(self) -> None:
        """After the publish: the pending loads are committed."""
        if self.pending:
            self._append([{"type": "commit", "run_ids": [r["run_id"] for r in self.pending]}])
        self.pending = []

    def discard(self) -> None:
        self.pending = []

    # -- reading -------------------------------------------------------------------------------------
    def _outcomes(self) -> tuple[list[dict[str, object]], dict[str, dict[str, object]]]:
        """(committed load records in publish order, loads still open by run id)."""
        done: list[dict[str, object]] = []
        open_loads: dict[str, dict[str, object]] = {}
        for record in self.read():
            if record["type"] == "load":
                open_loads[str(record["run_id"])] = record
            elif record["type"] in {"commit", "abort"}:
                for run_id in map(str, record["run_ids"]):
                    load = open_loads.pop(run_id, None)
                    if load is not None and record["type"] == "commit":
                        done.append(load)
        return done, open_loads

    def unresolved(self) -> list[str]:
        """Run ids of loads prepared but neither committed nor aborted."""
        return list(self._outcomes()[1])

    def recover(self, published: Path) -> None:
        """Resolve unresolved loads from the published warehouse (call holding the writer lock):
        committed if its ``meta.runs`` has the run, aborted if not. Without a warehouse file
        nothing can tell, and they stay unresolved (a rebuild skips them, saying so)."""
        open_ids = self.unresolved()
        if not open_ids or not Path(published).exists():
            return
        con = open_reader(published)
        try:
            found = {
                r[0] for r in con.execute("SELECT run_id FROM meta.runs WHERE list_contains(?, run_id)", [open_ids]).fetchall()
            }
        except duckdb.CatalogException:
            found = set()
        finally:
            con.close()
        self._append(
            [{"type": t, "run_ids": ids} for t, ids in (
                ("commit", [i for i in open_ids if i in found]), ("abort", [i for i in open_ids if i not in found])
            ) if ids]
        )

    def committed(self) -> list[dict[str, object]]:
        """The committed loads, in the order they were published."""
        return self._outcomes()[0]

    def refusals(self) -> list[dict[str, object]]:
        return [r for r in self.read() if r["type"] == "refused"]
