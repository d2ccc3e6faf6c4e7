"""Opening the database for a command: one place that honours ``xxgk --mkdir``, checks that a
command which writes can write (a read-only file is said once, before any work), and turns a
store error into a one-line click error."""

from __future__ import annotations

import click
import sqlite_utils

from store.db import StoreError, open_db, require_writable


def open_for(ctx: click.Context, *, writing: bool = False, create: bool = True,
             path: str | None = None) -> sqlite_utils.Database:
    """The database of ``xxgk [--db PATH] COMMAND`` (or ``path``, the demo's own); ``writing`` for
    commands that change it, ``create=False`` for those that only read (a missing file is said)."""
    path = path or ctx.obj.db_path
    try:
        db = open_db(path, create=create, make_dirs=bool(getattr(ctx.obj, "make_dirs", False)))
        if writing:
            require_writable(db, path)
        return db
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
