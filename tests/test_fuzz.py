"""Property-based fuzzing of the text reader + interpreter and of the question parser.

The properties are the promises the rest of the system relies on:

* reading any bytes either gives a report whose cells are canonical keys with finite numbers,
  or raises :class:`IngestError` (one clear line) — never another exception;
* ``bot.qa.ask`` answers any string with an Answer of a known status — it never raises.

Inputs start from real reports typeset by the project and are then mutated (lines dropped,
doubled, swapped, numbers replaced with junk, noise inserted), so the fuzzer spends its time
near the formats that matter instead of on random bytes the detector refuses at once.
Set ``XXGK_FUZZ_EXAMPLES`` to run more examples (the figure in the report used 2000).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.model import IngestError
from store import catalogue
from store.db import open_db
from store.formats import format_ids
from tests.ops_corpus import figures, write_corpus

EXAMPLES = int(os.environ.get("XXGK_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COUNTS: dict[str, int] = {}


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _print_figures() -> Iterator[None]:
    """How many examples the fuzzers tried, printed at the end of the module (for the report)."""
    yield
    print(f"\nfuzz examples: {dict(sorted(COUNTS.items()))}")


def _base_lines(i: int) -> list[str]:
    from ingest.render.text import text_report

    return text_report(figures(i)).split("\n")


BASES = [_base_lines(i) for i in range(7)]
NUMBER = re.compile(r"\d+(?:\.\d+)?")

junk_number = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "/", "—", "无", "减 90", "增5", "1e309", "１２", "٣", "一百", "-0", "1,2,3", "48359.899368万元",
                     "251000元", "NaN", "inf", "99999999999999999999999", "\u3000", "(cid:12)", "⼀⼆"]),
    st.text(max_size=8),
)


@st.composite
def mutated_report(draw) -> bytes:
    lines = list(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        if not lines:
            break
        k = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "swap", "number", "noise", "tabs", "truncate"]))
        if op == "drop":
            del lines[k]
        elif op == "dup":
            lines.insert(k, lines[k])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[k], lines[j] = lines[j], lines[k]
        elif op == "number":
            lines[k] = NUMBER.sub(lambda m: draw(junk_number), lines[k], count=draw(st.integers(1, 3)))
        elif op == "noise":
            lines.insert(k, draw(st.text(max_size=60)))
        elif op == "tabs":
            lines[k] = lines[k].replace("\t", draw(st.sampled_from([" ", "  ", "\t\t", "|", ""])))
        else:
            lines[k] = lines[k][: draw(st.integers(min_value=0, max_value=len(lines[k])))]
    text = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


def _check_report_or_refusal(data: bytes) -> None:
    from ingest.interpret import interpret
    from ingest.readers.text import read_text

    try:
        parsed = interpret(read_text(data, "fuzz.txt"))
    except IngestError as exc:
        message = str(exc)
        assert message and "\n" not in message
        _count("refused")
        return
    assert parsed.agency and isinstance(parsed.year, int)
    assert parsed.format in format_ids()
    for key, reading in parsed.cells.items():
        assert catalogue.is_key(key), key
        assert reading.value is None or (isinstance(reading.value, float | int) and math.isfinite(reading.value)), (
            key, reading.value, reading.raw)
    _count("parsed")


@FUZZ
@given(mutated_report())
def test_text_reader_and_interpreter_on_mutated_reports(data: bytes) -> None:
    _count("text")
    _check_report_or_refusal(data)


@FUZZ
@given(st.binary(max_size=2048) | st.text(max_size=2048).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_read_or_refused(data: bytes) -> None:
    from ingest.pipeline import parse_bytes

    _count("bytes")
    try:
        parse_bytes(data, "fuzz")
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_unmutated_bases_parse() -> None:
    """The fuzzer's seeds are real reports: without mutation they must read back whole."""
    from ingest.interpret import interpret
    from ingest.readers.text import read_text

    for i, lines in enumerate(BASES):
        parsed = interpret(read_text("\n".join(lines).encode(), "base.txt"))
        assert parsed.agency == figures(i)["agency"] and len(parsed.cells) >= 150


# --------------------------------------------------------------------------------------------
# questions


@pytest.fixture(scope="module")
def qa_db(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("qa")
    db = open_db(folder / "qa.db")
    from ingest.pipeline import ingest_file

    for path in write_corpus(folder / "reports", 7, kinds=("txt",)):
        assert ingest_file(db, path).ok
    return db


FRAGMENTS = [figures(i)["agency"] for i in range(7)] + [
    "2019", "2020", "2021", "2022", "2023", "年", "去年", "前年", "今年", "收到", "多少", "申请", "政府信息公开",
    "新收", "予以公开", "不予公开", "行政复议", "行政诉讼", "采购", "金额", "比", "和", "对比", "排名", "最多",
    "趋势", "哪个", "？", "?", " ", "、", "，", "聊城", "城管局", "大数据局", "市", "局", "的", "吗", "' OR 1=1 --",
    ";", "DROP TABLE cells", "\x00", "\u202e", "🤖", "%", "_", "\\", "*", "上年结转", "结转下年", "费用", "第三方",
]

question = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.integers(min_value=-10**6, max_value=10**6), st.sampled_from(FRAGMENTS))
    .map(lambda t: f"{t[0]}{t[1]}年{t[2]}"),
)


@FUZZ
@given(q=question)
def test_ask_answers_anything(qa_db, q: str) -> None:
    from bot.answer import STATUSES
    from bot.qa import ask

    _count("questions")
    answer = ask(qa_db, q)
    assert answer.status in STATUSES
    assert answer.text
    if answer.status == "answer" and answer.value is not None:
        assert isinstance(answer.value, int | float) and math.isfinite(answer.value)
