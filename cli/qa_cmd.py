"""``xxgk ask``, ``xxgk chat`` and ``xxgk demo``: the console side of question answering."""

from __future__ import annotations

import datetime
import json
import os
import sys
from importlib import resources
from pathlib import Path

import click
from click.core import ParameterSource

from bot import console
from bot.qa import ask as qa_ask
from bot.qa import log_answer
from bot.qa.render import source_text
from cli.dbopen import open_for
from store import queries

DEMO_DB = "xxgk-demo.db"
DEMO_QUESTIONS = (
    "聊城城管局2019年收到多少政府信息公开申请？",
    "聊城市人民政府2020年公开率是多少",
    "平潭2023年行政复议多少件",
)


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
    db = open_for(ctx, create=False)
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
    from store.identity.persisted import preload

    db = open_for(ctx, create=False)
    preload(db)  # a conversation: its questions should not wait on the stored index's parts
    console.run(db, echo=click.echo, today=_today(today))


@click.command()
@click.argument("folder", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--db", "demo_db", metavar="PATH", help=f"Database for the demo (default: ./{DEMO_DB}, even when $XXGK_DB is set).")
@click.option("--no-chat", is_flag=True, help="Only ingest and show the examples.")
@click.pass_context
def demo(ctx: click.Context, folder: Path | None, demo_db: str | None, no_chat: bool) -> None:
    """Ingest the bundled sample reports (or your FOLDER of reports) into the demo database,
    show example answers, open the chat.

    The demo never writes into $XXGK_DB: that is the user's own database, and sample reports
    and their alerts do not belong there.  Only an explicit --db (here or before `demo`) moves it.
    """
    from ingest.pipeline import ingest_paths

    path = demo_db or _explicit_group_db(ctx) or DEMO_DB
    if path == DEMO_DB and os.environ.get("XXGK_DB"):
        click.echo(f"（演示使用自己的数据库 ./{DEMO_DB}，不写入 $XXGK_DB；要换库请用 --db）")
    db = open_for(ctx, path=path, writing=True)
    files = [folder] if folder else sample_reports()
    click.echo(f"导入{'文件夹 ' + str(folder) if folder else f'样例报告 {len(files)} 份'} → {path}")
    outcomes = ingest_paths(db, files, origin="demo")
    for o in outcomes:
        mark = "✓" if o.ok else "✗"
        detail = f"{o.agency} {o.year}年（{o.outcome}）" if o.ok else o.error
        failed = f"，{len(o.failed_checks)}项校验未通过" if o.ok and o.failed_checks else ""
        click.echo(f"  {mark} {o.file if folder else Path(o.file).name}：{detail}{failed}")
    if folder:
        _show_holdings(db, outcomes)
    else:
        _show_examples(db)
    click.echo("")
    if not folder:
        click.echo(f"读入自己的报告：xxgk demo 文件夹（读入演示库 {path}），或 xxgk --db 你的.db ingest 文件夹。")
    if not no_chat:
        console.run(db, echo=click.echo)


def _explicit_group_db(ctx: click.Context) -> str | None:
    """``xxgk --db PATH demo``: the group's --db when typed on the command line, not from $XXGK_DB."""
    parent = ctx.parent
    if parent is None or parent.get_parameter_source("db_path") != ParameterSource.COMMANDLINE:
        return None
    return parent.params.get("db_path")


def _show_examples(db) -> None:  # type: ignore[no-untyped-def]
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


def _show_holdings(db, outcomes) -> None:  # type: ignore[no-untyped-def]
    """After loading the user's folder: what was read, and what the database now holds."""
    read = sum(1 for o in outcomes if o.ok)
    click.echo(f"共 {len(outcomes)} 个文件，读入 {read} 个，{len(outcomes) - read} 个无法读取。")
    click.echo(qa_ask(db, "有哪些单位").text)
    click.echo("可以问：有哪些年份 / 数据库里有哪些报告 / 某单位某年收到多少申请")


def sample_reports() -> list[Path]:
    """The bundled sample reports (bot/samples/reports/*), installed or in the checkout."""
    folder = Path(str(resources.files("bot.samples").joinpath("reports")))
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(ask())
