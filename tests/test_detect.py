"""detect_kind decides from content; unreadable input fails with one clear line."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from ingest.detect import detect_kind
from ingest.model import IngestError
from ingest.readers import read_document

HTML = "<!DOCTYPE html><html><head><title>报告</title></head><body><p>正文</p></body></html>"


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in names.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
        (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), "docx"),
        (HTML.encode("utf-8"), "html"),
        (HTML.encode("gbk"), "html"),
        ("\ufeff<html><body><table><tr><td>1</td></tr></table></body></html>".encode(), "html"),
        ("某某局2020年政府信息公开工作年度报告\n一、总体情况\n".encode(), "text"),
        ("某某局2020年政府信息公开工作年度报告\n一、总体情况\n".encode("gb18030"), "text"),
        ("规章\t0\t0\t0\n".encode(), "text"),
    ],
)
def test_detects_kind_from_content(data: bytes, kind: str) -> None:
    assert detect_kind(data) == kind


def test_name_is_ignored() -> None:
    """An HTML page saved as report.pdf is still HTML."""
    doc = read_document(HTML.encode("utf-8"), "report.pdf")
    assert doc.kind == "html"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "空文件"),
        (b"  \n\t ", "空文件"),
        (random.Random(7).randbytes(4096), "无法识别"),
        (b"\x00\x01\x02\x03" * 500, "无法识别"),
        (_zip({"a.txt": b"hello"}), "不是 Word"),
        (_zip({"word/document.xml": b"<w/>" * 100})[:60], "损坏"),
    ],
    ids=["empty", "blank", "random", "nul", "zip-not-docx", "truncated-zip"],
)
def test_bad_input_is_one_line_error(data: bytes, needle: str) -> None:
    with pytest.raises(IngestError) as info:
        read_document(data, "x")
    message = str(info.value)
    assert needle in message
    assert "\n" not in message and "/" in message  # Chinese first, English after, one line
