"""Landing: every raw payload is stored untouched under its SHA-256, with a manifest line.

Layout: ``<landing_dir>/<source>/<hash[:2]>/<hash><suffix>`` and ``<landing_dir>/manifest.jsonl``
(one JSON object per payload landed: source, request without secrets, fetched_at, hash, bytes,
rows). The warehouse can be rebuilt from the landing directory alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "manifest.jsonl"
EDITIONS_LOG = "tariff_editions.jsonl"
"""Tariff editions ingested from the landing directory, with the date each is valid from."""


@dataclass(frozen=True)
class LandedPayload:
    """A payload on disk in the landing directory."""

    source: str
    request: str
    file_hash: str
    landed_path: str
    bytes: int
    fetched_at: dt.datetime
    rows: int | None
    original_name: str

    def path(self, landing_dir: Path) -> Path:
        return Path(landing_dir) / self.landed_path

    @property
    def shown_name(self) -> str:
        """How errors and quarantine rows name the payload: the file's own name, or source and request."""
        return self.original_name or f"{self.source} {self.request}"

    @classmethod
    def from_record(cls, record: dict[str, object]) -> LandedPayload:
        """The payload a manifest line describes."""
        rows = record.get("rows")
        return cls(
            source=str(record["source"]),
            request=str(record["request"]),
            file_hash=str(record["file_hash"]),
            landed_path=str(record["landed_path"]),
            bytes=int(str(record["bytes"])),
            fetched_at=dt.datetime.fromisoformat(str(record["fetched_at"])),
            rows=None if rows is None else int(str(rows)),
            original_name=str(record.get("original_name") or ""),
        )

    def manifest_record(self) -> dict[str, object]:
        record = asdict(self)
        record["fetched_at"] = self.fetched_at.isoformat()
        return record


def _append_manifest(landing_dir: Path, payload: LandedPayload) -> None:
    line = json.dumps(payload.manifest_record(), ensure_ascii=False) + "\n"
    with open(landing_dir / MANIFEST, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def land_bytes(
    landing_dir: Path,
    *,
    source: str,
    request: str,
    content: bytes,
    suffix: str,
    rows: int | None = None,
    original_name: str = "",
) -> LandedPayload:
    """Write ``content`` under its hash (atomically; a no-op if already there) and log it."""
    landing_dir = Path(landing_dir)
    digest = hashlib.sha256(content).hexdigest()
    relative = Path(source) / digest[:2] / f"{digest}{suffix}"
    target = landing_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(content)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, target)
    payload = LandedPayload(
        source=source,
        request=request,
        file_hash=digest,
        landed_path=relative.as_posix(),
        bytes=len(content),
        fetched_at=dt.datetime.now(dt.UTC),
        rows=rows,
        original_name=original_name,
    )
    _append_manifest(landing_dir, payload)
    return payload


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LandedFileChangedError(RuntimeError):
    """A landed file no longer has the content it was landed (and loaded) with."""


def verify_landed(payload: LandedPayload, landing_dir: Path) -> None:
    """Refuse a landed payload whose file is missing or whose content is no longer the one its hash
    names (changed on disk after it was landed): replaying it would load other numbers than the
    load it was part of."""
    path = payload.path(landing_dir)
    name = payload.shown_name
    if not path.is_file():
        raise LandedFileChangedError(f"{name}: its landed file {payload.landed_path} is missing from {landing_dir}")
    actual = file_sha256(path)
    if actual != payload.file_hash:
        raise LandedFileChangedError(
            f"{name}: its landed file {payload.landed_path} changed after it was landed (sha256 now "
            f"{actual[:12]}..., landed as {payload.file_hash[:12]}...); it is not replayed as something else"
        )


def land_file(landing_dir: Path, *, source: str, path: Path) -> LandedPayload:
    """Land a local file (a bulk download) untouched; its request is its file name."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = "".join(path.suffixes[-1:]).lower()
    # copied first and the copy hashed: a file still changing (a download not finished) lands as the
    # bytes copied, under their own hash, never under the hash of other bytes
    staging = Path(landing_dir) / source
    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=staging, suffix=".part", delete=False) as handle:
        tmp = Path(handle.name)
    try:
        shutil.copyfile(path, tmp)
        file_hash, size = file_sha256(tmp), tmp.stat().st_size
        relative = Path(source) / file_hash[:2] / f"{file_hash}{suffix}"
        target = Path(landing_dir) / relative
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    payload = LandedPayload(
        source=source,
        request=f"file:{path.name}",
        file_hash=file_hash,
        landed_path=relative.as_posix(),
        bytes=size,
        fetched_at=dt.datetime.now(dt.UTC),
        rows=None,
        original_name=path.name,
    )
    _append_manifest(Path(landing_dir), payload)
    return payload


def read_manifest(landing_dir: Path) -> list[dict[str, object]]:
    """All manifest records, oldest first."""
    path = Path(landing_dir) / MANIFEST
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    records = [json.loads(line) for line in lines[:-1]]
    with contextlib.suppress(json.JSONDecodeError):  # a process killed mid-append: that payload lands again
        records += [json.loads(line) for line in lines[-1:]]
    return records


def landed_by_request(landing_dir: Path, source: str) -> dict[str, LandedPayload]:
    """The latest payload landed for each request of ``source`` whose file is still on disk
    (what a resumed run can reuse instead of asking the upstream again)."""
    found: dict[str, LandedPayload] = {}
    for record in read_manifest(landing_dir):
        if record.get("source") != source:
            continue
        payload = LandedPayload.from_record(record)
        if payload.path(landing_dir).is_file():
            found[payload.request] = payload
    return found
