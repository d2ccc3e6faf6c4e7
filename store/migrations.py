"""Schema migrations: how a newer release upgrades an older database file in place.

The file records its schema version in ``meta``.  Each step below takes the schema from
``version - 1`` to ``version``; :func:`upgrade` applies the missing steps in order inside the
caller's single transaction, so an upgrade either completes or leaves the file exactly as it was
(SQLite DDL is transactional).  Steps must never drop or rewrite data a user has ingested: an
operator upgrades by installing the new release and starting it, nothing else.

To add a step: write ``_vN(db)``, append ``Migration(N, "...", _vN)``, and bump
``store.schema.SCHEMA_VERSION`` to N.  ``store.schema._create_v1`` stays frozen as the v1 schema; a new
file is created as v1 and then migrated, so new and upgraded files go through the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Migration:
    """One step: the version it produces, what it does (for logs), and the change itself."""

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


class MigrationError(Exception):
    """A step failed; the transaction is rolled back and the file keeps its old version."""


def _v2(db: sqlite_utils.Database) -> None:
    """Answering compares one cell across agencies and years ("哪个机关依申请公开最多").

    ``cells`` is keyed by (report_id, key), so a question by key scanned every cell of every
    report; an index on (key, report_id) makes it a range lookup.  ``ingest_log`` grows with
    every upload and the watcher asks "was this content seen before"; index it by sha256.
    """
    db.execute("create index if not exists cells_key on cells(key, report_id)")
    db.execute("create index if not exists ingest_log_sha on ingest_log(sha256)")


def _v3(db: sqlite_utils.Database) -> None:
    """One agency, one identity: agencies get a division code, an organ and a level, every name
    that leads to an agency is kept in ``agency_forms``, every report keeps its printed name, and
    the operator's changes are recorded (``agency_changes``) so they can be undone.  Agencies
    that are the same (洪泽区人民政府 and 淮安市洪泽区人民政府) are merged, with a summary."""
    for column in ("division_code", "organ", "level"):
        db.execute(f"alter table agencies add column {column} text not null default ''")
    db.execute("alter table reports add column printed_agency text not null default ''")
    db.execute("create table agency_forms (form text primary key, agency_id integer not null "
               "references agencies(id), kind text not null default 'alias')")
    db.execute("create index agency_forms_agency on agency_forms(agency_id)")
    db.execute("create table agency_changes (id integer primary key, ts text not null, action text not null, "
               "summary text not null, snapshot text not null default '{}', created text not null default '[]', "
               "undone integer not null default 0)")
    db.execute("update reports set printed_agency = (select name from agencies a where a.id = reports.agency_id)")
    from store.identity.merge import identify_existing

    identify_existing(db)


VERSIONED_TABLES = ("agencies", "reports", "agency_forms", "agency_changes")


def _v4(db: sqlite_utils.Database) -> None:
    """A process answering questions caches what it derives from the agencies (its matching
    index) and must know when that is stale.  ``count(*)`` over the agencies was the key: a full
    scan on every question (69 % of answer time at 100,000 reports) that also missed an agency's
    aliases or region changing.  So the file keeps a counter per table, bumped by triggers on
    every insert, update and delete, whoever writes: reading it is one primary-key lookup.

    And the (key, report_id) index of v2 goes: every read of cells names its reports (a ranking
    joins the year's reports, then their cells by primary key), so no query used it, while each
    report's ~200 keys landed on ~200 different pages of it — 600 KB to 1.2 MB of WAL for a
    report of 26 KB, half the cost of storing one.

    The agency index is also built from the agencies' forms and the operator's changes (v3), so
    those tables are counted too."""
    db.execute("drop index if exists cells_key")
    db.execute("create table if not exists data_versions (name text primary key, version integer not null)")
    for table in VERSIONED_TABLES:
        db.execute("insert or ignore into data_versions (name, version) values (?, 0)", [table])
        for event in ("insert", "update", "delete"):
            db.execute(
                f"create trigger if not exists {table}_{event}_version after {event} on {table} begin "
                f"update data_versions set version = version + 1 where name = '{table}'; end"
            )


def _v5(db: sqlite_utils.Database) -> None:
    """Every new ``xxgk ask`` process rebuilt the agency index from 100,000 names (4.5 s); it is
    derived data, so the file keeps the last one built (:mod:`store.identity.persisted`), stamped
    with the counters of v4 it was built at and a fingerprint of the code and tables that built
    it: a process loads it instead, and anything else is rebuilt, never used stale."""
    db.execute("create table if not exists agency_index_cache (key text not null, part text not null, "
               "made integer not null, data blob not null, primary key (key, part)) without rowid")


MIGRATIONS: list[Migration] = [
    Migration(2, "index cells by key; ingest_log by sha256", _v2),
    Migration(3, "agency identity: divisions, organs, forms, merges", _v3),
    Migration(4, "data version counters of agencies and reports, kept by triggers; drop the unused cells_key", _v4),
    Migration(5, "the agency index a process builds, kept for the next process", _v5),
]


def latest_version() -> int:
    """The version the last step produces (1 when there are no steps)."""
    return max([1, *(m.version for m in MIGRATIONS)])


def pending(current: int, target: int, steps: list[Migration] | None = None) -> list[Migration]:
    """The steps that take a file from ``current`` to ``target``, in order.

    Versions must be contiguous: a gap means a release was packaged wrongly, and guessing would
    risk the user's data.
    """
    chosen = sorted((m for m in (steps if steps is not None else MIGRATIONS) if current < m.version <= target),
                    key=lambda m: m.version)
    expected = list(range(current + 1, target + 1))
    if [m.version for m in chosen] != expected:
        raise MigrationError(
            f"缺少数据库升级步骤 / missing migration steps from {current} to {target}: "
            f"have {[m.version for m in chosen]}"
        )
    return chosen


def upgrade(db: sqlite_utils.Database, current: int, target: int, steps: list[Migration] | None = None) -> list[int]:
    """Apply the steps from ``current`` to ``target``; the caller holds the write transaction.

    Returns the versions applied.  A failing step raises :class:`MigrationError` naming it; the
    caller's transaction rollback undoes every step already applied in this call.
    """
    applied = []
    for step in pending(current, target, steps):
        try:
            step.apply(db)
        except Exception as exc:
            raise MigrationError(
                f"数据库升级到版本 {step.version} 失败，已回滚 / migration to v{step.version} "
                f"({step.description}) failed and was rolled back: {exc}"
            ) from exc
        applied.append(step.version)
    return applied
