"""The readers' tuning thresholds: named in store/settings.py, checked there, read by the code."""

from __future__ import annotations

import dataclasses

import pytest

from ingest.readers.text import detect_layout
from store import settings
from store.settings import InterpretSettings, SplittingSettings, TextSettings


def test_defaults_are_valid_and_frozen() -> None:
    for current in (settings.TEXT, settings.INTERPRET, settings.SPLITTING):
        with pytest.raises(dataclasses.FrozenInstanceError):
            current.shown = 1  # type: ignore[misc, union-attr]


@pytest.mark.parametrize(("kind", "change", "error"), [
    (TextSettings, {"glued_lines": 0}, ValueError),
    (TextSettings, {"run_on_rows": -1}, ValueError),
    (TextSettings, {"tab_layout_lines": 2.5}, TypeError),
    (TextSettings, {"spaced_min_values": 1}, ValueError),
    (InterpretSettings, {"stray_rows": 0}, ValueError),
    (InterpretSettings, {"equal_tolerance": 0.01}, ValueError),
    (InterpretSettings, {"header_words": True}, TypeError),
    (SplittingSettings, {"max_nodes": "many"}, TypeError),
    (SplittingSettings, {"tolerance": 0.0}, ValueError),
])
def test_a_senseless_value_is_refused(kind: type, change: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        kind(**change)
    with pytest.raises(error):  # replace() runs the same checks
        dataclasses.replace(kind(), **change)


def test_the_text_reader_reads_its_thresholds_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["申请人\t自然人\t法人", "本年新收\t3\t1"]
    assert detect_layout(lines) == "spaces"  # two tab lines are below the default three
    monkeypatch.setattr(settings, "TEXT", dataclasses.replace(settings.TEXT, tab_layout_lines=2))
    assert detect_layout(lines) == "tabs"


def test_the_agency_matcher_reads_its_cutoffs_from_the_settings(monkeypatch) -> None:
    """A typo read at the default cutoff is refused once the cutoff is raised above its score."""
    from store.identity.resolver import AgencyIndex

    rows = [{"id": 1, "name": "聊城市大数据局", "region": "聊城市", "aliases": [], "division_code": "371500",
             "organ": "大数据", "level": "department", "forms": []}]
    index = AgencyIndex(rows)
    assert index.fuzzy("聊城市大数剧局", ()).agency == "聊城市大数据局"
    monkeypatch.setattr(settings, "MATCH", dataclasses.replace(settings.MATCH, anywhere_cutoff=99.0))
    assert index.fuzzy("聊城市大数剧局", ()).agency is None
    with pytest.raises(ValueError):
        dataclasses.replace(settings.MATCH, anywhere_floor=90.0, anywhere_cutoff=80.0)
