"""Alert delivery state: subscriptions, the outbox fan-out, and each chat's delivery.

Everything lives in SQLite (tables ``outbox``, ``deliveries``, ``subscriptions`` of
:mod:`store.db`) so delivery survives restarts; the Telegram job only moves rows between states.

A delivery row is keyed ``(outbox_id, chat_id)``, so an alert is queued for a chat at most once.
Its ``status`` moves::

    (skipped: the alert existed before the chat subscribed; cancelled: unsubscribed before sent)
    pending --claim--> sending --accepted--> delivered
       ^                  |--Telegram said no, retryable--> pending (next_attempt_at = now + backoff)
       |                  |--permanent-----> failed
       |                  |--outcome unknown (crash, lost answer)--> unsure
    unsure  --claim--> resending --accepted--> delivered
       ^                  |--any retry, or a crash--> unsure
       +------------------+

The claim is an atomic ``update … where status in ('pending', 'unsure')`` committed *before*
the send, and ``delivered`` is committed right after Telegram accepts.  So two processes never
send the same row.  The one window for a duplicate is a crash (or a lost HTTP answer) between
Telegram accepting a message and our commit: we cannot know whether the chat has it.  We send it
again rather than risk losing it, but such a row is ``unsure`` from then on, and every later
attempt for it is marked as a possible repeat (:attr:`Due.unsure`), so a chat that does get an
alert twice sees why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from store.db import now_iso, write_transaction

SCOPES = ("all", "region", "agency")
WAITING = ("pending", "unsure")
"""Statuses of a delivery that may be attempted (``unsure``: an earlier attempt may have arrived)."""
IN_FLIGHT = ("sending", "resending")
"""Statuses of a claimed delivery whose send is under way."""
UNDELIVERED = WAITING + IN_FLIGHT


@dataclass
class Due:
    """A delivery that may be attempted now."""

    outbox_id: int
    chat_id: int
    attempts: int
    text: str
    agency: str
    year: int | None
    unsure: bool = False
    """An earlier attempt's outcome is unknown: the chat may already have this alert."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# subscriptions


def subscribe(db: sqlite_utils.Database, chat_id: int, scope: str = "all", value: str = "") -> bool:
    """Subscribe ``chat_id``; False when it already had this subscription.

    Only alerts created after this call reach the chat: in the same transaction every alert
    already in the outbox gets a ``skipped`` delivery row for it, so a new subscriber is not
    flooded with history (exact, unlike comparing second-resolution timestamps)."""
    if scope not in SCOPES:
        raise ValueError(scope)
    with write_transaction(db):
        cur = db.execute(
            "insert or ignore into subscriptions (chat_id, scope, value, created_at) values (?, ?, ?, ?)",
            [chat_id, scope, value, now_iso()],
        )
        db.execute(
            "insert or ignore into deliveries (outbox_id, chat_id, status) select id, ?, 'skipped' from outbox",
            [chat_id],
        )
        return cur.rowcount > 0


def unsubscribe(db: sqlite_utils.Database, chat_id: int, scope: str | None = None, value: str = "") -> int:
    """Remove one subscription (or all of a chat's when ``scope`` is None) and cancel the
    deliveries still pending for it; returns the number of subscriptions removed."""
    with write_transaction(db):
        if scope is None:
            cur = db.execute("delete from subscriptions where chat_id = ?", [chat_id])
        else:
            cur = db.execute(
                "delete from subscriptions where chat_id = ? and scope = ? and value = ?",
                [chat_id, scope, value],
            )
        removed = cur.rowcount
        left = db.execute("select count(*) from subscriptions where chat_id = ?", [chat_id]).fetchone()[0]
        if not left:
            db.execute(
                "update deliveries set status = 'cancelled' where chat_id = ? and status in ('pending', 'unsure')",
                [chat_id],
            )
        return removed


def subscriptions_of(db: sqlite_utils.Database, chat_id: int) -> list[tuple[str, str]]:
    rows = db.execute(
        "select scope, value from subscriptions where chat_id = ? order by created_at", [chat_id]
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


# --------------------------------------------------------------------------------------------
# fan-out and delivery states

# A subscription matches an alert when its scope covers it (older alerts were skipped by subscribe).
_MATCH = """
    s.scope = 'all'
    or (s.scope = 'agency' and o.agency = s.value)
    or (s.scope = 'region' and (o.region = s.value or substr(o.agency, 1, length(s.value)) = s.value))
"""


FANNED_OUT_THROUGH = "outbox_fanned_out_through"
"""``meta`` key: the newest outbox id already fanned out (alerts are numbered in commit order)."""


def fan_out(db: sqlite_utils.Database) -> int:
    """Queue a delivery for every (new alert, subscribed chat) pair; returns how many.

    Only alerts newer than the last fan-out are joined with the subscriptions, so a tick costs
    the same with ten alerts in the outbox or a hundred thousand.  That is exact: a chat that
    subscribes later gets ``skipped`` rows for every alert already there (:func:`subscribe`),
    so an old alert never needs fanning out again.  Idempotent: the primary key of
    ``deliveries`` makes a repeated pair a no-op, and the marker moves in the same transaction.
    """
    with write_transaction(db):
        row = db.execute("select value from meta where key = ?", [FANNED_OUT_THROUGH]).fetchone()
        since = int(row[0]) if row else 0
        newest = db.execute("select coalesce(max(id), 0) from outbox").fetchone()[0]
        if newest <= since:
            return 0
        cur = db.execute(
            "insert or ignore into deliveries (outbox_id, chat_id, status, attempts, next_attempt_at) "
            "select distinct o.id, s.chat_id, 'pending', 0, '' from outbox o join subscriptions s on ("
            + _MATCH
            + ") where o.id > ? and o.id <= ?",
            [since, newest],
        )
        db.execute("insert or replace into meta (key, value) values (?, ?)", [FANNED_OUT_THROUGH, str(newest)])
        return max(cur.rowcount, 0)


def recover(db: sqlite_utils.Database) -> int:
    """Rows a crashed sender left mid-send become ``unsure``: Telegram may have accepted them
    before the crash, so they are sent again marked as a possible repeat (module docstring)."""
    with write_transaction(db):
        return db.execute("update deliveries set status = 'unsure' where status in ('sending', 'resending')").rowcount


def due(db: sqlite_utils.Database, limit: int = 50) -> list[Due]:
    """Waiting deliveries whose next attempt time has come, oldest alert first."""
    rows = db.execute(
        "select d.outbox_id, d.chat_id, d.attempts, o.text, o.agency, o.year, d.status = 'unsure' from deliveries d "
        "join outbox o on o.id = d.outbox_id where d.status in ('pending', 'unsure') and d.next_attempt_at <= ? "
        "order by d.outbox_id, d.chat_id limit ?",
        [_iso(_now()), limit],
    ).fetchall()
    return [Due(*r[:6], unsure=bool(r[6])) for r in rows]


def claim(db: sqlite_utils.Database, item: Due) -> bool:
    """Mark one delivery in flight before the send; False if another sender took it."""
    with write_transaction(db):
        cur = db.execute(
            "update deliveries set status = case status when 'unsure' then 'resending' else 'sending' end, "
            "attempts = attempts + 1 where outbox_id = ? and chat_id = ? and status in ('pending', 'unsure')",
            [item.outbox_id, item.chat_id],
        )
        return cur.rowcount == 1


def mark_delivered(db: sqlite_utils.Database, item: Due, message_id: int) -> None:
    with write_transaction(db):
        db.execute(
            "update deliveries set status = 'delivered', delivered_at = ?, telegram_message_id = ?, "
            "last_error = '' where outbox_id = ? and chat_id = ?",
            [now_iso(), message_id, item.outbox_id, item.chat_id],
        )


def backoff_seconds(attempts: int, base: float = 2.0, cap: float = 600.0) -> float:
    """Exponential backoff after ``attempts`` failed tries: base, 2·base, 4·base … up to ``cap``."""
    return min(cap, base * (2 ** max(attempts - 1, 0)))


def mark_retry(
    db: sqlite_utils.Database, item: Due, error: str, delay: float, *, count: bool = True, unknown: bool = False
) -> None:
    """Waiting again after ``delay`` seconds; ``count=False`` gives the attempt back (a flood
    wait is Telegram's pacing, not a failure).  ``unknown``: the message may have arrived (no
    answer came back), so the row becomes ``unsure``; an ``unsure`` row stays so."""
    with write_transaction(db):
        db.execute(
            "update deliveries set status = case when ? or status = 'resending' then 'unsure' else 'pending' end, "
            "next_attempt_at = ?, last_error = ?, attempts = attempts - ? where outbox_id = ? and chat_id = ?",
            [unknown, _iso(_now() + timedelta(seconds=delay)), error[:500], 0 if count else 1, item.outbox_id,
             item.chat_id],
        )


def mark_failed(db: sqlite_utils.Database, item: Due, error: str) -> None:
    """Give up on one delivery (bot blocked, chat gone, attempts exhausted)."""
    with write_transaction(db):
        db.execute(
            "update deliveries set status = 'failed', last_error = ? where outbox_id = ? and chat_id = ?",
            [error[:500], item.outbox_id, item.chat_id],
        )


def migrate_chat(db: sqlite_utils.Database, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: move its subscriptions and undelivered alerts to the new id."""
    with write_transaction(db):
        db.execute(
            "update or ignore subscriptions set chat_id = ? where chat_id = ?", [new_chat_id, old_chat_id]
        )
        db.execute("delete from subscriptions where chat_id = ?", [old_chat_id])
        db.execute(
            "update or ignore deliveries set chat_id = ?, status = case status when 'sending' then 'pending' "
            "when 'resending' then 'unsure' else status end where chat_id = ?",
            [new_chat_id, old_chat_id],
        )
        db.execute(
            "delete from deliveries where chat_id = ? and status in ('pending', 'sending', 'unsure', 'resending')",
            [old_chat_id],
        )


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Deliveries by status, for /status."""
    rows = db.execute("select status, count(*) from deliveries group by status").fetchall()
    return {r[0]: r[1] for r in rows}


def undelivered_alerts(db: sqlite_utils.Database) -> int:
    """Alerts with at least one delivery not yet delivered."""
    return db.execute(
        "select count(distinct outbox_id) from deliveries where status in ('pending', 'sending', 'unsure', 'resending')"
    ).fetchone()[0]
