"""Agencies in the database: finding the stored agency an identity belongs to, creating it, and
the forms (names, printings, aliases, the division+organ key) that lead to it.

``agency_forms`` maps every normalised form to one agency.  Ingest looks a report's printed name
up there first (so an operator's merge, split or alias decides where the next report goes), then
the division+organ key, then the canonical name.  The question index reads the same stored
forms and columns, so no process re-reads names to build it.
"""

from __future__ import annotations

import json

import sqlite_utils

from store.identity.gazetteer import normalise
from store.identity.names import Identity


def key_form(ident_key: str) -> str:
    return "K:" + ident_key


def find_agency(db: sqlite_utils.Database, ident: Identity) -> tuple[int, str] | None:
    """The stored agency this identity belongs to, if any: by printed name, key, canonical name."""
    for form in (normalise(ident.printed), key_form(ident.key) if ident.key else "", normalise(ident.canonical)):
        if not form:
            continue
        row = db.execute("select a.id, a.name from agency_forms f join agencies a on a.id = f.agency_id "
                         "where f.form = ?", [form]).fetchone()
        if row:
            return int(row[0]), row[1]
    row = db.execute("select id, name from agencies where name = ?", [ident.canonical]).fetchone()
    return (int(row[0]), row[1]) if row else None


def ensure_agency(db: sqlite_utils.Database, ident: Identity) -> int:
    """The id of the agency ``ident`` belongs to, created if new; the printed name is kept as an
    alias when it differs from the canonical one.  Call inside a write transaction."""
    found = find_agency(db, ident)
    if found is None:
        cur = db.execute(
            "insert into agencies (name, region, aliases, division_code, organ, level) values (?, ?, '[]', ?, ?, ?)",
            [ident.canonical, ident.region, ident.code, ident.organ, ident.level],
        )
        agency_id = int(cur.lastrowid)
        add_form(db, agency_id, ident.canonical, "name")
        if ident.key:
            add_form(db, agency_id, key_form(ident.key), "key", raw=True)
    else:
        agency_id = found[0]
    if normalise(ident.printed) != normalise(found[1] if found else ident.canonical):
        add_form(db, agency_id, ident.printed, "printed")
    return agency_id


def add_form(db: sqlite_utils.Database, agency_id: int, text: str, kind: str, *, raw: bool = False) -> bool:
    """Lead ``text`` to the agency (no-op if it already leads somewhere); aliases are listed in
    ``agencies.aliases`` too, for display."""
    form = text if raw else normalise(text)
    if not form or db.execute("select 1 from agency_forms where form = ?", [form]).fetchone():
        return False
    db.execute("insert into agency_forms (form, agency_id, kind) values (?, ?, ?)", [form, agency_id, kind])
    if kind in ("printed", "alias"):
        _refresh_aliases(db, agency_id)
    return True


def _refresh_aliases(db: sqlite_utils.Database, agency_id: int) -> None:
    rows = db.execute("select form from agency_forms where agency_id = ? and kind in ('printed', 'alias') "
                      "order by form", [agency_id]).fetchall()
    db.execute("update agencies set aliases = ? where id = ?",
               [json.dumps([r[0] for r in rows], ensure_ascii=False), agency_id])


def refresh_aliases(db: sqlite_utils.Database, agency_id: int) -> None:
    _refresh_aliases(db, agency_id)
