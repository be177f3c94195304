"""One writer at a time, readers never locked out: a writer lock, a private draft, an atomic publish.

Every writer (nightly, backfill, ingest, rebuild, migrate) holds ``<warehouse>.lock`` (an advisory
``flock``) for its whole run. It never opens the published file for writing: it works on a draft,
``<warehouse>.next``, a copy of the published file (or an empty file for a rebuild), and publishes
it with one atomic rename. Readers open the published file read-only and so never meet a lock; a
reader that opened the file before a publish keeps answering from the state it opened.

A process killed mid-run leaves the published file as it was (the next writer discards the stale
draft); the kernel releases the lock with the process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseBusyError, WarehouseDiskFullError
from warehouse.journal import Journal
from warehouse.readers import open_reader
from warehouse.retry import retry_until

_sessions: dict[Path, WriterSession] = {}
_registry_lock = threading.Lock()


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def draft_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _holder(handle) -> str:
    """Who holds the lock, from what the holder wrote into the lock file."""
    with contextlib.suppress(OSError, ValueError):
        handle.seek(0)
        info = json.loads(handle.read() or "{}")
        return f" (pid {info['pid']}, {info['what']}, since {info['since']})"
    return ""


class WriterLock:
    """The exclusive writer lock of one warehouse file, waited for up to ``timeout_s``."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = lock_path(path)
        self.what = what
        self._handle = None

    def acquire(self, timeout_s: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        def give_up(_exc: Exception) -> WarehouseBusyError:
            holder = _holder(handle)
            handle.close()
            return WarehouseBusyError(
                f"warehouse {self.path.with_suffix('')} is in use by another process{holder} "
                f"(waited {timeout_s:.0f} s); try again when it finishes"
            )

        retry_until(lambda: fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB), timeout_s=timeout_s,
                    busy=lambda exc: isinstance(exc, BlockingIOError), give_up=give_up, delay_s=0.05, max_delay_s=1.0)
        handle.seek(0)
        handle.truncate()
        since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "what": self.what, "since": since}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.truncate(0)
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_full(exc: BaseException) -> bool:
    """Whether an error from DuckDB or the OS means the disk (or the file size limit) is full."""
    if isinstance(exc, OSError) and exc.errno in {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}:
        return True
    text = str(exc).lower()
    return "no space left" in text or "file too large" in text or "disk quota" in text


class WriterSession:
    """A writer's run on one warehouse: the lock, the draft and its connection, and publishing.

    The draft is made on the first write (``connect``); ``publish`` renames it over the warehouse
    (any number of times in one session: a backfill publishes each year); leaving the session
    without publishing discards it. ``before_publish``/``after_publish`` callbacks let the run's
    journal be written around the rename (see ``warehouse.journal``).
    """

    def __init__(
        self, path: Path, *, fresh: bool = False, memory_limit: str | None = None, what: str = "a load",
        lock_timeout_s: float = 0.0,
    ) -> None:
        self.path = Path(path).absolute()
        self.lock_timeout_s = lock_timeout_s
        self.draft = draft_path(self.path)
        self.fresh = fresh
        self.memory_limit = memory_limit
        self.lock = WriterLock(self.path, what)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.before_publish: list[Callable[[], None]] = []
        self.after_publish: list[Callable[[], None]] = []
        self.published = 0
        self.journal: Journal | None = None

    def attach(self, journal: Journal) -> None:
        """Keep ``journal`` with this session's publishes (after resolving what a killed writer left)."""
        journal.recover(self.path)
        self.journal = journal
        self.before_publish.append(journal.prepare)
        self.after_publish.append(journal.commit)

    # -- the draft -------------------------------------------------------------------------------
    def _make_draft(self) -> None:
        for stale in (self.draft, _wal(self.draft)):
            stale.unlink(missing_ok=True)
        if not self.fresh and self.path.exists():
            if _wal(self.path).exists():  # left by a program other than entrepot: fold it in first
                with duckdb.connect(str(self.path)) as con:
                    con.execute("CHECKPOINT")
            tmp = self.draft.with_name(self.draft.name + ".copying")
            # a shared lock on the published file while copying it: a program other than entrepot
            # writing it is waited for (entrepot's writers never open it for writing)
            reader = open_reader(self.path, lock_timeout_s=self.lock_timeout_s)
            try:
                shutil.copyfile(self.path, tmp)
                os.replace(tmp, self.draft)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            finally:
                reader.close()
        config = {"memory_limit": self.memory_limit} if self.memory_limit else {}
        self._con = duckdb.connect(str(self.draft), config=config)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection (cursor) to the draft, made on first use; closed at publish or discard."""
        if self._con is None:
            self._make_draft()
        assert self._con is not None
        cursor = self._con.cursor()
        self._cursors.append(cursor)
        return cursor

    @property
    def has_draft(self) -> bool:
        return self._con is not None

    def _close(self) -> None:
        for cursor in self._cursors:
            with contextlib.suppress(duckdb.Error):
                cursor.close()
        self._cursors.clear()
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def discard(self) -> None:
        """Drop the draft (and the loads journaled with it): the published warehouse stays as it was."""
        if self.journal is not None:
            self.journal.discard()
        with contextlib.suppress(duckdb.Error):
            self._close()
        for stale in (self.draft, _wal(self.draft), self.draft.with_name(self.draft.name + ".copying")):
            stale.unlink(missing_ok=True)

    def publish(self) -> bool:
        """Make the draft the warehouse in one atomic rename; False when nothing was written."""
        if self._con is None:
            return False
        self._con.execute("CHECKPOINT")
        self._close()
        if _wal(self.draft).exists():
            raise RuntimeError(f"{self.draft}: DuckDB left a write-ahead log after CHECKPOINT; not publishing")
        with open(self.draft, "rb+") as handle:
            os.fsync(handle.fileno())
        for callback in self.before_publish:
            callback()
        os.replace(self.draft, self.path)  # readers see the old state or the new one, never a mix
        _fsync_dir(self.path.parent)
        self.published += 1
        for callback in self.after_publish:
            callback()
        return True


def active_session(path: Path | str) -> WriterSession | None:
    """The writer session this process holds on ``path``, if any."""
    with _registry_lock:
        return _sessions.get(Path(path).absolute())


@contextlib.contextmanager
def writer_session(
    path: Path | str,
    *,
    lock_timeout_s: float = 0.0,
    fresh: bool = False,
    memory_limit: str | None = None,
    what: str = "a load",
    publish: bool = True,
    journal_dir: Path | str | None = None,
) -> Iterator[WriterSession]:
    """Hold the writer lock of ``path`` for the block; publish the draft when it ends without an
    error (unless ``publish`` is false), discard it otherwise. Nested sessions on the same file in
    one process share the outer one (which alone publishes). With ``journal_dir`` (the landing
    directory) the session keeps its load journal: loads recorded in ``session.journal`` are written
    there around each publish, and loads a killed writer left unresolved are resolved first."""
    outer = active_session(path)
    if outer is not None:
        if fresh:
            raise RuntimeError(f"a fresh draft of {path} was asked for inside a session that holds it")
        yield outer
        return
    session = WriterSession(
        Path(path), fresh=fresh, memory_limit=memory_limit, what=what, lock_timeout_s=lock_timeout_s
    )
    session.lock.acquire(lock_timeout_s)
    try:
        if journal_dir is not None:
            session.attach(Journal(journal_dir))
    except BaseException:
        session.lock.release()
        raise
    with _registry_lock:
        _sessions[session.path] = session
    try:
        try:
            yield session
            if publish:
                session.publish()
        except BaseException as exc:
            session.discard()
            if disk_full(exc):
                raise WarehouseDiskFullError(
                    f"no space left on the disk of {session.path.parent} (or the file size limit was hit) "
                    f"while writing {session.draft.name}; nothing was published, the warehouse is unchanged"
                ) from None
            raise
        finally:
            session.discard()
    finally:
        with _registry_lock:
            _sessions.pop(session.path, None)
        session.lock.release()
