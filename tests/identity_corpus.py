"""Reports of one agency printed under different names, rendered as real files (PDF, Word, text)
by ``ingest/render`` and ingested through the real pipeline — the identity tests' corpus.

洪泽区's 2023 report is titled "洪泽区人民政府" and its body says "本报告由淮安市洪泽区人民政府办公室
…编制"; its 2024 report is titled "淮安市洪泽区人民政府".  沭阳县's bureau prints its name three ways.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ingest.pipeline import ingest_paths
from ingest.render import render_docx, render_pdf, render_text
from store.db import open_db
from tests.conftest import ROOT

FIGURES = ROOT / "bot" / "samples" / "figures"


def figures(agency: str, year: int, printed: str | None = None, *, more: int = 0, penalty: int = 0,
            base: str = "liaocheng-jiguan-shiwu-2023", **extra: Any) -> dict[str, Any]:
    """A 2021-format report of ``agency`` printed as ``printed``: ``more`` extra requests from
    natural persons (carried forward, so every sum still holds) and ``penalty`` 行政处罚 decisions."""
    data = copy.deepcopy(json.loads((FIGURES / f"{base}.json").read_text(encoding="utf-8")))
    data.update(agency=agency, year=year, title_agency=printed or agency, **extra)
    cells = data["cells"]
    for key in ("requests.new.natural", "requests.new.total", "requests.carried_forward.natural",
                "requests.carried_forward.total"):
        cells[key] += more
    cells["active.penalty.decisions"] = penalty
    return data


CORPUS: list[tuple[str, str, dict[str, Any]]] = [
    ("hongze-2023.pdf", "pdf", figures("淮安市洪泽区人民政府", 2023, "洪泽区人民政府", more=10, penalty=120,
                                       compiled_by="淮安市洪泽区人民政府办公室")),
    ("hongze-2024.docx", "docx", figures("淮安市洪泽区人民政府", 2024, more=25, penalty=95,
                                         address="江苏省淮安市洪泽区东风路1号")),
    ("huaian-2024.txt", "txt", figures("淮安市人民政府", 2024, more=300)),
    ("huaiyin-2024.txt", "txt", figures("淮安市淮阴区人民政府", 2024, more=40)),
    ("shuyang-fgj-2022.txt", "txt", figures("宿迁市沭阳县发展和改革局", 2022, "沭阳县发改局", more=1)),
    ("shuyang-fgj-2023.txt", "txt", figures("宿迁市沭阳县发展和改革局", 2023, "沭阳县发展和改革局", more=2)),
    ("shuyang-fgj-2024.txt", "txt", figures("宿迁市沭阳县发展和改革局", 2024, more=4)),
    ("shuyang-fgj-2021.txt", "txt", figures("宿迁市沭阳县发展和改革局", 2021, "沐阳县发展和改革局", more=5,
                                            address="宿迁市沭阳县人民路18号")),
    ("shanghai-kewei-2024.txt", "txt", figures("上海市科学技术委员会", 2024, "上海市科委", more=7)),
    ("shanghai-bangongting-2019.txt", "txt", json.loads((FIGURES / "shanghai-bangongting-2019.json").read_text("utf-8"))),
]


def write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    renderers = {"pdf": render_pdf, "docx": render_docx, "txt": render_text}
    return [renderers[kind](data, folder / name) for name, kind, data in CORPUS]


def corpus_db(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database holding the corpus, ingested through the real pipeline."""
    files = write_corpus(tmp_path / "reports")
    db = open_db(tmp_path / "identity.db")
    outcomes = ingest_paths(db, files)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return db
