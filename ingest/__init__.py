"""Ingest: read annual reports (PDF, Word, HTML, text), map them to canonical cells, validate."""
