"""The operator's control over agency identity: list, merge, split, alias, rename — every change
recorded in ``agency_changes`` with a snapshot of what it touched, so ``undo`` puts it back.

Why snapshots and not inverse operations: a merge supersedes reports, moves forms and
subscriptions and deletes a row; writing the exact inverse of each is where bugs hide.  Restoring
the rows the change touched is one well-tested path for every kind of change.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from store.db import now_iso, write_transaction
from store.identity.gazetteer import gazetteer, normalise
from store.identity.merge import fold
from store.identity.names import identify
from store.identity.registry import add_form, key_form, refresh_aliases

AGENCY_COLUMNS = ("id", "name", "region", "aliases", "division_code", "organ", "level")


class AgencyChangeError(Exception):
    """A change that cannot be made (one clear line for the operator)."""


def list_agencies(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every agency with its division, level, aliases and the years it has current reports for."""
    g = gazetteer()
    rows = db.execute(
        "select a.id, a.name, a.division_code, a.level, a.aliases, group_concat(distinct r.year) "
        "from agencies a left join reports r on r.agency_id = a.id and r.status = 'current' "
        "group by a.id order by a.name").fetchall()
    return [{"id": r[0], "name": r[1], "division_code": r[2],
             "division": g.display(g.same_as.get(r[2], r[2])) if r[2] else "", "level": r[3],
             "aliases": json.loads(r[4]), "years": sorted(int(y) for y in str(r[5]).split(",")) if r[5] else []}
            for r in rows]


def agency_by_name(db: sqlite_utils.Database, name: str) -> int:
    row = db.execute("select id from agencies where name = ?", [name]).fetchone()
    if row is None:
        raise AgencyChangeError(f"没有单位“{name}” / no agency named {name}")
    return int(row[0])


# ------------------------------------------------------------------------------ changes


def merge(db: sqlite_utils.Database, keep: str, other: str) -> str:
    """``other`` is the same agency as ``keep``: its reports, names and subscriptions move."""
    keep_id, other_id = agency_by_name(db, keep), agency_by_name(db, other)
    if keep_id == other_id:
        raise AgencyChangeError("两个名称是同一个单位 / both names are the same agency")
    with write_transaction(db):
        snap = _snapshot(db, {keep_id, other_id})
        superseded = fold(db, other_id, keep_id)
        note = f"（{len(superseded)} 份同年报告改为历史版本）" if superseded else ""
        summary = f"合并 / merged: {other} → {keep}{note}"
        _record(db, "merge", summary, snap, [])
    return summary


def split(db: sqlite_utils.Database, agency: str, printed: list[str], new_name: str | None = None) -> str:
    """Undo a wrong merge: the reports printed under ``printed`` names (and those names) go to a
    separate agency, named ``new_name`` or read from the first printed name."""
    source = agency_by_name(db, agency)
    forms = {normalise(p) for p in printed}
    reports = [r[0] for r in db.execute("select id, printed_agency from reports where agency_id = ?", [source])
               if normalise(r[1]) in forms]
    if not reports:
        raise AgencyChangeError(f"{agency} 没有以“{'、'.join(printed)}”为名的报告 / no reports printed under those names")
    ident = identify(new_name or printed[0])
    name = new_name or ident.canonical
    if db.execute("select 1 from agencies where name = ?", [name]).fetchone():
        raise AgencyChangeError(f"已有单位“{name}”，请用 merge / an agency named {name} exists")
    with write_transaction(db):
        snap = _snapshot(db, {source})
        cur = db.execute("insert into agencies (name, region, aliases, division_code, organ, level) "
                         "values (?, ?, '[]', ?, ?, ?)", [name, ident.region, ident.code, ident.organ, ident.level])
        target = int(cur.lastrowid)
        marks = ",".join("?" * len(reports))
        db.execute(f"update reports set agency_id = ? where id in ({marks})", [target, *reports])
        db.execute(f"update agency_forms set agency_id = ? where agency_id = ? and form in ({','.join('?' * len(forms))})",
                   [target, source, *forms])
        add_form(db, target, name, "name")
        for agency_id in (source, target):
            refresh_aliases(db, agency_id)
        _restore_current(db, target)
        _restore_current(db, source)
        summary = f"拆分 / split: {len(reports)} 份报告（{'、'.join(printed)}）从 {agency} 移到 {name}"
        _record(db, "split", summary, snap, [target])
    return summary


def add_alias(db: sqlite_utils.Database, agency: str, alias: str) -> str:
    """Another name of the agency: reports and questions using it lead here."""
    agency_id = agency_by_name(db, agency)
    form = normalise(alias)
    row = db.execute("select a.name from agency_forms f join agencies a on a.id = f.agency_id where f.form = ?",
                     [form]).fetchone()
    if row:
        raise AgencyChangeError(f"“{alias}”已指向 {row[0]} / that name already leads to {row[0]}")
    with write_transaction(db):
        snap = _snapshot(db, {agency_id})
        add_form(db, agency_id, alias, "alias")
        summary = f"别名 / alias: {alias} → {agency}"
        _record(db, "alias", summary, snap, [])
    return summary


def rename(db: sqlite_utils.Database, old: str, new: str, year: int | None = None) -> str:
    """The agency ``old`` was renamed ``new`` (an institutional reform): one agency from now on,
    named ``new``, so trends run across the rename; the old name stays an alias."""
    old_id = agency_by_name(db, old)
    existing = db.execute("select id from agencies where name = ?", [new]).fetchone()
    when = f"（{year}年）" if year else ""
    with write_transaction(db):
        if existing:
            snap = _snapshot(db, {old_id, int(existing[0])})
            fold(db, old_id, int(existing[0]))
        else:
            snap = _snapshot(db, {old_id})
            ident = identify(new)
            db.execute("update agencies set name = ?, division_code = case when ? = '' then division_code else ? end, "
                       "organ = ?, level = case when ? = '' then level else ? end where id = ?",
                       [new, ident.code, ident.code, ident.organ, ident.level, ident.level, old_id])
            db.execute("update subscriptions set value = ? where scope = 'agency' and value = ?", [new, old])
            add_form(db, old_id, new, "name")
            add_form(db, old_id, old, "alias")
            if ident.key:
                add_form(db, old_id, key_form(ident.key), "key", raw=True)
        summary = f"更名 / renamed{when}: {old} → {new}"
        _record(db, "rename", summary, snap, [])
    return summary


def history(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    rows = db.execute("select id, ts, action, summary, undone from agency_changes order by id").fetchall()
    return [{"id": r[0], "ts": r[1], "action": r[2], "summary": r[3], "undone": bool(r[4])} for r in rows]


def undo(db: sqlite_utils.Database) -> str:
    """Put back the latest change that is not undone yet (the migration's merges excepted)."""
    row = db.execute("select id, summary, snapshot, created from agency_changes where undone = 0 "
                     "and action != 'migrate' and action != 'undo' order by id desc limit 1").fetchone()
    if row is None:
        raise AgencyChangeError("没有可撤销的更改 / nothing to undo")
    change_id, summary, snapshot, created = row
    with write_transaction(db):
        _restore(db, json.loads(snapshot), json.loads(created))
        db.execute("update agency_changes set undone = 1 where id = ?", [change_id])
        text = f"已撤销 / undone: {summary}"
        db.execute("insert into agency_changes (ts, action, summary) values (?, 'undo', ?)", [now_iso(), text])
    return text


# ------------------------------------------------------------------------------ snapshots


def _snapshot(db: sqlite_utils.Database, ids: set[int]) -> dict[str, Any]:
    marks = ",".join("?" * len(ids))
    agencies = [list(r) for r in db.execute(f"select {', '.join(AGENCY_COLUMNS)} from agencies where id in ({marks})",
                                            [*ids])]
    names = [a[1] for a in agencies]
    return {
        "agencies": agencies,
        "forms": [list(r) for r in db.execute(f"select form, agency_id, kind from agency_forms where agency_id in ({marks})",
                                              [*ids])],
        "reports": [list(r) for r in db.execute(
            f"select id, agency_id, status, superseded_by from reports where agency_id in ({marks})", [*ids])],
        "subscriptions": [list(r) for r in db.execute(
            f"select chat_id, scope, value, created_at from subscriptions where scope = 'agency' "
            f"and value in ({','.join('?' * len(names))})", names)] if names else [],
    }


def _record(db: sqlite_utils.Database, action: str, summary: str, snap: dict[str, Any], created: list[int]) -> None:
    db.execute("insert into agency_changes (ts, action, summary, snapshot, created) values (?, ?, ?, ?, ?)",
               [now_iso(), action, summary, json.dumps(snap, ensure_ascii=False), json.dumps(created)])


def _restore(db: sqlite_utils.Database, snap: dict[str, Any], created: list[int]) -> None:
    ids = {a[0] for a in snap["agencies"]} | set(created)
    marks = ",".join("?" * len(ids))
    now_names = [r[0] for r in db.execute(f"select name from agencies where id in ({marks})", [*ids])]
    db.execute(f"delete from agency_forms where agency_id in ({marks})", [*ids])
    for row in snap["agencies"]:  # names first freed, so a rename back does not collide
        db.execute("update agencies set name = '#' || id where id = ?", [row[0]])
    for row in snap["agencies"]:
        if db.execute("select 1 from agencies where id = ?", [row[0]]).fetchone():
            db.execute(f"update agencies set {', '.join(c + ' = ?' for c in AGENCY_COLUMNS[1:])} where id = ?",
                       [*row[1:], row[0]])
        else:
            db.execute(f"insert into agencies ({', '.join(AGENCY_COLUMNS)}) values ({','.join('?' * len(AGENCY_COLUMNS))})",
                       row)
    for rid, agency_id, status, superseded_by in snap["reports"]:
        db.execute("update reports set agency_id = ?, status = ?, superseded_by = ? where id = ?",
                   [agency_id, status, superseded_by, rid])
    for agency_id in set(created) - {a[0] for a in snap["agencies"]}:
        db.execute("delete from agencies where id = ?", [agency_id])
    db.conn.executemany("insert or replace into agency_forms (form, agency_id, kind) values (?, ?, ?)", snap["forms"])
    if now_names:
        db.execute(f"delete from subscriptions where scope = 'agency' and value in ({','.join('?' * len(now_names))})",
                   now_names)
    db.conn.executemany("insert or ignore into subscriptions (chat_id, scope, value, created_at) values (?, ?, ?, ?)",
                        snap["subscriptions"])


def _restore_current(db: sqlite_utils.Database, agency_id: int) -> None:
    """After a split: in each year the agency's newest report is current again (a merge may have
    superseded it by a report that now belongs to the other agency)."""
    years = [r[0] for r in db.execute("select distinct year from reports where agency_id = ?", [agency_id])]
    for year in years:
        current = db.execute("select id from reports where agency_id = ? and year = ? and status = 'current'",
                             [agency_id, year]).fetchone()
        if current:
            continue
        newest = db.execute("select id from reports where agency_id = ? and year = ? order by ingested_at desc, id desc "
                            "limit 1", [agency_id, year]).fetchone()
        db.execute("update reports set status = 'current', superseded_by = null where id = ?", [newest[0]])
