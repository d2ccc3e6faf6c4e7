"""Ingest: read annual reports (PDF, Word, HTML, text), map them to canonical cells, validate."""

import store  # noqa: E402,F401  (first: sqlite-utils imported without numpy, see store.startup)
