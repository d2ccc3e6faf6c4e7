"""The shortcuts that make bulk ingest cheaper give exactly what the long way gives.

Each one skips work in the common case (a JSON encoder made once, a regex not run on a cell
with nothing for it, characters not counted when all are printable, a label's row remembered,
a report pickled as its fields); each is compared here with the long way on generated inputs,
so a shortcut that drifts fails here rather than storing something else.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.detect import _mostly_printable
from ingest.interpret import _active_row, _request_row
from ingest.model import CellReading, CheckResult
from ingest.pipeline import parse_file
from ingest.readers.text import _MARKDOWN, _clean
from store.catalogue import read_data, replaced_catalogue
from store.writes import _encode_json
from tests.conftest import ROOT

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_the_provenance_encoder_writes_what_json_dumps_writes(value: dict) -> None:
    assert _encode_json(value) == json.dumps(value, ensure_ascii=False)


def test_the_provenance_encoder_writes_infinity_as_json_dumps_does() -> None:
    value = {"bbox": [float("inf"), -float("inf"), 1e300, -0.0, 0.1 + 0.2]}
    assert _encode_json(value) == json.dumps(value, ensure_ascii=False)


cell_text = st.lists(st.sampled_from([" ", "\t", "#", "*", "**", "##", "　", "a", "1", "一、", "|"]), max_size=8).map("".join)


@settings(max_examples=500, deadline=None)
@given(cell_text)
def test_a_cell_is_cleaned_as_the_markdown_pattern_cleans_it(text: str) -> None:
    assert _clean(text) == _MARKDOWN.sub("", text).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab一\t\r\n\f\x00\x07\u200b\u2028 ")), max_size=60))
def test_printable_text_is_judged_as_counting_judges_it(text: str) -> None:
    sample = text[:20000]
    counted = bool(text) and sum(1 for ch in sample if ch.isprintable() or ch in "\t\r\n\f") / len(sample) >= 0.95
    assert _mostly_printable(text) == counted


def test_a_label_looked_up_under_another_catalogue_is_looked_up_again() -> None:
    """The rows of a label are remembered; a catalogue replaced (a new official format) must not
    be answered from what the shipped one said, nor the other way round afterwards."""
    label = "申请人主动撤回申请"
    assert _request_row([label], None) is None
    shipped = read_data("formats.toml")
    moved = shipped.replace('cores = ["本年新收", "新收政府信息"]', 'cores = ["本年新收", "新收政府信息", "主动撤回"]')
    assert moved != shipped
    with replaced_catalogue(formats_toml=moved):
        assert _request_row([label], None) == "new"
    assert _request_row([label], None) is None
    assert _active_row(["规章"]) == "rules"


def test_readings_and_checks_pickle_to_themselves() -> None:
    reading = CellReading(3.0, "3", {"kind": "text", "line": 8}, True, "未找到")
    check = CheckResult("requests.balance.total", "error", False, "消息", ["requests.new.total"], "source")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(reading, protocol)) == reading
        assert pickle.loads(pickle.dumps(check, protocol)) == check
    reading.note = "an attribute besides the fields"  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(reading)).note == "an attribute besides the fields"


def test_a_parsed_report_reaches_the_writer_whole(tmp_path: Path) -> None:
    """What a bulk worker sends down its pipe is what it parsed, every field of every cell."""
    parsed = parse_file(ROOT / "bot/samples/reports/pingtan-2023.txt")
    assert parsed.report is not None and parsed.own_checks
    sent = pickle.loads(pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
    assert dataclasses.asdict(sent) == dataclasses.asdict(parsed)
    assert list(sent.report.cells) == list(parsed.report.cells)  # the order the cells are stored in
