"""One agency, one identity: real reports printed under different names become one agency, and
every shell (questions, `xxgk export`, Telegram /agency) reads a name the same way."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from bot.qa import ask
from cli.main import _register, cli
from store import db as store_db
from store.db import open_db
from store.identity import admin
from store.identity.gazetteer import DATA, gazetteer, normalise
from store.identity.names import identify
from tests import fakebotapi as fake
from tests.identity_corpus import corpus_db
from tests.qa_db import TODAY_2024, build_qa_db
from tests.telegram_harness import ADMIN, bot_config, running, settle

_register()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("identity")
    corpus_db(folder).conn.close()
    return folder / "identity.db"


@pytest.fixture
def db(corpus, tmp_path):
    copy = tmp_path / "copy.db"
    src = sqlite3.connect(corpus)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    return open_db(copy)


def q(db, text):
    return ask(db, text, today=TODAY_2024)


# ---------------------------------------------------------------------------- the gazetteer


def test_gazetteer_is_generated_national_and_dated() -> None:
    head = (DATA / "divisions.tsv").read_text("utf-8").splitlines()[:2]
    assert head[0].startswith("# source: cpca") and "MIT" in head[0]
    assert head[1].startswith("# generated: 20") and "make_gazetteer.py" in head[1]
    g = gazetteer()
    levels = [p.level for p in g.by_code.values() if not p.zone]
    assert levels.count("province") == 34 and levels.count("prefecture") > 330 and levels.count("county") > 2800
    assert (g.by_code["320813"].name, g.by_code["320813"].parent) == ("洪泽区", "320800")
    assert (g.by_code["321322"].name, g.by_code["321322"].parent) == ("沭阳县", "321300")
    assert g.display("320813") == "淮安市洪泽区" and g.display("350128") == "平潭综合实验区"
    assert normalise("淮安市 洪澤區") == "淮安市洪泽区"


@pytest.mark.parametrize(("printed", "body", "canonical", "code", "level"), [
    ("洪泽区人民政府", "本报告由淮安市洪泽区人民政府办公室根据…编制", "淮安市洪泽区人民政府", "320813", "county"),
    ("淮安市洪泽区人民政府", "", "淮安市洪泽区人民政府", "320813", "county"),
    ("沭阳县发改局", "", "宿迁市沭阳县发展和改革局", "321322", "department"),
    ("宿迁市沭阳县发展和改革局", "", "宿迁市沭阳县发展和改革局", "321322", "department"),
    ("沐阳县发展和改革局", "联系地址：宿迁市沭阳县人民路18号", "宿迁市沭阳县发展和改革局", "321322", "department"),
    ("上海市科委", "", "上海市科学技术委员会", "310000", "department"),
    ("上海市人民政府办公厅", "", "上海市人民政府办公厅", "310000", "department"),
    ("上海市政府", "", "上海市人民政府", "310000", "province"),
    ("平潭综合实验区", "", "平潭综合实验区", "350128", "county"),
    ("平潭县人民政府", "", "平潭综合实验区", "350128", "county"),
    ("城市管理局", "本报告由聊城市城市管理局编制", "聊城市城市管理局", "371500", "department"),
    ("城市管理局", "联系地址：聊城市东昌府区花园路", "城市管理局", "", ""),  # an office's address is not its level
    ("聊城市市场监督管理局", "", "聊城市市场监督管理局", "371500", "department"),
    ("山东省人民政府", "", "山东省人民政府", "370000", "province"),
    ("湖北省公安局", "", "湖北省公安局", "420000", "department"),  # 公安 begins 公安局: not 公安县
    ("荆州市公安局", "", "荆州市公安局", "421000", "department"),
    ("公安县公安局", "", "荆州市公安县公安局", "421022", "department"),
    ("那曲市教育局", "", "那曲市教育局", "542400", "department"),  # newer than the table's 那曲地区
    ("江苏省人民政府办公室", "", "江苏省人民政府办公室", "320000", "department"),
    ("江苏省政府办", "", "江苏省人民政府办公厅", "320000", "department"),
])
def test_identify(printed, body, canonical, code, level) -> None:
    ident = identify(printed, body)
    assert (ident.canonical, ident.code, ident.level) == (canonical, code, level)


def test_a_place_that_is_not_clearly_one_is_left_unplaced() -> None:
    """沐阳县 is one character from 沭阳县, 泗阳县, 汝阳县 …: without the body it is not guessed;
    朝阳区 is in Beijing and in Changchun."""
    for printed in ("沐阳县发展和改革局", "朝阳区人民政府"):
        ident = identify(printed)
        assert (ident.code, ident.canonical) == ("", printed)
    assert identify("朝阳区人民政府", "联系地址：北京市朝阳区日坛北路").code == "110105"


# ---------------------------------------------------------------------------- ingest


def test_one_agency_per_identity_with_its_printed_names(db) -> None:
    rows = {r["name"]: r for r in admin.list_agencies(db)}
    assert rows["淮安市洪泽区人民政府"]["years"] == [2023, 2024]
    assert rows["淮安市洪泽区人民政府"]["aliases"] == ["洪泽区人民政府"]
    assert (rows["淮安市洪泽区人民政府"]["division_code"], rows["淮安市洪泽区人民政府"]["level"]) == ("320813", "county")
    shuyang = rows["宿迁市沭阳县发展和改革局"]
    assert shuyang["years"] == [2021, 2022, 2023, 2024]
    assert set(shuyang["aliases"]) == {"沭阳县发改局", "沭阳县发展和改革局", "沐阳县发展和改革局"}
    assert "上海市科学技术委员会" in rows and "上海市科委" not in rows
    printed = dict(db.execute("select year, printed_agency from reports r join agencies a on a.id = r.agency_id "
                              "where a.name = '淮安市洪泽区人民政府'").fetchall())
    assert printed == {2023: "洪泽区人民政府", 2024: "淮安市洪泽区人民政府"}


@pytest.mark.parametrize(("question", "agency", "value"), [
    ("洪泽区2023年行政处罚决定多少件", "淮安市洪泽区人民政府", 120),
    ("洪泽2024年收到多少申请", "淮安市洪泽区人民政府", 28),
    ("淮安市洪泽区人民政府2023年收到多少申请", "淮安市洪泽区人民政府", 13),
    ("洪澤區2024年收到多少申請", "淮安市洪泽区人民政府", 28),
    ("沭阳县发改局2022年收到多少申请", "宿迁市沭阳县发展和改革局", 4),
    ("沭阳县发展和改革局2023年收到多少申请", "宿迁市沭阳县发展和改革局", 5),
    ("宿迁市沭阳县发展和改革局2024年收到多少申请", "宿迁市沭阳县发展和改革局", 7),
    ("沐阳县发改局2021年收到多少申请", "宿迁市沭阳县发展和改革局", 8),
    ("上海市科委2024年收到多少申请", "上海市科学技术委员会", 10),
    ("上海市科学技术委员会2024年收到多少申请", "上海市科学技术委员会", 10),
])
def test_every_printing_answers(db, question, agency, value) -> None:
    a = q(db, question)
    assert (a.status, a.agency, a.value) == ("answer", agency, value), a.text


def test_trend_and_change_across_the_two_printings(db) -> None:
    a = q(db, "洪泽区历年收到申请趋势")
    assert (a.status, a.agency) == ("answer", "淮安市洪泽区人民政府")
    assert [(s["year"], s["value"]) for s in a.series] == [(2023, 13), (2024, 28)]
    b = q(db, "洪泽区2024年比2023年收到的申请多了多少")
    assert b.status == "answer" and "差 = 2024年 − 2023年 = 15" in b.text


def test_province_and_city_scopes(db) -> None:
    a = q(db, "江苏省2024年哪些单位收到申请最多")
    assert a.status == "answer"
    assert [s["agency"] for s in a.series] == ["淮安市人民政府", "淮安市淮阴区人民政府", "淮安市洪泽区人民政府",
                                              "宿迁市沭阳县发展和改革局"]
    b = q(db, "淮安市各区县2024年申请数排名")
    assert [s["agency"] for s in b.series] == ["淮安市淮阴区人民政府", "淮安市洪泽区人民政府"]
    c = q(db, "淮安2024年收到多少申请")  # a city named alone: its government
    assert c.agency == "淮安市人民政府"
    d = q(db, "洪泽区和淮阴区2024年收到申请对比")  # two counties named alone: their governments
    assert [s["agency"] for s in d.series] == ["淮安市洪泽区人民政府", "淮安市淮阴区人民政府"]
    e = q(db, "宿迁2024年收到多少申请")  # no government held there: the agencies there, to pick from
    assert (e.status, e.candidates) == ("clarify", ["宿迁市沭阳县发展和改革局"])


def test_city_government_is_not_its_general_office(db) -> None:
    a = q(db, "上海市政府2019年收到多少申请")
    assert a.status in ("not_found", "clarify") and a.agency is None
    assert "上海市人民政府办公厅" in a.text
    assert q(db, "上海市政府办公厅2019年收到多少申请").agency == "上海市人民政府办公厅"


def test_an_organ_named_under_a_place_without_it_is_never_answered_for_another(db) -> None:
    a = q(db, "宿迁市发改委2024年收到多少申请")  # the city's commission is not held; 沭阳's bureau is
    assert a.status == "clarify" and a.candidates == ["宿迁市沭阳县发展和改革局"]


@pytest.mark.parametrize(("question", "agency"), [
    ("聊成城管局2019年收到多少申请", "聊城市城市管理局"),
    ("淄搏城管局2020年收到几件申请", "淄博市城市管理局"),
    ("平谭2023年行政复议多少件", "平潭综合实验区"),
])
def test_place_typos_are_corrected_through_the_gazetteer(tmp_path, question, agency) -> None:
    db = build_qa_db(tmp_path / "qa.db")
    a = q(db, question)
    assert (a.status, a.agency) == ("answer", agency), a.text


# ---------------------------------------------------------------------------- every shell


def _cli(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)


NAMES = ["洪泽区人民政府", "洪泽", "淮安市洪泽区政府", "沭阳县发改局", "沐阳县发改局", "上海市科委", "上海市科学技术委员会"]


async def test_the_same_name_means_the_same_agency_in_every_shell(db, tmp_path) -> None:
    path = Path(db.execute("PRAGMA database_list").fetchone()[2])
    expected = {}
    for name in NAMES:
        answer = json.loads(_cli(path, "ask", "--json", f"{name}2024年收到多少申请").output)
        exported = _cli(path, "export", "--json", name, "2024")
        assert exported.exit_code == 0, exported.output
        assert answer["agency"] == json.loads(exported.output)["agency"], name
        expected[name] = answer["agency"]
    api = fake.FakeBotAPI().start()
    try:
        async with running(bot_config(api, path, tmp_path / "data")):
            for name in NAMES:
                api.push(fake.message(ADMIN, ADMIN, f"/agency {name}"))
                await settle(api)
        replies = api.texts(ADMIN)
    finally:
        api.stop()
    assert len(replies) == len(NAMES)
    for name, reply in zip(NAMES, replies, strict=True):
        assert reply.startswith(expected[name] + "："), (name, reply)
    assert "别名：洪泽区人民政府" in replies[0]


# ---------------------------------------------------------------------------- operator control


def test_merge_split_alias_rename_and_undo(db) -> None:
    before = {r["name"]: r["years"] for r in admin.list_agencies(db)}
    text = admin.split(db, "宿迁市沭阳县发展和改革局", ["沭阳县发改局"], "沭阳县发改局（待核）")
    assert "1 份报告" in text
    after = {r["name"]: r["years"] for r in admin.list_agencies(db)}
    assert after["宿迁市沭阳县发展和改革局"] == [2021, 2023, 2024] and after["沭阳县发改局（待核）"] == [2022]
    admin.merge(db, "宿迁市沭阳县发展和改革局", "沭阳县发改局（待核）")
    assert {r["name"]: r["years"] for r in admin.list_agencies(db)} == before
    admin.add_alias(db, "上海市科学技术委员会", "市科委")
    assert q(db, "市科委2024年收到多少申请").agency == "上海市科学技术委员会"
    admin.rename(db, "淮安市淮阴区人民政府", "淮安市淮阴区人民政府（新）", 2024)
    assert q(db, "淮安市淮阴区人民政府2024年收到多少申请").agency == "淮安市淮阴区人民政府（新）"
    for _ in range(4):
        admin.undo(db)
    assert {r["name"]: r["years"] for r in admin.list_agencies(db)} == before
    assert [h["action"] for h in admin.history(db) if not h["undone"]].count("undo") == 4
    with pytest.raises(admin.AgencyChangeError):
        admin.undo(db)


def test_a_merge_of_two_current_reports_of_one_year_keeps_the_later(db) -> None:
    with store_db.write_transaction(db):
        db.execute("insert into agencies (name, region) values ('洪泽区政府（重复）', '淮安市')")
        dup = db.execute("select id from agencies where name = '洪泽区政府（重复）'").fetchone()[0]
        db.execute("insert into reports (agency_id, year, format, sha256, ingested_at) "
                   "values (?, 2024, '2021', 'dup', '2099-01-01')", [dup])
    text = admin.merge(db, "淮安市洪泽区人民政府", "洪泽区政府（重复）")
    assert "1 份同年报告改为历史版本" in text
    current = db.execute("select sha256 from reports r join agencies a on a.id = r.agency_id "
                         "where a.name = '淮安市洪泽区人民政府' and year = 2024 and status = 'current'").fetchall()
    assert current == [("dup",)]
    admin.undo(db)
    assert db.execute("select count(*) from reports where sha256 = 'dup' and status = 'current'").fetchone()[0] == 1


def test_agencies_command_lists_and_changes(db) -> None:
    path = Path(db.execute("PRAGMA database_list").fetchone()[2])
    out = _cli(path, "agencies").output
    assert "淮安市洪泽区人民政府  淮安市洪泽区（320813）  county  年份：2023、2024  别名：洪泽区人民政府" in out
    assert "merged" in _cli(path, "agencies", "merge", "淮安市人民政府", "淮阴区政府").output
    assert "undone" in _cli(path, "agencies", "undo").output
    refused = _cli(path, "agencies", "merge", "淮安市人民政府", "城管局")
    assert refused.exit_code != 0 and "找不到唯一匹配" in refused.output


# ---------------------------------------------------------------------------- migration


def test_an_old_database_is_upgraded_and_its_duplicates_merged(tmp_path, capsys) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    old = sqlite_utils.Database(conn)
    store_db._create_v1(old)
    old.execute("insert into meta (key, value) values ('schema_version', '1')")
    for i, (name, year) in enumerate([("洪泽区人民政府", 2023), ("淮安市洪泽区人民政府", 2024),
                                      ("沭阳县发改局", 2022), ("宿迁市沭阳县发展和改革局", 2024), ("聊城市城市管理局", 2019)], 1):
        old.execute("insert into agencies (id, name) values (?, ?)", [i, name])
        old.execute("insert into reports (agency_id, year, format, sha256, ingested_at) values (?, ?, '2021', ?, 'now')",
                    [i, year, f"s{i}"])
    old.execute("insert into subscriptions (chat_id, scope, value, created_at) values (7, 'agency', '洪泽区人民政府', 'now')")
    conn.commit()
    conn.close()
    db = open_db(path)
    err = capsys.readouterr().err
    assert "merged: 洪泽区人民政府 → 淮安市洪泽区人民政府" in err and "沭阳县发改局 → 宿迁市沭阳县发展和改革局" in err
    rows = {r["name"]: r for r in admin.list_agencies(db)}
    assert set(rows) == {"淮安市洪泽区人民政府", "宿迁市沭阳县发展和改革局", "聊城市城市管理局"}
    assert rows["淮安市洪泽区人民政府"]["years"] == [2023, 2024] and rows["淮安市洪泽区人民政府"]["division_code"] == "320813"
    assert db.execute("select value from subscriptions").fetchall() == [("淮安市洪泽区人民政府",)]
    assert q(db, "洪泽区历年收到申请趋势").agency == "淮安市洪泽区人民政府"


def test_the_folder_places_an_agency_the_title_leaves_open(tmp_path) -> None:
    """朝阳区 is in Beijing and in Changchun; a report filed under 北京市/ is Beijing's."""
    from ingest.pipeline import ingest_paths
    from ingest.render import render_text
    from tests.identity_corpus import figures

    folder = tmp_path / "reports" / "北京市"
    folder.mkdir(parents=True)
    path = render_text(figures("朝阳区人民政府", 2023), folder / "chaoyang-2023.txt")
    db = open_db(tmp_path / "folder.db")
    [outcome] = ingest_paths(db, [path])
    assert (outcome.ok, outcome.agency) == (True, "北京市朝阳区人民政府")
    assert identify("朝阳区人民政府", "", "reports/北京市").code == "110105"
    assert identify("朝阳区人民政府", "", "reports/长春市").code == "220104"


def test_export_keeps_the_printed_title(db) -> None:
    path = Path(db.execute("PRAGMA database_list").fetchone()[2])
    exported = json.loads(_cli(path, "export", "--json", "洪泽", "2023").output)
    assert (exported["agency"], exported["printed_agency"]) == ("淮安市洪泽区人民政府", "洪泽区人民政府")


def test_a_rename_in_a_reform_makes_one_trend(tmp_path) -> None:
    """卫计委 became 卫健委 in the 2019 reform: two organs, so two agencies until the operator
    records the rename; then the trend runs across it and the old name still finds the agency."""
    from store.db import save_report
    from tests.identity_corpus import figures
    from tests.qa_db import report_from

    db = open_db(tmp_path / "rename.db")
    save_report(db, report_from(figures("淮安市卫生和计划生育委员会", 2018, more=3)))
    save_report(db, report_from(figures("淮安市卫生健康委员会", 2019, more=6)))
    assert len(admin.list_agencies(db)) == 2
    summary = admin.rename(db, "淮安市卫生和计划生育委员会", "淮安市卫生健康委员会", 2019)
    assert "renamed（2019年）" in summary
    a = q(db, "淮安市卫健委历年收到申请趋势")
    assert [(s["year"], s["value"]) for s in a.series] == [(2018, 6), (2019, 9)]
    assert q(db, "淮安市卫计委2018年收到多少申请").agency == "淮安市卫生健康委员会"
    admin.undo(db)
    assert len(admin.list_agencies(db)) == 2


def test_an_agency_that_cannot_be_placed_is_said_so(tmp_path) -> None:
    from ingest.pipeline import ingest_paths
    from ingest.render import render_text
    from tests.identity_corpus import figures

    path = render_text(figures("朝阳区人民政府", 2023), tmp_path / "chaoyang-2023.txt")
    [outcome] = ingest_paths(open_db(tmp_path / "unplaced.db"), [path])
    assert outcome.ok and outcome.agency == "朝阳区人民政府"
    messages = " ".join(w["message"] for w in outcome.warnings)
    assert "未能确定“朝阳区人民政府”所在的行政区划" in messages and "北京市朝阳区" in messages
