"""Entry point of ``xxgk``.

Each subcommand lives in its own module and is registered here.  The database file is chosen by
``--db PATH`` (before the subcommand) or ``$XXGK_DB``; see :func:`store.db.default_db_path`.
"""

from __future__ import annotations

import importlib
import sys

import click

from store.db import default_db_path

# (module, attribute) of every subcommand.  A module is imported only when its command runs
# (`xxgk ask` must not pay for importing Telegram and matplotlib), and `xxgk --help` lists all.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("cli.ingest_cmd", "ingest"),
    ("cli.ingest_cmd", "check"),
    ("cli.ingest_cmd", "export"),
    ("cli.agencies_cmd", "agencies"),
    *[("cli.ops_cmd", name) for name in ("watch", "backup", "restore", "status")],
    ("cli.bot_cmd", "bot"),
    *[("cli.qa_cmd", name) for name in ("ask", "chat", "demo")],
]


class Context:
    """What every subcommand gets: the database path, and whether its folder may be created."""

    def __init__(self, db_path: str, make_dirs: bool = False) -> None:
        self.db_path = db_path
        self.make_dirs = make_dirs


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(attr for _, attr in SUBCOMMANDS)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        for module_name, attr in SUBCOMMANDS:
            if attr == cmd_name:
                command = getattr(importlib.import_module(module_name), attr)
                self.add_command(command)
                return command
        return None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="XXGK_DB",
    default=None,
    metavar="PATH",
    help="SQLite database file (default: $XXGK_DB or ./xxgk.db).",
)
@click.option("--mkdir", "make_dirs", is_flag=True,
              help="Create the database's folder if it does not exist (otherwise refused).")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, make_dirs: bool) -> None:
    """xxgk-bot: 政府信息公开工作年度报告 → SQLite → answers."""
    ctx.obj = Context(db_path or default_db_path(), make_dirs)


def _register() -> None:
    """Import every subcommand now (tests use this to exercise them all)."""
    for module_name, attr in SUBCOMMANDS:
        module = importlib.import_module(module_name)
        cli.add_command(getattr(module, attr))


def main() -> None:
    cli(prog_name="xxgk")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
