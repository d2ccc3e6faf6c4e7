"""`xxgk ingest / export / check` on the bundled samples and on bad files, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import _register, cli
from store import catalogue
from store.db import open_db

SAMPLES = Path(__file__).resolve().parent.parent / "bot" / "samples"

_register()


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A folder with every bundled sample and a handful of broken files in a sub-folder."""
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "reports", folder)
    bad = folder / "bad"
    bad.mkdir()
    (bad / "empty.pdf").write_bytes(b"")
    (bad / "garbage.docx").write_bytes(bytes(range(256)) * 40)
    (bad / "truncated.pdf").write_bytes((SAMPLES / "reports" / "zibo-chengguan-2020.pdf").read_bytes()[:900])
    (bad / "notes.txt").write_text("会议纪要：今天讨论了食堂菜单。\n", encoding="utf-8")
    (bad / "title-only.txt").write_text(
        "聊城市城市管理局2019年度政府信息公开工作报告\n\n一、总体情况\n今年工作很好。\n", encoding="utf-8"
    )
    return folder


def test_batch_ingests_good_files_and_reports_bad_ones(tmp_path: Path, batch: Path) -> None:
    db_path = tmp_path / "x.db"
    result = run(db_path, "ingest", "--quiet", str(batch))
    assert result.exit_code == 1  # some files could not be read
    lines = result.output.splitlines()
    errors = [line for line in lines if "错误:" in line]
    assert len(errors) == 5, result.output
    assert "no statistics tables found" in result.output
    assert "共 12 个文件：7 个已读入，5 个无法读取" in result.output
    db = open_db(db_path)
    assert db.execute("select count(*) from reports").fetchone()[0] == 7
    logged = db.execute("select count(*) from ingest_log where outcome = 'error'").fetchone()[0]
    assert logged == 5


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    db_path = tmp_path / "x.db"
    assert run(db_path, "ingest", "-q", str(SAMPLES / "reports")).exit_code == 0
    second = run(db_path, "ingest", "-q", str(SAMPLES / "reports"))
    assert second.exit_code == 0
    assert second.output.count("unchanged") == 7
    db = open_db(db_path)
    assert db.execute("select count(*) from reports").fetchone()[0] == 7


def test_export_json_uses_canonical_keys_and_matches_figures(tmp_path: Path) -> None:
    db_path = tmp_path / "x.db"
    run(db_path, "ingest", "-q", str(SAMPLES / "reports"))
    for figures_file in sorted((SAMPLES / "figures").glob("*.json")):
        figures = json.loads(figures_file.read_text(encoding="utf-8"))
        result = run(db_path, "export", "--json", figures["agency"], str(figures["year"]))
        assert result.exit_code == 0, result.output
        exported = json.loads(result.output)
        assert exported["agency"] == figures["agency"] and exported["year"] == figures["year"]
        assert set(exported["cells"]) == set(figures["cells"])
        assert exported["flags"] == []  # the bundled samples print every figure plainly
        wrong = {k: (exported["cells"][k], want) for k, want in figures["cells"].items()
                 if (exported["cells"][k] is None) != (want is None)
                 or (want is not None and exported["cells"][k] != pytest.approx(want))}
        assert not wrong, f"{figures['agency']} {figures['year']} (got, want): {wrong}"


def test_export_by_loose_name_and_by_id(tmp_path: Path) -> None:
    db_path = tmp_path / "x.db"
    run(db_path, "ingest", "-q", str(SAMPLES / "reports"))
    loose = json.loads(run(db_path, "export", "--json", "平潭", "2023").output)
    assert loose["agency"] == "平潭综合实验区"
    by_id = json.loads(run(db_path, "export", "--json", str(loose["id"])).output)
    assert by_id["cells"] == loose["cells"]
    fuzzy = json.loads(run(db_path, "export", "--json", "聊城市城管局", "2019").output)  # a clear fuzzy winner
    assert fuzzy["agency"] == "聊城市城市管理局"
    ambiguous = run(db_path, "export", "--json", "城市管理局", "2019")
    assert ambiguous.exit_code != 0 and "聊城市城市管理局" in ambiguous.output


def test_check_lists_failed_checks(tmp_path: Path) -> None:
    db_path = tmp_path / "x.db"
    run(db_path, "ingest", "-q", str(SAMPLES / "reports"))
    result = run(db_path, "check", "上海市人民政府办公厅", "2019")
    assert result.exit_code == 0
    assert "✗ 上海市人民政府办公厅 2019" in result.output
    assert "requests.row_sum" in result.output
    clean = run(db_path, "check", "聊城市大数据局")
    assert "✓ 聊城市大数据局 2019" in clean.output and "[错误]" not in clean.output


def test_export_csv_lists_every_cell_with_its_place_and_provenance(tmp_path: Path) -> None:
    import csv
    import io

    db_path = tmp_path / "x.db"
    run(db_path, "ingest", "-q", str(SAMPLES / "reports"))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", "--csv", "平潭综合实验区", "2023"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [r["key"] for r in rows] == list(catalogue.keys_for("2021"))
    assert all(r["row"] and r["column"] and json.loads(r["provenance"])["line"] > 0 for r in rows)
    fees = next(r for r in rows if r["key"] == "active.fees.amount")
    assert (fees["row"], fees["unit"], float(fees["value"])) == ("行政事业性收费", "万元", 5949.088667)
    assert json.loads(fees["provenance"])["kind"] == "text"


def test_summary_lines_come_as_files_are_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary is streamed (a batch of a million files must not hold a million outcomes):
    when a file is read, the header and a line for every file before it are already out."""
    import sys

    from cli import ingest_cmd

    lines_out = []
    real = ingest_cmd.ingest_file

    def spy(db, path):  # type: ignore[no-untyped-def]
        lines_out.append(sys.stdout.buffer.getvalue().decode("utf-8").count("\n"))
        return real(db, path)

    monkeypatch.setattr(ingest_cmd, "ingest_file", spy)
    result = run(tmp_path / "x.db", "ingest", "--jobs", "1", str(SAMPLES / "reports"))
    assert result.exit_code == 0
    assert lines_out == [1, 2, 3, 4, 5, 6, 7]
    assert result.output.splitlines()[-1].startswith("共 7 个文件")
