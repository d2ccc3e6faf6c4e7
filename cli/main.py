"""Entry point of ``xxgk``.

Each subcommand lives in its own module and is registered here.  The database file is chosen by
``--db PATH`` (before the subcommand) or ``$XXGK_DB``; see :func:`store.db.default_db_path`.
"""

from __future__ import annotations

import importlib
import sys

import click

from store.db import default_db_path

# (module, attribute) of every subcommand; a module is imported only when the command runs is
# not needed: imports are cheap, and one list keeps `xxgk --help` complete.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("cli.ingest_cmd", "ingest"),
    ("cli.ingest_cmd", "check"),
    ("cli.ingest_cmd", "export"),
    *[("cli.ops_cmd", name) for name in ("watch", "backup", "restore", "status")],
    ("cli.bot_cmd", "bot"),
    *[("cli.qa_cmd", name) for name in ("ask", "chat", "demo")],
]


class Context:
    """What every subcommand gets: the database path."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="XXGK_DB",
    default=None,
    metavar="PATH",
    help="SQLite database file (default: $XXGK_DB or ./xxgk.db).",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """xxgk-bot: 政府信息公开工作年度报告 → SQLite → answers."""
    ctx.obj = Context(db_path or default_db_path())


def _register() -> None:
    for module_name, attr in SUBCOMMANDS:
        module = importlib.import_module(module_name)
        cli.add_command(getattr(module, attr))


def main() -> None:
    _register()
    cli(prog_name="xxgk")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
