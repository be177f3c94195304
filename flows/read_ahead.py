"""Reading the next payload (or load) while the current one merges: a second thread, bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

P = TypeVar("P")
R = TypeVar("R")


def processed_ahead(payloads: Sequence[P], process: Callable[[P], R]) -> Iterator[R]:
    """``process`` of each payload in order, the next one worked on in a second thread while the
    caller merges this one (reading and conforming run in polars and DuckDB, which release the GIL):
    at most two payloads are held beyond the one being merged. An error surfaces where its payload
    would have been yielded; closing the generator early (an error or Ctrl-C in the caller) starts no
    further payload and does not wait for the one in hand."""
    if len(payloads) < 2:
        yield from map(process, payloads)
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entrepot-read")
    try:
        ahead: Future[R] = pool.submit(process, payloads[0])
        for payload in payloads[1:]:
            current, ahead = ahead, pool.submit(process, payload)
            yield current.result()
        yield ahead.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
