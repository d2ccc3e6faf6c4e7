"""Find agencies named loosely in a command argument (xxgk export/check; /agency, /check, /export, /subscribe).

Question answering has its own resolver in :mod:`bot.qa`; commands only need "which agencies
does this text mean", answered from the ``agencies`` table: exact name or alias, then
substring, then a fuzzy match.
"""

from __future__ import annotations

import re

import sqlite_utils
from rapidfuzz import fuzz, process

from store import queries

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*年(?:度)?)?(?!\d)")
FUZZY_CUTOFF = 60
CLEAR_LEAD = 10
"""A fuzzy match this many points ahead of the next is taken as the one meant."""


def split_year(text: str) -> tuple[str, int | None]:
    """``"聊城市城市管理局 2019年"`` → (``"聊城市城市管理局"``, 2019)."""
    match = YEAR_RE.search(text)
    if not match:
        return text.strip(), None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return " ".join(rest.split()), int(match.group(1))


def find_agencies(db: sqlite_utils.Database, text: str, limit: int = 5) -> list[tuple[int, str]]:
    """Agencies ``text`` may mean, best first; one entry when it is unambiguous."""
    text = "".join(text.split())
    if not text:
        return []
    everyone = queries.agencies(db)
    exact = [a for a in everyone if text == a["name"] or text in a["aliases"]]
    if exact:
        return [(exact[0]["id"], exact[0]["name"])]
    inside = [a for a in everyone if text in a["name"] or any(text in alias for alias in a["aliases"])]
    if inside:
        return [(a["id"], a["name"]) for a in inside[:limit]]
    names = {a["id"]: a["name"] for a in everyone}
    hits = process.extract(text, names, scorer=fuzz.ratio, limit=limit, score_cutoff=FUZZY_CUTOFF)
    if len(hits) > 1 and hits[0][1] - hits[1][1] >= CLEAR_LEAD:
        hits = hits[:1]  # one name stands out: that is what was meant
    return [(ident, name) for name, _score, ident in hits]


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
