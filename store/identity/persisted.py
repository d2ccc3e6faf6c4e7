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

A question needs only a sliver of the big maps (the forms starting with a character it holds),
so they are kept in shards by first character and a process loads a shard when a question first
looks there; the rest (agencies, places) is one row.  A shard's rows never change under a key; the
newest other key is kept when a new one is saved, so a process mid-question still finds its own
(and one that does not, two changes later, raises :class:`StaleIndex`: the question is asked
again on the current index, never answered from a part of another).

The stored form is :mod:`marshal` of plain values (no pickle: loading a file must not run code).
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import overload

import sqlite_utils

from store.identity import resolver
from store.identity.resolver import AgencyIndex, Entry

FORMAT = 2
"""Bumped when the stored layout changes (the fingerprint catches code changes as well)."""

_SAVE_WAIT_MS = 50
"""How long saving waits for another writer before giving up (the answer must not wait)."""

SHARDED = ("exact", "organ_tokens", "by_organ")
"""The big maps, by first character of their keys, loaded a shard at a time."""


class StaleIndex(Exception):
    """A shard of the index in use is gone from the file (its agencies changed twice meanwhile)."""


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
    key, made = key_of(state), sum(state)  # the counters only grow: a later state sums higher
    rows = [(key, part, made, data) for part, data in parts(index).items()]
    previous = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        db.execute(f"PRAGMA busy_timeout = {_SAVE_WAIT_MS}")
        db.conn.execute("BEGIN IMMEDIATE")
        if resolver.agency_state(db) != state or db.conn.execute(
                "select 1 from agency_index_cache where key = ? and part = 'core'", [key]).fetchone():
            db.conn.execute("ROLLBACK")
            return False
        db.conn.execute("delete from agency_index_cache where key not in (select key from agency_index_cache "
                        "where part = 'core' order by made desc limit 1)")
        db.conn.executemany("insert into agency_index_cache (key, part, made, data) values (?, ?, ?, ?)", rows)
        db.conn.execute("COMMIT")
        return True
    except sqlite3.OperationalError:  # read-only, locked, no such table (an old file opened read-only)
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(previous)}")


def parts(index: AgencyIndex) -> dict[str, bytes]:
    """The rows an index is stored as: 'core', and one per shard ('exact:城' …)."""
    entries = [(e.id, e.name, e.code, e.organ, e.level, e.codes) for e in index.entries]
    shards: dict[str, dict[str, dict]] = {}
    for name in SHARDED:
        for form, value in getattr(index, name).items():
            shards.setdefault(f"{name}:{form[:1]}", {})[form] = value
    core = (FORMAT, entries, index.by_code, index.held_under, index.rank, index.token_first, index.place_first,
            sorted(shards))
    return {"core": marshal.dumps(core), **{part: marshal.dumps(shard) for part, shard in shards.items()}}


def loads(core: bytes, shard: Callable[[str], bytes | None]) -> AgencyIndex | None:
    """The index whose 'core' row is ``core`` and whose shards ``shard(part)`` reads (None when
    it is of another layout).  The collector is paused meanwhile: it would walk the growing heap
    again and again (half the load time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        index = _index_of(marshal.loads(core), shard)
        gc.freeze()  # long-lived containers: later collections need not walk them again
        return index
    finally:
        if paused:
            gc.enable()


def _index_of(value: object, shard: Callable[[str], bytes | None]) -> AgencyIndex | None:
    if not isinstance(value, tuple) or not value or value[0] != FORMAT:
        return None
    _, entries, by_code, held_under, rank, token_first, place_first, held_parts = value
    index = AgencyIndex.__new__(AgencyIndex)
    index.entries = _Entries(entries)
    index.by_code, index.held_under, index.rank = by_code, held_under, rank
    index.token_first, index.place_first = token_first, place_first
    for name in SHARDED:
        setattr(index, name, _Shards(name, {p for p in held_parts if p.startswith(name + ":")}, shard))
    index.dept = index.by_organ
    index.held = frozenset(by_code)
    index.place_forms = resolver._question_places(index.held)
    index.names = [row[1] for row in entries]
    return index


class _Shards(Mapping):
    """One of the big maps, read a shard (the keys starting with one character) at a time."""

    def __init__(self, name: str, held: set[str], read: Callable[[str], bytes | None]) -> None:
        self._name, self._held, self._read = name, held, read
        self._shards: dict[str, dict] = {}

    def _shard(self, first: str) -> dict:
        found = self._shards.get(first)
        if found is None:
            part = f"{self._name}:{first}"
            data = self._read(part) if part in self._held else marshal.dumps({})
            if data is None:
                raise StaleIndex(part)
            paused = gc.isenabled()
            gc.disable()
            try:
                found = self._shards[first] = marshal.loads(data)
            finally:
                if paused:
                    gc.enable()
        return found

    def __getitem__(self, key: str) -> object:
        if not isinstance(key, str) or not key:
            raise KeyError(key)
        return self._shard(key[0])[key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(key) and key in self._shard(key[0])

    def get(self, key: str, default: object = None) -> object:
        return self._shard(key[0]).get(key, default) if isinstance(key, str) and key else default

    def __iter__(self) -> Iterator[str]:
        for part in sorted(self._held):
            yield from self._shard(part.split(":", 1)[1])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]


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
        row = db.execute("select data from agency_index_cache where key = ? and part = 'core'", [key]).fetchone()
    except sqlite3.OperationalError:  # no such table: a file opened without its upgrade
        return None
    if row is None:
        return None
    path = db.execute("PRAGMA database_list").fetchone()[2]
    reader = _Reader(path, key) if path else None
    if reader is not None and reader.holds_key():
        return loads(row[0], reader.read)
    # no second connection to the file (a folder we may not write beside a WAL file, a temporary
    # database): every shard now, through this one, in the same snapshot
    shards = dict(db.execute("select part, data from agency_index_cache where key = ?", [key]).fetchall())
    return loads(row[0], shards.get)


class _Reader:
    """Reads a shard of one stored index, later, on a connection of its own: the index outlives
    the connection it was loaded through (it is cached per file)."""

    def __init__(self, path: str, key: str) -> None:
        self._path, self._key = path, key
        self._conn: sqlite3.Connection | None = None

    def read(self, part: str) -> bytes | None:
        row = self._row("select data from agency_index_cache where key = ? and part = ?", part)
        return row[0] if row else None

    def holds_key(self) -> bool:
        """Whether this connection opens and sees the index (a cheap probe, not the data)."""
        return self._row("select 1 from agency_index_cache where key = ? and part = ?", "core") is not None

    def _row(self, sql: str, part: str) -> tuple | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(Path(self._path).as_uri() + "?mode=ro", uri=True, check_same_thread=False)
            return self._conn.execute(sql, [self._key, part]).fetchone()
        except sqlite3.Error:
            return None


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
