"""``xxgk watch``, ``xxgk backup``, ``xxgk restore`` and ``xxgk status``: running the service.

These are the operator's commands (deploy/README.md): the inbox watcher the deployment runs
beside the bot, the online backup and its restore, and a cheap status the container
HEALTHCHECK calls.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import click

from store.db import SCHEMA_VERSION, StoreError, open_db, require_writable, schema_version


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.command()
@click.argument("inbox", type=click.Path(path_type=Path, file_okay=False))
@click.option("--once", is_flag=True, help="One pass (two polls --settle apart), then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--settle", default=1.0, show_default=True, help="With --once: seconds a file must stand still.")
@click.pass_context
def watch(ctx: click.Context, inbox: Path, once: bool, interval: float, settle: float) -> None:
    """Ingest every file dropped into INBOX; move it to INBOX/processed/ or INBOX/failed/.

    A file is taken when its size and time did not change between two polls (so a copy in
    progress is never read); it keeps its subfolder (INBOX/2023/a.pdf → INBOX/processed/2023/a.pdf).
    Symlinks are never followed: each is refused and moved to failed/.  With --once the exit
    status is 1 when a file could not be read.
    """
    from ingest.watch import Handled, Watcher

    root = inbox.resolve()

    def report(item: Handled) -> None:
        o = item.outcome
        where = item.moved_to.parent.relative_to(root).as_posix() if item.moved_to else "-"
        if item.moved_to is None and not item.retry:
            click.echo(f"! {item.name}: 无法移出收件夹 / could not move out of the inbox ({o.outcome or o.error})")
        elif item.retry:
            click.echo(f"… {item.name} 留在收件夹，稍后重试 / left in the inbox to retry: {o.error}")
        elif o.ok:
            click.echo(f"✓ {item.name} → {where}/（{o.outcome}，{o.agency} {o.year}，{o.cells} 个单元格）", nl=True)
        else:
            click.echo(f"✗ {item.name} → {where}/ 错误: {o.error}")

    try:
        db = open_db(ctx.obj.db_path, make_dirs=ctx.obj.make_dirs)
        require_writable(db, ctx.obj.db_path)
        watcher = Watcher(inbox, db, on_file=report)
    except (StoreError, OSError) as exc:
        raise _fail(exc) from exc
    if once:
        handled = watcher.run_once(settle)
        if any(not h.outcome.ok for h in handled):
            ctx.exit(1)
        return
    stop = _stop_on_signals()
    click.echo(f"监视 / watching {watcher.inbox} (every {interval:g} s)")
    while not stop():
        try:
            watcher.poll()
        except Exception as exc:  # e.g. the inbox unmounted: say so, keep watching
            click.echo(f"监视出错，稍后重试 / watch error, retrying: {type(exc).__name__}: {exc}", err=True)
        _sleep_unless(stop, interval)


def _stop_on_signals():
    """SIGTERM/SIGINT finish the file in hand, then stop (docker stop, systemctl stop)."""
    flag = {"stop": False}

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        flag["stop"] = True

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return lambda: flag["stop"]


def _sleep_unless(stop, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stop() and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


@click.command()
@click.argument("dest", type=click.Path(path_type=str))
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@click.pass_context
def backup(ctx: click.Context, dest: str, force: bool) -> None:
    """Copy the live database to DEST (a file, or a folder for a timestamped file).

    Uses SQLite's online backup: safe while the bot and the watcher are running.
    """
    from store import backup as store_backup

    try:
        target = store_backup.backup(ctx.obj.db_path, dest, force=force)
    except StoreError as exc:
        raise _fail(exc) from exc
    click.echo(f"已备份 / backed up to {target} ({target.stat().st_size} bytes, integrity ok)")


@click.command()
@click.argument("src", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing database (its content is saved beside it first).")
@click.pass_context
def restore(ctx: click.Context, src: Path, force: bool) -> None:
    """Restore the database from backup SRC (integrity-checked first)."""
    from store import backup as store_backup

    try:
        saved = store_backup.restore(src, ctx.obj.db_path, force=force)
    except StoreError as exc:
        raise _fail(exc) from exc
    click.echo(f"已恢复 / restored {ctx.obj.db_path} from {src}")
    if saved:
        click.echo(f"原数据库已另存 / previous database saved as {saved}")


@click.command()
@click.option("--check", is_flag=True, help="Health check: exit 0 if the database opens and answers, else 1.")
@click.option("--reports", "list_reports", is_flag=True, help="Also list every agency with the years of its reports.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx: click.Context, check: bool, list_reports: bool, as_json: bool) -> None:
    """Database path, schema version, and how many agencies, reports and pending alerts."""
    try:
        db = open_db(ctx.obj.db_path, create=not check, make_dirs=ctx.obj.make_dirs)
        facts = _facts(db, ctx.obj.db_path)
    except Exception as exc:  # a health check must answer, whatever went wrong
        if check:
            click.echo(f"unhealthy: {exc}", err=True)
            ctx.exit(1)
        raise _fail(exc) from exc
    held = _holdings(db) if list_reports else None
    if as_json:
        click.echo(json.dumps({**facts, **({"holdings": held} if held is not None else {})}, ensure_ascii=False))
    elif check:
        click.echo("ok")
    else:
        for key, value in facts.items():
            click.echo(f"{key}: {value}")
        if held is not None:
            click.echo(agency_year_grid(held))


def _holdings(db) -> list[dict]:
    from bot.qa.inventory import holdings

    return [{"agency": h.agency, "years": list(h.years)} for h in holdings(db)]


def agency_year_grid(held: list[dict]) -> str:
    """Agencies × years of the current reports: ✓ where a report is held."""
    if not held:
        return "（没有报告 / no reports）"
    years = sorted({y for h in held for y in h["years"]})
    width = max(_width(h["agency"]) for h in held + [{"agency": "单位 agency"}])
    lines = ["单位 agency" + " " * (width - _width("单位 agency")) + "".join(f"  {y}" for y in years)]
    for h in held:
        marks = "".join("     ✓" if y in h["years"] else "     ·" for y in years)
        lines.append(h["agency"] + " " * (width - _width(h["agency"])) + marks)
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _facts(db, path: str) -> dict:
    from store.readmodel import status_facts

    facts = status_facts(db, recent=1)
    last = facts.recent[0] if facts.recent else None
    return {
        "database": str(path),
        "schema": f"{schema_version(db)} (release {SCHEMA_VERSION})",
        "agencies": facts.agencies,
        "reports": facts.current_reports,
        "superseded": facts.superseded_reports,
        "failed_files": facts.failed_files,
        "pending_deliveries": facts.pending_deliveries,
        "last_ingest": f"{last.ts} {last.outcome} {last.file}" if last else "",
    }
