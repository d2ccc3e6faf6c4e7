"""Agencies named in a command argument (xxgk export/check; /agency, /check, /export, /subscribe).

The reading is the one resolver of :mod:`store.identity.resolver`, the same that answers
questions, so a name means the same agency in ``xxgk ask``, ``xxgk export`` and /agency.
"""

from __future__ import annotations

import re

import sqlite_utils

from store.identity.gazetteer import normalise
from store.identity.persisted import StaleIndex
from store.identity.resolver import forget_cached, index_for

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年(?:度)?)?(?!\d)")


def split_year(text: str) -> tuple[str, int | None]:
    """``"聊城市城市管理局 2019年"`` → (``"聊城市城市管理局"``, 2019)."""
    match = YEAR_RE.search(text)
    if not match:
        return text.strip(), None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return " ".join(rest.split()), int(match.group(1))


def find_agencies(db: sqlite_utils.Database, text: str, limit: int = 5) -> list[tuple[int, str]]:
    """Agencies ``text`` may mean, best first; one entry when it is unambiguous."""
    text = normalise(text)
    if not text:
        return []
    try:
        index = index_for(db)
        resolution = index.resolve_name(text)
    except StaleIndex:  # the agencies changed twice meanwhile: once more, on the current index
        forget_cached()
        index = index_for(db)
        resolution = index.resolve_name(text)
    entries = [index.named(name) for name in resolution.matches[:limit]]
    return [(e.id, e.name) for e in entries if e is not None]


def agency_name(db: sqlite_utils.Database, agency_id: int) -> str | None:
    row = db.execute("select name from agencies where id = ?", [agency_id]).fetchone()
    return row[0] if row else None


def agency_ids(db: sqlite_utils.Database, names: list[str]) -> list[tuple[int, str]]:
    """Ids of the named agencies (names not in the database are left out)."""
    if not names:
        return []
    marks = ",".join("?" * len(names))
    rows = dict(db.execute(f"select name, id from agencies where name in ({marks})", names).fetchall())
    return [(rows[n], n) for n in names if n in rows]
