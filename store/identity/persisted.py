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
looks there; the agencies likewise in blocks of :data:`BLOCK`, their names (for fuzzy matching)
in one row, and the rest (places held, lengths) is one small 'core' row.  A shard's rows never change under a key; the
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
from store.identity.gazetteer import gazetteer
from store.identity.resolver import AgencyIndex, Entry

FORMAT = 5
"""Bumped when the stored layout changes (the fingerprint catches code changes as well)."""

_SAVE_WAIT_MS = 50
"""How long saving waits for another writer before giving up (the answer must not wait)."""

SHARDED = ("exact", "organ_tokens", "by_organ", "char_postings")
"""The big maps, by first character of their keys, loaded a shard at a time."""

BLOCK = 512
"""Agencies per stored block: a question's few agencies cost a few small reads."""


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
        gc.freeze()  # as a loaded one: out of the collector's full passes
    save(db, state, index)
    return state, index


def keep(db: sqlite_utils.Database) -> None:
    """After an ingest: build and keep the index of the agencies now held, if it is not kept yet,
    so the next question (another process, or the bot's own) loads it instead of building it
    while a user waits (seconds at 100,000 agencies).  Best effort: a file that cannot be written
    only means the next question builds it, as before."""
    try:
        resolver.index_for(db)
    except (sqlite3.Error, StaleIndex):
        pass


def preload(db: sqlite_utils.Database) -> AgencyIndex | None:
    """A long-running shell at start (the bot, the console chat): the index of this database's
    agencies with every stored part read, so no question waits on the file (~0.25 s at 100,000
    agencies, against a first pass of questions at p99 8–9 ms instead of 3–4).  None when it
    cannot be read now (answers still work, reading parts as they need them)."""
    try:
        index = resolver.index_for(db)
        warm(index)
        return index
    except (sqlite3.Error, StaleIndex):
        return None


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
    """The rows an index is stored as: 'core', the agencies in blocks ('entries:0' …), their
    names in one row ('names', for fuzzy matching), and one per shard of the big maps
    ('exact:城' …)."""
    rows = [(e.id, e.name, e.code, e.organ, e.level, index.rank[i]) for i, e in enumerate(index.entries)]
    blocks = {f"entries:{n}": marshal.dumps(rows[start:start + BLOCK])
              for n, start in enumerate(range(0, len(rows), BLOCK))}
    shards: dict[str, dict[str, dict]] = {}
    for name in SHARDED:
        for form, value in getattr(index, name).items():
            shards.setdefault(f"{name}:{form[:1]}", {})[form] = value
    core = (FORMAT, len(rows), index.by_code, index.held_under, index.token_first, index.place_first,
            dict(index.char_sizes), sorted(shards))
    return {"core": marshal.dumps(core), "names": marshal.dumps(list(index.names)),
            "lengths": marshal.dumps(dict(index.name_lengths)), **blocks,
            **{part: marshal.dumps(shard) for part, shard in shards.items()}}


def loads(core: bytes, shard: Callable[[str], bytes | None]) -> AgencyIndex | None:
    """The index whose 'core' row is ``core`` and whose other rows ``shard(part)`` reads (None
    when it is of another layout)."""
    return _index_of(_unmarshal(core), shard)


def _unmarshal(data: bytes) -> object:
    """:func:`marshal.loads` with the collector paused (it would walk the growing heap again and
    again: half the load time), and what it made then frozen out of the collector's reach: it
    lives as long as the index, and a full collection walking a whole loaded index stopped a
    question for ~90 ms at 100,000 agencies."""
    paused = gc.isenabled()
    gc.disable()
    try:
        value = marshal.loads(data)
        gc.freeze()
        return value
    finally:
        if paused:
            gc.enable()


def _load(read: Callable[[str], bytes | None], part: str) -> object:
    """One stored part of the index in use, unmarshalled; :class:`StaleIndex` when it is gone."""
    data = read(part)
    if data is None:
        raise StaleIndex(part)
    return _unmarshal(data)


def _index_of(value: object, shard: Callable[[str], bytes | None]) -> AgencyIndex | None:
    if not isinstance(value, tuple) or not value or value[0] != FORMAT:
        return None
    _, count, by_code, held_under, token_first, place_first, char_sizes, held_parts = value
    index = AgencyIndex.__new__(AgencyIndex)
    index.entries = _Entries(count, shard)
    index.rank = _Rank(index.entries)
    index.names = _Names(shard)
    index.name_lengths = _Part("lengths", shard)
    index.by_code, index.held_under = by_code, held_under
    index.token_first, index.place_first, index.char_sizes = token_first, place_first, char_sizes
    for name in SHARDED:
        setattr(index, name, _Shards(name, {p for p in held_parts if p.startswith(name + ":")}, shard))
    index.dept = index.by_organ
    index.held = frozenset(by_code)
    index.place_forms = resolver._question_places(index.held)
    return index


def warm(index: AgencyIndex) -> None:
    """Read every part of a loaded index now (a long-running bot, before its first question: the
    parts a question needs would otherwise be read while a user waits)."""
    for name in SHARDED:
        shards = getattr(index, name)
        if isinstance(shards, _Shards):
            for first in shards.parts():
                shards._shard(first)
    if isinstance(index.entries, _Entries):
        for i in range(0, len(index.entries), BLOCK):
            index.entries.row(i)
    if isinstance(index.names, _Names):
        index.names.as_list()
    if isinstance(index.name_lengths, _Part):
        len(index.name_lengths)


class _Shards(Mapping):
    """One of the big maps, read a shard (the keys starting with one character) at a time."""

    def __init__(self, name: str, held: set[str], read: Callable[[str], bytes | None]) -> None:
        self._name, self._held, self._read = name, held, read
        self._shards: dict[str, dict] = {}

    def parts(self) -> list[str]:
        """The first characters this map has a shard for."""
        return sorted(part.split(":", 1)[1] for part in self._held)

    def _shard(self, first: str) -> dict:
        found = self._shards.get(first)
        if found is None:
            part = f"{self._name}:{first}"
            found = self._shards[first] = _load(self._read, part) if part in self._held else {}  # type: ignore[assignment]
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
    """The agencies, read a block of :data:`BLOCK` rows at a time when one of them is first asked
    for, each made an :class:`Entry` then: a question looks at a handful of 100,000, and loading
    them all cost a new process a tenth of a second."""

    def __init__(self, count: int, read: Callable[[str], bytes | None]) -> None:
        self._count, self._read = count, read
        self._blocks: dict[int, list[tuple]] = {}
        self._made: dict[int, Entry] = {}  # a fuzzy pass over a place's agencies asks each one twice

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> Entry: ...
    @overload
    def __getitem__(self, i: slice) -> list[Entry]: ...

    def __getitem__(self, i: int | slice) -> Entry | list[Entry]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        made = self._made.get(i)
        if made is None:
            made = _entry(self.row(i))
            if i >= 0:
                self._made[i] = made
        return made

    def row(self, i: int) -> tuple:
        """The stored row of agency ``i``: (id, name, division code, organ, level, rank)."""
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        n, at = divmod(i, BLOCK)
        block = self._blocks.get(n)
        if block is None:
            block = self._blocks[n] = _load(self._read, f"entries:{n}")  # type: ignore[assignment]
        return block[at]


class _Rank(Mapping[int, int]):
    """Agency position → its place in the order candidates are offered, read from its row."""

    def __init__(self, entries: _Entries) -> None:
        self._entries = entries

    def __getitem__(self, i: int) -> int:
        try:
            return self._entries.row(i)[5]
        except (IndexError, TypeError):
            raise KeyError(i) from None

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._entries)))

    def __len__(self) -> int:
        return len(self._entries)


class _OnePart:
    """A value stored as one part of the index, read when first used (fuzzy matching only: an
    exact question never needs it)."""

    def __init__(self, part: str, read: Callable[[str], bytes | None]) -> None:
        self._part, self._read = part, read
        self._value: object = None

    def _all(self):  # type: ignore[no-untyped-def]
        if self._value is None:
            self._value = _load(self._read, self._part)
        return self._value


class _Part(_OnePart, Mapping):
    """A map stored as one part ('lengths')."""

    def __getitem__(self, key: object) -> object:
        return self._all()[key]

    def __iter__(self) -> Iterator:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def items(self):  # type: ignore[no-untyped-def,override]
        return self._all().items()


class _Names(_OnePart, Sequence[str]):
    """Every agency's name in position order, stored as one part ('names')."""

    def __init__(self, read: Callable[[str], bytes | None]) -> None:
        super().__init__("names", read)

    def as_list(self) -> list[str]:
        """The names themselves (not a copy: do not change it)."""
        return self._all()

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, i):  # type: ignore[no-untyped-def,override]
        return self._all()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __contains__(self, name: object) -> bool:
        return name in self._all()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def _entry(row: tuple) -> Entry:
    agency, name, code, organ, level, _rank = row
    return Entry(id=agency, name=name, code=code, organ=organ, level=level,
                 codes=gazetteer().lineage(code) if code else frozenset())


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
