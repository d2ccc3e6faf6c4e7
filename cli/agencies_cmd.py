"""``xxgk agencies``: the operator's view of agency identity — list, merge, split, alias, rename,
history, undo.  Names are read through the one resolver (as ``xxgk ask`` and /agency read them);
a name that fits several agencies is refused with the candidates."""

from __future__ import annotations

import json

import click

from cli.dbopen import open_for
from store.identity import admin
from store.lookup import find_agencies


def _one(db, text: str) -> str:  # type: ignore[no-untyped-def]
    found = find_agencies(db, text)
    if len(found) != 1:
        hint = "；可能是：" + "、".join(n for _, n in found) if found else ""
        raise click.ClickException(f"找不到唯一匹配“{text}”的单位 / agency not found or ambiguous{hint}")
    return found[0][1]


def _run(action) -> None:  # type: ignore[no-untyped-def]
    try:
        click.echo(action())
    except admin.AgencyChangeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="List as JSON lines.")
@click.pass_context
def agencies(ctx: click.Context, as_json: bool) -> None:
    """List agencies (canonical name, division, level, aliases, years held), or change them."""
    if ctx.invoked_subcommand is not None:
        return
    rows = admin.list_agencies(open_for(ctx))
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        where = f"{row['division']}（{row['division_code']}）" if row["division_code"] else "未定位"
        aliases = f"  别名：{'、'.join(row['aliases'])}" if row["aliases"] else ""
        years = "、".join(map(str, row["years"])) or "无"
        click.echo(f"{row['name']}  {where}  {row['level'] or '-'}  年份：{years}{aliases}")
    if not as_json:
        click.echo(f"共 {len(rows)} 个单位 / {len(rows)} agencies")


@agencies.command()
@click.argument("keep")
@click.argument("other")
@click.pass_context
def merge(ctx: click.Context, keep: str, other: str) -> None:
    """OTHER is the same agency as KEEP: its reports and names move to KEEP."""
    db = open_for(ctx, writing=True)
    _run(lambda: admin.merge(db, _one(db, keep), _one(db, other)))


@agencies.command()
@click.argument("agency")
@click.argument("printed", nargs=-1, required=True)
@click.option("--name", "new_name", default=None, help="Name of the agency split off (default: read from PRINTED).")
@click.pass_context
def split(ctx: click.Context, agency: str, printed: tuple[str, ...], new_name: str | None) -> None:
    """Undo a wrong merge: reports printed as PRINTED move to an agency of their own."""
    db = open_for(ctx, writing=True)
    _run(lambda: admin.split(db, _one(db, agency), list(printed), new_name))


@agencies.command()
@click.argument("agency")
@click.argument("alias")
@click.pass_context
def alias(ctx: click.Context, agency: str, alias: str) -> None:
    """ALIAS is another name of AGENCY."""
    db = open_for(ctx, writing=True)
    _run(lambda: admin.add_alias(db, _one(db, agency), alias))


@agencies.command()
@click.argument("old")
@click.argument("new")
@click.option("--year", type=int, default=None, help="Year of the rename (recorded).")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str, year: int | None) -> None:
    """OLD was renamed NEW (an institutional reform): one agency named NEW, trends run across."""
    db = open_for(ctx, writing=True)
    _run(lambda: admin.rename(db, _one(db, old), new, year))


@agencies.command()
@click.pass_context
def history(ctx: click.Context) -> None:
    """Every recorded change."""
    for row in admin.history(open_for(ctx)):
        mark = "（已撤销）" if row["undone"] else ""
        click.echo(f"#{row['id']} {row['ts']} {row['action']}: {row['summary']}{mark}")


@agencies.command()
@click.pass_context
def undo(ctx: click.Context) -> None:
    """Put back the latest change."""
    db = open_for(ctx, writing=True)
    _run(lambda: admin.undo(db))
