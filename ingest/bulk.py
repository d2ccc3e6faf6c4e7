"""Bulk ingest on every core: files parsed in worker processes, one writer committing in batches.

Reading and interpreting a file needs no database, so worker processes do it side by side
(:func:`ingest.pipeline.parse_file`).  Everything that does — the checks against last year's
report, supersession, the alert, the refresh of next year's cross-year checks — stays in this
process, in the order the files were given, through the same :func:`ingest.pipeline.store_parsed`
a single file goes through; so a folder gives the same outcomes, alerts and checks whether it is
ingested in bulk or file by file.

The writer commits a batch of reports at once instead of one transaction each: a commit costs
milliseconds, and the cells index, keyed by cell before report, puts each report's ~200 cells on
~200 different pages, which one commit then writes once for the whole batch instead of once per
report.  Each report is still a savepoint of its own (:func:`store.db.write_transaction`), so a
report the database refuses rolls back alone; a kill -9 loses at most the uncommitted batch, and
never leaves part of a report.  Outcomes are handed on only once their batch is committed, so
the summary never lists a report the database does not hold.  When SQLite itself abandons the
batch's transaction (disk full, I/O error), the batch is written again report by report, each in
its own transaction, so each file gets its own honest outcome.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from ingest.pipeline import IngestOutcome, Parsed, parse_file, store_parsed
from store.db import write_transaction

BATCH_REPORTS = 32
"""Reports per commit at most: enough to share the index pages they touch."""
BATCH_SECONDS = 0.2
"""A batch is committed after this long even when short, so progress shows and a crash loses
little work."""


def default_workers() -> int:
    """Processes that parse: one per core that is idle now (by the 1-minute load average).

    On a machine whose cores are busy with other work, more processes get no more CPU (Linux
    shares it between sessions, not processes) and only add the cost of passing reports between
    them: measured here at load 7 on 2 cores, two workers ran 0.6–0.9× as fast as one process.
    1 means: read the files in this process, one by one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


def ingest_many(db: sqlite_utils.Database, files: Iterable[Path], *, origin: str = "cli",
                workers: int | None = None) -> Iterator[IngestOutcome]:
    """Ingest ``files`` with ``workers`` parsing processes; outcomes in the order of ``files``,
    each yielded once its report is committed."""
    names = [str(f) for f in files]
    yield from write_batches(db, parse_in_workers(names, workers or default_workers()), origin=origin)


def parse_in_workers(names: list[str], workers: int) -> Iterator[Parsed]:
    """:func:`parse_file` of each name, in order, done by ``workers`` processes.

    Worker k parses files k, k + workers, k + 2·workers … and sends each result down its own
    pipe; the pipe's small buffer holds a worker at most a file or two ahead of the writer, so
    memory stays flat however many files there are.  No pool and no helper threads: the writer
    only reads the pipes in turn.  A worker that dies (killed, out of memory) costs its current
    file, reported as unreadable; a new worker takes over the rest of its share."""
    _preload()
    gc.freeze()  # see _preload: what is loaded now lives as long as the command
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    running: dict[int, tuple[Any, Any]] = {}

    def start(k: int, first: int) -> None:
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        process = context.Process(target=_parse_share, args=(names, first, workers, send), daemon=True)
        process.start()
        send.close()
        running[k] = (process, receive)

    try:
        for k in range(min(workers, len(names))):
            start(k, k)
        for i, name in enumerate(names):
            k = i % workers
            try:
                yield running[k][1].recv()
            except (EOFError, OSError):
                running[k][0].join()
                yield Parsed(name, None, f"读取进程意外退出（退出码 {running[k][0].exitcode}）/ the reading process died")
                if i + workers < len(names):
                    start(k, i + workers)
    finally:
        for process, receive in running.values():
            receive.close()
            if process.is_alive():
                process.kill()
            process.join()


PIPE_BYTES = 1 << 20
"""A worker's pipe holds ~25 parsed text reports (~40 KB each), so a worker runs ahead while the
writer waits for the CPU and the other way round; the default 64 KB held one."""


def _widen(connection: Any) -> None:
    """Give a pipe :data:`PIPE_BYTES` of buffer where Linux allows (else keep its default)."""
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass


def _parse_share(names: list[str], first: int, step: int, send: Any) -> None:
    """A worker's life: parse its share of the files, send each result, end."""
    _worker_start()
    for name in names[first::step]:
        send.send(parse_file(name))
    send.close()


def write_batches(db: sqlite_utils.Database, items: Iterable[Parsed], *, origin: str = "cli") -> Iterator[IngestOutcome]:
    """Store parsed files in batches of up to :data:`BATCH_REPORTS` (or :data:`BATCH_SECONDS`).

    A savepoint inside a transaction keeps, in SQLite's statement journal, the old content of
    every page it changes (~100 KB a report); kept in memory rather than in a temporary file,
    that costs a copy instead of a write."""
    db.execute("PRAGMA temp_store = MEMORY")
    batch: list[Parsed] = []
    started = time.monotonic()
    for item in items:
        if not batch:
            started = time.monotonic()
        batch.append(item)
        if len(batch) >= BATCH_REPORTS or time.monotonic() - started >= BATCH_SECONDS:
            yield from _write(db, batch, origin)
            batch = []
    if batch:
        yield from _write(db, batch, origin)


class _Abandoned(Exception):
    """SQLite rolled the whole batch back on its own while storing report ``index``."""

    def __init__(self, index: int, outcome: IngestOutcome) -> None:
        super().__init__(index)
        self.index, self.outcome = index, outcome


def _write(db: sqlite_utils.Database, batch: list[Parsed], origin: str) -> list[IngestOutcome]:
    outcomes: list[IngestOutcome] = []
    try:
        with write_transaction(db):
            for item in batch:
                outcome = store_parsed(db, item, origin=origin)
                if not db.conn.in_transaction:
                    raise _Abandoned(len(outcomes), outcome)
                outcomes.append(outcome)
        return outcomes
    except _Abandoned as lost:  # that report's failure is recorded already; the others go alone
        alone = [store_parsed(db, item, origin=origin) for item in batch[:lost.index]]
        return [*alone, lost.outcome, *(store_parsed(db, item, origin=origin) for item in batch[lost.index + 1:])]
    except sqlite3.Error:  # the commit itself failed
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        return [store_parsed(db, item, origin=origin) for item in batch]


def _preload() -> None:
    """Import the readers before forking, so each worker starts with them loaded.

    What is loaded then is frozen out of the cyclic collector's sight (``gc.freeze``): every
    report the writer unpickles (~1,000 objects) and every one a worker builds sets off
    collections, and each full one walked all of it again — ~5% of the CPU of a bulk ingest.
    In a forked worker it also keeps the collector from writing to, and so copying, the pages
    it shares with the writer.  Frozen objects still go when their count drops to zero; only a
    cycle among them would stay, as :mod:`store.identity.persisted` already accepts for its index."""
    import ingest.checks  # noqa: F401
    import ingest.interpret  # noqa: F401
    import ingest.readers.docx  # noqa: F401
    import ingest.readers.html  # noqa: F401
    import ingest.readers.pdf  # noqa: F401
    import ingest.readers.text  # noqa: F401


def _worker_start() -> None:
    """A worker dies with the writer: a kill -9 of the command must not leave parsers behind.
    Ctrl-C is the writer's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the writer died before we asked
            os._exit(1)
