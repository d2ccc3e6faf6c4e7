"""Merging agencies that are one: used by the v3 migration (every stored agency is identified
and duplicates merged) and by the operator's ``xxgk agencies merge``.

A merge moves the reports of one agency to the other.  When both hold a current report for the
same year, the one ingested later stays current and the other becomes superseded (kept in
history), exactly as if the second file had been ingested for the same agency.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

import sqlite_utils

from store.identity.gazetteer import normalise
from store.identity.names import identify
from store.identity.registry import add_form, key_form, refresh_aliases


def move_reports(db: sqlite_utils.Database, source: int, target: int) -> list[int]:
    """Reports of ``source`` now belong to ``target``; returns the reports superseded by the move."""
    superseded = []
    rows = db.execute("select id, year, ingested_at from reports where agency_id = ? and status = 'current'",
                      [source]).fetchall()
    for rid, year, ingested in rows:
        other = db.execute("select id, ingested_at from reports where agency_id = ? and year = ? and status = 'current'",
                           [target, year]).fetchone()
        if other is None:
            continue
        older, newer = (rid, other[0]) if (ingested, rid) < (other[1], other[0]) else (other[0], rid)
        db.execute("update reports set status = 'superseded', superseded_by = ? where id = ?", [newer, older])
        superseded.append(older)
    db.execute("update reports set agency_id = ? where agency_id = ?", [target, source])
    return superseded


def fold(db: sqlite_utils.Database, source: int, target: int) -> list[int]:
    """Merge agency ``source`` into ``target``: reports, forms, subscriptions, alerts; the
    source's name becomes an alias of the target.  Returns the reports superseded."""
    old_name, new_name = (db.execute("select name from agencies where id = ?", [i]).fetchone()[0] for i in (source, target))
    superseded = move_reports(db, source, target)
    db.execute("update agency_forms set agency_id = ?, kind = case when kind in ('name', 'key') "
               "then 'alias' else kind end where agency_id = ? and form not like 'K:%'", [target, source])
    db.execute("delete from agency_forms where agency_id = ?", [source])
    db.execute("update subscriptions set value = ? where scope = 'agency' and value = ?", [new_name, old_name])
    db.execute("delete from agencies where id = ?", [source])
    add_form(db, target, old_name, "alias")
    refresh_aliases(db, target)
    return superseded


def identify_existing(db: sqlite_utils.Database) -> list[str]:
    """Identify every stored agency, merge those with one identity, record and print a summary."""
    rows = db.execute("select id, name, region from agencies order by id").fetchall()
    groups: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for aid, name, region in rows:
        ident = identify(name, "", region or "")
        db.execute("update agencies set division_code = ?, organ = ?, level = ?, region = case when region = '' "
                   "then ? else region end where id = ?", [ident.code, ident.organ, ident.level, ident.region, aid])
        groups[ident.key or f"#{aid}"].append((aid, ident))
    summary = []
    for members in groups.values():
        counts = {aid: db.execute("select count(*) from reports where agency_id = ?", [aid]).fetchone()[0]
                  for aid, _ in members}
        names = {aid: db.execute("select name from agencies where id = ?", [aid]).fetchone()[0] for aid, _ in members}
        keep, ident = max(members, key=lambda m: (names[m[0]] == m[1].canonical, counts[m[0]], -m[0]))  # type: ignore[attr-defined]
        for aid, _ in members:
            if aid != keep:
                name = db.execute("select name from agencies where id = ?", [aid]).fetchone()[0]
                fold(db, aid, keep)
                summary.append(f"合并 / merged: {name} → {ident.canonical}")  # type: ignore[attr-defined]
        _name_canonically(db, keep, ident)
    for line in summary:
        print(f"xxgk: {line}", file=sys.stderr)
    if rows:
        print(f"xxgk: 数据库升级：{len(rows)} 个单位已定位行政区划，合并 {len(summary)} 个 / "
              f"database upgraded: {len(rows)} agencies identified, {len(summary)} merged", file=sys.stderr)
    if summary:
        db.execute("insert into agency_changes (ts, action, summary) values (datetime('now'), 'migrate', ?)",
                   [json.dumps(summary, ensure_ascii=False)])
    return summary


def _name_canonically(db: sqlite_utils.Database, agency_id: int, ident) -> None:  # type: ignore[no-untyped-def]
    """The kept agency takes its canonical name; its stored names stay as forms."""
    old = db.execute("select name from agencies where id = ?", [agency_id]).fetchone()[0]
    taken = db.execute("select id from agencies where name = ? and id != ?", [ident.canonical, agency_id]).fetchone()
    if ident.canonical != old and not taken:
        db.execute("update agencies set name = ? where id = ?", [ident.canonical, agency_id])
        db.execute("update subscriptions set value = ? where scope = 'agency' and value = ?", [ident.canonical, old])
        add_form(db, agency_id, old, "printed")
    add_form(db, agency_id, ident.canonical if not taken else old, "name")
    if ident.key:
        add_form(db, agency_id, key_form(ident.key), "key", raw=True)
    if normalise(ident.printed) != normalise(ident.canonical):
        add_form(db, agency_id, ident.printed, "printed")
