"""The agency index a process built, kept in the database for the next process.

Building the index from 100,000 agencies takes seconds (every stored form in every organ
spelling), and every ``xxgk ask`` is a new process.  The index is derived data only, so the file
keeps the last one built (table ``agency_index_cache``, migration v5) and a process loads it.

It is never used stale: its key is the data-version counters of the tables it is built from
(kept by triggers, migration v4) plus a fingerprint of the code and the tables of places and
organs that build it, and the counters, the rows and the stored index are all read in one
snapshot.  A newer release, a merge, an alias or a new agency changes the key, and the next
process rebuilds.  Writing it back is best effort: a read-only file, a connection inside its own
transaction or another writer holding the lock only means this process does not save it.

The stored form is :mod:`marshal` of plain values (no pickle: loading a file must not run code).
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import overload

import sqlite_utils

from store.identity import resolver
from store.identity.resolver import AgencyIndex, Entry

FORMAT = 1
"""Bumped when the stored layout changes (the fingerprint catches code changes as well)."""

_SAVE_WAIT_MS = 50
"""How long saving waits for another writer before giving up (the answer must not wait)."""


def fetch(db: sqlite_utils.Database) -> tuple[tuple[int, ...], AgencyIndex]:
    """The index of this database's agencies and the counters it belongs to: loaded when the
    stored one has this state's key, else built from the rows (and saved for the next process)."""
    with _snapshot(db):
        state = resolver.agency_state(db)
        stored = _stored(db, key_of(state))
        if stored is not None:
            return state, stored
        index = AgencyIndex(resolver.rows_for_index(db))
    save(db, state, index)
    return state, index


def key_of(state: tuple[int, ...]) -> str:
    return f"{FORMAT}:{fingerprint()}:{','.join(map(str, state))}"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of everything besides the rows that decides the index: the identity code and the
    tables of places, organs and characters."""
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + sorted((here.parent / "data").glob("*.tsv"))
    digest = hashlib.blake2b(digest_size=16)
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def save(db: sqlite_utils.Database, state: tuple[int, ...], index: AgencyIndex) -> bool:
    """Store ``index`` as the one for ``state``, if the file can be written right now and the
    agencies have not changed since it was built.  Returns whether it was stored."""
    if db.conn.in_transaction:  # the caller's own write: do not widen it
        return False
    data = dumps(index)
    previous = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        db.execute(f"PRAGMA busy_timeout = {_SAVE_WAIT_MS}")
        db.conn.execute("BEGIN IMMEDIATE")
        if resolver.agency_state(db) != state:
            db.conn.execute("ROLLBACK")
            return False
        db.conn.execute("delete from agency_index_cache")
        db.conn.execute("insert into agency_index_cache (key, data) values (?, ?)", [key_of(state), data])
        db.conn.execute("COMMIT")
        return True
    except sqlite3.OperationalError:  # read-only, locked, no such table (an old file opened read-only)
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(previous)}")


def dumps(index: AgencyIndex) -> bytes:
    entries = [(e.id, e.name, e.code, e.organ, e.level, e.codes) for e in index.entries]
    return marshal.dumps((FORMAT, entries, index.exact, index.by_organ, index.by_code, index.organ_tokens,
                          index.held_under, index.rank, index.token_first, index.place_first))


def loads(data: bytes) -> AgencyIndex | None:
    """The index stored in ``data`` (None when it is of another layout).  The collector is
    paused meanwhile: it would walk the growing heap again and again (half the load time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        index = _index_of(marshal.loads(data))
        gc.freeze()  # a million long-lived containers: later collections need not walk them again
        return index
    finally:
        if paused:
            gc.enable()


def _index_of(value: object) -> AgencyIndex | None:
    if not isinstance(value, tuple) or not value or value[0] != FORMAT:
        return None
    _, entries, exact, by_organ, by_code, organ_tokens, held_under, rank, token_first, place_first = value
    index = AgencyIndex.__new__(AgencyIndex)
    index.entries = _Entries(entries)
    index.exact, index.by_organ, index.by_code = exact, by_organ, by_code
    index.organ_tokens, index.held_under, index.rank = organ_tokens, held_under, rank
    index.token_first, index.place_first = token_first, place_first
    index.dept = index.by_organ
    index.held = frozenset(by_code)
    index.place_forms = resolver._question_places(index.held)
    index.names = [row[1] for row in entries]
    return index


class _Entries(Sequence[Entry]):
    """The agencies as stored rows, each made an :class:`Entry` when asked for: a question looks
    at a handful of them, and making all 100,000 up front cost a tenth of a second."""

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> Entry: ...
    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...

    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [_entry(row) for row in self._rows[i]]
        return _entry(self._rows[i])


def _entry(row: tuple) -> Entry:
    agency, name, code, organ, level, codes = row
    return Entry(id=agency, name=name, code=code, organ=organ, level=level, codes=codes)


def _stored(db: sqlite_utils.Database, key: str) -> AgencyIndex | None:
    try:
        row = db.execute("select data from agency_index_cache where key = ?", [key]).fetchone()
    except sqlite3.OperationalError:  # no such table: a file opened without its upgrade
        return None
    return loads(row[0]) if row else None


@contextmanager
def _snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """One read transaction, so the counters, the rows and the stored index agree."""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN")
    try:
        yield
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")
