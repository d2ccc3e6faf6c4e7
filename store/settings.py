"""Every tuning threshold of the readers, the interpreter and the agency matcher, named and checked
in one place (the store is the layer every other one may import).

A threshold inline in the code ("20 lines", "10 digits", "50,000 steps") hides a decision; here
each one has a name, a line saying why it has its value, and a check that refuses a value that
would make no sense (as pdfplumber's ``TableSettings`` does).  The settings are frozen: code reads
``settings.TEXT.glued_lines`` at call time, and a test that needs another bound replaces the whole
object (``dataclasses.replace``) so the check runs again.

Bounds against hostile files (sizes, cells, pages) are not tuning: they live in ingest/limits.py.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


def _require_positive(settings: object, *, allow_zero: tuple[str, ...] = ()) -> None:
    """Every numeric field above 0 (or at least 0 when listed in ``allow_zero``)."""
    for field in fields(settings):  # type: ignore[arg-type]
        value = getattr(settings, field.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{type(settings).__name__}.{field.name} must be a number, not {value!r}")
        if value < 0 or (value == 0 and field.name not in allow_zero):
            raise ValueError(f"{type(settings).__name__}.{field.name} must be positive, not {value!r}")


@dataclass(frozen=True)
class TextSettings:
    """How ingest/readers/text.py tells the layouts of plain text apart."""

    cell_layout_lines: int = 20
    """Lines holding one tab-led cell each that make a file the one-cell-per-line layout (and
    they must outnumber the tab-separated lines): a few such lines are just indented prose."""
    tab_layout_lines: int = 3
    """Tab-separated lines that make a file the tab layout; fewer are stray tabs in prose."""
    run_on_rows: int = 4
    """Row starts on one line that make it a run-on line (a whole table printed on one line)."""
    glued_lines: int = 5
    """Lines ending in glued numbers that make a document a dump of run-together cells."""
    spaced_min_values: int = 3
    """Separate numbers a run-on piece shows to count as spaced (``0 0 0``), not glued."""
    glued_min_digits: int = 3
    """Length of a piece's single number that marks it glued (``640020470``), not spaced."""

    def __post_init__(self) -> None:
        _require_positive(self)
        for name in ("cell_layout_lines", "tab_layout_lines", "run_on_rows", "glued_lines",
                     "spaced_min_values", "glued_min_digits"):
            if not isinstance(getattr(self, name), int):
                raise TypeError(f"TextSettings.{name} counts lines or values: an int")
        if self.spaced_min_values < 2 or self.glued_min_digits < 2:
            raise ValueError("TextSettings: one number alone tells spaced from glued by its length only")


@dataclass(frozen=True)
class InterpretSettings:
    """How ingest/interpret.py recognises header rows, the appeals row and doubtful amounts."""

    header_words: int = 2
    """Header words (申请人情况, 自然人 …) that make a row without numbers a column-header row."""
    appeals_min_cells: int = 10
    """Cells a row must fill to be the appeals table's one row of numbers (it has 15; a row
    missing a few blank cells still counts, a stray short row does not)."""
    yuan_max_decimals: int = 2
    """Decimals an amount in 元 can have (元 go down to 分); more means the header lost its 万."""
    procurement_min_yuan: float = 100
    """A procurement total under this many 元 is taken for 万元 whose header lost its 万."""
    stray_rows: int = 3
    """Rows of numbers placed nowhere that make a mostly unreadable table's blanks untrustworthy."""
    equal_tolerance: float = 1e-9
    """Two sums of printed numbers this close are equal (floating-point noise only)."""

    def __post_init__(self) -> None:
        _require_positive(self)
        if self.equal_tolerance >= 0.005:
            raise ValueError("InterpretSettings.equal_tolerance must stay below half a 分 (0.005)")


@dataclass(frozen=True)
class SplittingSettings:
    """The bounds of ingest/splitting.py's search; hitting one flags the row, never half-decides it."""

    max_nodes: int = 50_000
    """Search steps allowed for one row or one table before giving up (the row is then flagged)."""
    max_options: int = 2_000
    """Candidates kept for one row; more than this and the row is flagged as undecidable."""
    max_choice_nodes: int = 20_000
    """Search steps allowed when choosing between rows' candidates (each step weighs every relation)."""
    max_solutions: int = 5_000
    """Consistent combinations collected when choosing between rows' candidates."""
    shown: int = 6
    """Candidates listed in a flag's reason."""
    tolerance: float = 1e-6
    """Two sums this close are equal (amounts carry up to six decimals of 万元)."""

    def __post_init__(self) -> None:
        _require_positive(self)
        if self.tolerance >= 0.005:
            raise ValueError("SplittingSettings.tolerance must stay below half a 分 (0.005)")


@dataclass(frozen=True)
class MatchSettings:
    """How store/identity/resolver.py accepts a name that does not match exactly (rapidfuzz ratio)."""

    in_place_cutoff: float = 75.0
    """Score an agency's organ must reach when the question names its place (the pool is small)."""
    anywhere_cutoff: float = 80.0
    """Score a whole name must reach when no place is named (the pool is every agency)."""
    anywhere_floor: float = 40.0
    """Scores below this are not even kept as suggestions."""
    anywhere_candidates: int = 8
    """Names rapidfuzz returns for a phrase without a place."""
    typo_places_max: int = 8
    """A misspelt place near more than this many places is not offered as a choice."""

    def __post_init__(self) -> None:
        _require_positive(self)
        if not self.anywhere_floor <= self.anywhere_cutoff <= 100 or self.in_place_cutoff > 100:
            raise ValueError("MatchSettings: cutoffs are scores of at most 100, the floor below the cutoff")


TEXT = TextSettings()
INTERPRET = InterpretSettings()
SPLITTING = SplittingSettings()
MATCH = MatchSettings()
