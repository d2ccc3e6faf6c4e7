"""What every process of ours pays before its first question: kept small.

``xxgk ask`` is a new process per question, so import time is answer time.  sqlite-utils tries
to import numpy and pandas at import (to map their scalar types to column types when inserting
them); numpy alone costs about a tenth of a second, half of a short question's wall time, and
nothing of ours ever hands sqlite-utils a numpy or pandas value.  :func:`import_sqlite_utils`
imports sqlite-utils with both reported missing *to it only*: they are put back as importable
right after, so anything else that wants numpy later still gets it.
"""

from __future__ import annotations

import sys

SKIPPED = ("numpy", "pandas")
"""Optional imports of sqlite-utils our code never uses."""


def import_sqlite_utils() -> None:
    """Import sqlite_utils without its optional numpy/pandas support (once per process)."""
    if "sqlite_utils" in sys.modules:
        return
    blocked = [name for name in SKIPPED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
