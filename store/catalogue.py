"""The project's catalogue of canonical cells.

The keys are the public vocabulary of the project: exports, answers and checks name cells by
them.  The catalogue ships inside the package (``store/cells.tsv``) and is byte-for-byte the
specification in ``shared/spec/cells.tsv``, so a fresh clone works without ``../shared``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TypeVar

APPLICANT_COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
APPLICANT_LABELS = {
    "natural": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social": "社会公益组织",
    "legal": "法律服务机构",
    "other_org": "其他法人或其他组织",
    "total": "总计",
}


_F = TypeVar("_F", bound=Callable)
_DERIVED: list = []
_REPLACED: dict[str, str] = {}


def derived(fn: _F) -> _F:
    """Cache what is derived from the catalogue files, and forget it when they are replaced."""
    cached = cache(fn)
    _DERIVED.append(cached)
    return cached  # type: ignore[return-value]


def derived_text(maxsize: int = 4096) -> Callable[[_F], _F]:
    """:func:`derived` for a function of free text (a label as printed): only the last
    ``maxsize`` texts are remembered, so a long-running process does not keep every label it saw."""

    def wrap(fn: _F) -> _F:
        cached = lru_cache(maxsize)(fn)
        _DERIVED.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def read_data(name: str) -> str:
    """The text of a catalogue file shipped in ``store/`` (``cells.tsv``, ``formats.toml``)."""
    if name in _REPLACED:
        return _REPLACED[name]
    return resources.files("store").joinpath(name).read_text(encoding="utf-8")


@contextmanager
def replaced_catalogue(**texts: str) -> Iterator[None]:
    """Read other catalogue files for a while (``cells_tsv=…``, ``formats_toml=…``).

    Why: a new official format must be addable through the catalogue alone; a test proves it
    by reading, checking and answering a made-up format without touching the code."""
    names = {key.replace("_", "."): text for key, text in texts.items()}
    saved = dict(_REPLACED)
    _REPLACED.update(names)
    _forget()
    try:
        yield
    finally:
        _REPLACED.clear()
        _REPLACED.update(saved)
        _forget()


def _forget() -> None:
    for cached in _DERIVED:
        cached.cache_clear()


@dataclass(frozen=True)
class CellSpec:
    """One canonical cell: where it sits in the official table and its unit."""

    key: str
    table: str  # active | requests | appeals
    format: str  # 2019 | 2021 | both
    row: str
    column: str
    unit: str

    def in_format(self, fmt: str) -> bool:
        """``both`` (as the spec says of the two formats it knows) is every format's row."""
        return self.format in ("both", fmt)

    @property
    def label(self) -> str:
        """A human label such as ``（三）不予公开/1.属于国家秘密 · 总计``."""
        return f"{self.row} · {self.column}"


@derived
def all_specs() -> tuple[CellSpec, ...]:
    """Every row of the catalogue, in the order of cells.tsv (a key may appear once per format)."""
    text = read_data("cells.tsv")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return tuple(CellSpec(**row) for row in rows)


@derived
def specs_for(table: str, fmt: str) -> tuple[CellSpec, ...]:
    """The cells one table has in one format (``fmt`` is 2019 or 2021)."""
    return tuple(s for s in all_specs() if s.table == table and s.in_format(fmt))


@derived
def keys_for(fmt: str) -> tuple[str, ...]:
    """All keys a report of this format has, in catalogue order, without duplicates."""
    seen: dict[str, None] = {}
    for spec in all_specs():
        if spec.in_format(fmt):
            seen.setdefault(spec.key, None)
    return tuple(seen)


@derived
def spec(key: str, fmt: str | None = None) -> CellSpec:
    """The spec of ``key`` (in ``fmt`` when the key means different things per format)."""
    matches = [s for s in all_specs() if s.key == key]
    if not matches:
        raise KeyError(key)
    if fmt is not None:
        for s in matches:
            if s.in_format(fmt):
                return s
    return matches[0]


def is_key(key: str) -> bool:
    return any(s.key == key for s in all_specs())


def unit_of(key: str) -> str:
    return spec(key).unit
