"""The SQLite database, as one import: :mod:`store.schema` (the file, its pragmas and schema)
and :mod:`store.writes` (what ingest and the shells write into it).

Kept so ``from store.db import open_db, save_report`` goes on working everywhere; new code may
import from either module directly.
"""

from __future__ import annotations

from store.schema import (
    BUSY_TIMEOUT_SECONDS,
    DEFAULT_DB,
    READ_ONLY,
    SCHEMA_VERSION,
    StoreError,
    _create_v1,  # noqa: F401  (the frozen v1 schema; upgrade tests build old files)
    default_db_path,
    ensure_schema,
    open_db,
    require_writable,
    schema_version,
)
from store.writes import (
    SaveResult,
    agency_id,
    clean_text,
    log_failure,
    now_iso,
    record_audit,
    replace_checks,
    save_report,
    write_transaction,
)

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "DEFAULT_DB",
    "READ_ONLY",
    "SCHEMA_VERSION",
    "SaveResult",
    "StoreError",
    "agency_id",
    "clean_text",
    "default_db_path",
    "ensure_schema",
    "log_failure",
    "now_iso",
    "open_db",
    "record_audit",
    "replace_checks",
    "require_writable",
    "save_report",
    "schema_version",
    "write_transaction",
]
