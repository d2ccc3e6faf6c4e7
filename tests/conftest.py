"""Shared fixtures.  ``SHARED`` is ../shared beside the checkout, when present (CI has it)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
HAS_SHARED = (SHARED / "truth").is_dir() and (SHARED / "reports").is_dir()

needs_shared = pytest.mark.skipif(not HAS_SHARED, reason="../shared not present")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"
