"""``xxgk ask``, ``xxgk chat`` and ``xxgk demo``: the console side of question answering."""

from __future__ import annotations

import datetime
import json
import sys
from importlib import resources
from pathlib import Path

import click

from bot import console
from bot.qa import ask as qa_ask
from bot.qa import log_answer
from bot.qa.render import source_text
from store import queries
from store.db import StoreError, open_db

DEMO_DB = "xxgk-demo.db"
DEMO_QUESTIONS = (
    "聊城城管局2019年收到多少政府信息公开申请？",
    "聊城市人民政府2020年公开率是多少",
    "平潭2023年行政复议多少件",
)


def _open(path: str, create: bool = False):  # type: ignore[no-untyped-def]
    try:
        return open_db(path, create=create)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _today(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD") from exc


@click.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--today", metavar="YYYY-MM-DD", help="Date for 今年/去年 (default: today).")
@click.pass_context
def ask(ctx: click.Context, question: tuple[str, ...], as_json: bool, today: str | None) -> None:
    """Answer one question, e.g. xxgk ask "聊城市城市管理局2019年收到多少申请"."""
    db = _open(ctx.obj.db_path)
    text = " ".join(question)
    answer = qa_ask(db, text, today=_today(today))
    try:
        log_answer(db, text, answer, shell="console")
    except Exception as exc:  # a read-only or busy file must not stop the answer
        click.echo(f"（未能写入审计日志：{exc}）", err=True)
    if as_json:
        click.echo(json.dumps(answer.as_json(), ensure_ascii=False))
        return
    click.echo(answer.text)
    if answer.candidates and answer.status == "clarify":
        click.echo("\n".join(f"  {i}. {c}" for i, c in enumerate(answer.candidates, 1)))


@click.command()
@click.option("--today", metavar="YYYY-MM-DD", help="Date for 今年/去年 (default: today).")
@click.pass_context
def chat(ctx: click.Context, today: str | None) -> None:
    """Interactive question answering in the console (help, quit)."""
    db = _open(ctx.obj.db_path)
    console.run(db, echo=click.echo, today=_today(today))


@click.command()
@click.option("--db", "demo_db", metavar="PATH", help=f"Database for the demo (default: ./{DEMO_DB}).")
@click.option("--no-chat", is_flag=True, help="Only ingest and show the examples.")
@click.pass_context
def demo(ctx: click.Context, demo_db: str | None, no_chat: bool) -> None:
    """Ingest the bundled sample reports, show three example answers, open the chat."""
    from ingest.pipeline import ingest_paths

    group_db = ctx.parent.params.get("db_path") if ctx.parent else None
    path = demo_db or group_db or DEMO_DB
    db = _open(path, create=True)
    samples = sample_reports()
    click.echo(f"导入样例报告 {len(samples)} 份 → {path}")
    outcomes = ingest_paths(db, samples, origin="demo")
    for o in outcomes:
        mark = "✓" if o.ok else "✗"
        detail = f"{o.agency} {o.year}年（{o.outcome}）" if o.ok else o.error
        failed = f"，{len(o.failed_checks)}项校验未通过" if o.ok and o.failed_checks else ""
        click.echo(f"  {mark} {Path(o.file).name}：{detail}{failed}")
    reports = queries.current_reports(db)
    click.echo(f"数据库中共有 {len(reports)} 份报告。示例问题：")
    for q in DEMO_QUESTIONS:
        answer = qa_ask(db, q)
        log_answer(db, q, answer, shell="console")
        first = answer.text.splitlines()[0] if answer.text else answer.status
        click.echo(f"\n问：{q}\n答：{first}")
        src = source_text(answer.source).splitlines()
        if src:
            click.echo("  " + src[0])
    click.echo("")
    if not no_chat:
        console.run(db, echo=click.echo)


def sample_reports() -> list[Path]:
    """The bundled sample reports (bot/samples/reports/*), installed or in the checkout."""
    folder = Path(str(resources.files("bot.samples").joinpath("reports")))
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(ask())
