"""Storage: the canonical cell catalogue and the SQLite database every answer comes from."""

from store.startup import import_sqlite_utils

import_sqlite_utils()
