"""Opening the database for a command: one place that honours ``xxgk --mkdir``, checks that a
command which writes can write (a read-only file is said once, before any work), and turns a
store error into a one-line click error."""

from __future__ import annotations

import click
import sqlite_utils

from store.db import StoreError, open_db, require_writable


def open_for(ctx: click.Context, *, writing: bool = False) -> sqlite_utils.Database:
    """The database of ``xxgk [--db PATH] COMMAND``; ``writing`` for commands that change it."""
    try:
        db = open_db(ctx.obj.db_path, make_dirs=ctx.obj.make_dirs)
        if writing:
            require_writable(db, ctx.obj.db_path)
        return db
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
