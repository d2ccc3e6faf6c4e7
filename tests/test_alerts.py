"""The supervisors' alert: None when nothing failed, one short Chinese message otherwise."""

from __future__ import annotations

from ingest.alerts import MAX_CHARS, alert_text
from ingest.checks import run_checks
from ingest.model import CheckResult
from tests.conftest import SHARED, needs_shared
from tests.test_checks import build_report, truth_report


def test_no_alert_when_everything_adds_up() -> None:
    report = build_report()
    report.checks = run_checks(report)
    assert alert_text(report) is None


def test_warnings_alone_raise_no_alert() -> None:
    report = build_report(narrative="2022年，我局共收到政府信息公开申请9件。")
    report.checks = run_checks(report)
    assert any(not c.passed and c.severity == "warning" for c in report.checks)
    assert alert_text(report) is None


def test_alert_names_agency_year_file_rule_numbers_and_origin() -> None:
    report = build_report(
        {"requests.carried_forward.natural": 0, "requests.carried_forward.total": 0,
         "appeals.review.total": 5},
        flagged={"appeals.review.total": "列位置不确定"},
        narrative="2022年，我局共收到政府信息公开申请9件。",
    )
    report.checks = run_checks(report)
    text = alert_text(report)
    assert text is not None
    lines = text.splitlines()
    assert lines[0] == "【年报校验告警】"
    assert "单位：测试市测试局" in lines and "年度：2022年" in lines and "文件：test-2022.txt" in lines
    assert "共 3 项校验未通过（原报告疑似错误 2 项，读取问题 1 项），另有警告 2 项：" in text
    assert ("1. [requests.balance.natural]（原报告疑似错误）本年新收(5) + 上年结转(1) = 6，"
            "但 （七）总计(4) + 结转下年度(0) = 4（自然人列）") in lines
    assert any(line.startswith("3. [appeals.review]（读取问题）") and "总计(5)" in line for line in lines)
    assert "涉及单元格" not in text and "/tmp/in" not in text
    assert "text_vs_table" not in text


def test_runs_checks_when_the_report_has_none() -> None:
    report = build_report({"appeals.review.total": 3})
    assert report.checks == []
    text = alert_text(report)
    assert text is not None and "[appeals.review]" in text


def test_long_alert_is_cut_with_a_count() -> None:
    report = build_report()
    report.checks = [
        CheckResult(f"requests.row_sum.r{i}", "error", False, "自然人(1) + 其余5项(空或0) = 1，但 总计(0)" + "很长" * 60,
                    [], "source")
        for i in range(60)
    ]
    text = alert_text(report)
    assert text is not None and len(text) <= MAX_CHARS
    listed = sum(1 for line in text.splitlines() if line.split(".")[0].isdigit())
    assert 5 < listed < 60
    assert text.endswith(f"另有 {60 - listed} 项未列出，详见 xxgk check。")


def test_long_single_message_is_shortened() -> None:
    report = build_report()
    report.checks = [CheckResult("cells.complete", "error", False, "缺" * 2000, [], "reading")]
    text = alert_text(report)
    assert text is not None and len(text) < 700 and text.endswith("…")


@needs_shared
def test_shanghai_2019_alert_names_the_blank_totals() -> None:
    report = truth_report(SHARED / "truth" / "shanghai-bangongting-2019.json")
    report.checks = run_checks(report)
    text = alert_text(report)
    assert text is not None and len(text) <= MAX_CHARS
    assert "上海市人民政府办公厅" in text and "2019年" in text and "shanghai-bangongting-2019.html" in text
    assert "[requests.row_sum.granted]（原报告疑似错误）" in text and "总计单元格为空" in text
    assert "读取问题 0 项" in text


@needs_shared
def test_jiguan_shiwu_2023_narrative_warning_raises_no_alert() -> None:
    report = truth_report(SHARED / "truth" / "liaocheng-jiguan-shiwu-2023.json")
    report.checks = run_checks(report)
    assert alert_text(report) is None
