"""The external scorers of ../shared/tools, run against the installed `xxgk`, must pass.

These are the judges of the project: every scored cell of every real report equals the truth,
unscored cells come out flagged, expected failed checks are reported, and every seed question
gets the expected answer.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SHARED, needs_shared

pytestmark = [needs_shared, pytest.mark.slow]


def _xxgk() -> str:
    path = shutil.which("xxgk")
    if path is None:
        pytest.skip("xxgk is not installed on PATH")
    return path


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SHARED / "tools" / script), _xxgk(), *args],
        capture_output=True, text=True, timeout=900, env=dict(os.environ),
    )


def test_score_cells_all_right() -> None:
    result = _run("score_cells.py", str(SHARED / "reports"), str(SHARED / "truth"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_score_answers_all_right() -> None:
    result = _run("score_answers.py", str(SHARED / "reports"), str(SHARED / "questions" / "seed-questions.tsv"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_truth_notes_on_checks(tmp_path) -> None:
    """The 2023 机关事务 report warns 2 vs 3; the 2019 上海 report's blank 总计 cells are reported."""
    env = dict(os.environ, XXGK_DB=str(tmp_path / "s.db"))
    subprocess.run([_xxgk(), "ingest", str(SHARED / "reports")], env=env, capture_output=True, timeout=600)

    def export(agency: str, year: int) -> dict:
        out = subprocess.run([_xxgk(), "export", "--json", agency, str(year)], env=env,
                             capture_output=True, text=True, timeout=120)
        return json.loads(out.stdout)

    jiguan = export("聊城市机关事务管理局", 2023)
    warnings = [c for c in jiguan["checks"] if not c["passed"] and c["severity"] == "warning"]
    assert [c["rule"] for c in warnings] == ["text_vs_table.new"], warnings
    assert "称 2，但表格为本年新收总计(3)" in warnings[0]["message"]  # not "2" and "3", which 2023 holds
    assert not [c for c in jiguan["checks"] if not c["passed"] and c["severity"] == "error"]

    shanghai = export("上海市人民政府办公厅", 2019)
    failed = [c for c in shanghai["checks"] if not c["passed"] and c["severity"] == "error"]
    blank = [c for c in failed if c["rule"].startswith("requests.row_sum.")]
    assert blank and all("总计单元格为空" in c["message"] for c in blank), failed


REAL_FORMS = SHARED / "real-forms"
RUN_TOGETHER = ("pingtan-2019", "pingtan-2021", "pingtan-jjf-2021")
"""Web-page text dumps (issue 9 items 3-4): cells run together, tables on one line."""


@functools.cache
def _corpus_lines() -> dict[str, str]:
    result = _run("score_corpus.py", str(REAL_FORMS / "reports"), str(REAL_FORMS / "truth"))
    lines = {}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition(": ")
        lines[name] = rest
    return lines


@pytest.mark.parametrize("name", RUN_TOGETHER)
def test_real_forms_run_together_dumps_read_right(name: str) -> None:
    """Every scored cell right, none flagged, none silently wrong (score_corpus's line)."""
    line = _corpus_lines()[name]
    truth = json.loads((REAL_FORMS / "truth" / f"{name}.json").read_text(encoding="utf-8"))
    scored = len(set(truth["cells"]) - set(truth.get("unscored", [])))
    assert line.startswith(f"{scored} right, 0 flagged, 0 SILENTLY WRONG"), line


@pytest.mark.parametrize("name", RUN_TOGETHER)
def test_real_forms_unscored_cells_are_flagged(tmp_path, name: str) -> None:
    """Cells the text alone cannot decide (table 2 runs such as "693665") come out flagged."""
    truth = json.loads((REAL_FORMS / "truth" / f"{name}.json").read_text(encoding="utf-8"))
    env = dict(os.environ, XXGK_DB=str(tmp_path / "r.db"))
    subprocess.run([_xxgk(), "ingest", str(REAL_FORMS / "reports" / truth["source"])], env=env,
                   capture_output=True, timeout=300, check=True)
    out = subprocess.run([_xxgk(), "export", "--json", truth["agency"], str(truth["year"])], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    flagged = {f["key"] for f in json.loads(out.stdout)["flags"]}
    assert set(truth.get("unscored", [])) <= flagged


def test_real_forms_score_corpus_passes() -> None:
    """The whole real-forms folder: every scored cell right, nothing silently wrong, every
    expected failed check reported — the scorer's own verdict (exit 0)."""
    result = _run("score_corpus.py", str(REAL_FORMS / "reports"), str(REAL_FORMS / "truth"))
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-3000:]
    assert "silently wrong 0," in last and "in unread reports 0;" in last, result.stdout[-3000:]
    assert "shanghai-kewei-2024: 200 right, 0 flagged, 0 SILENTLY WRONG" in result.stdout, result.stdout[-3000:]
