"""ask(): parse → resolve the agency → plan → Answer.  Never raises on odd input."""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

import sqlite_utils

from bot.answer import Answer
from bot.present import fmt_number
from bot.qa import auditq, breakdown, explain, inventory, leftover, multi, overview, units
from bot.qa.agencies import AgencyIndex, Resolution, index_for
from bot.qa.evaluate import caveats_of, evaluate, evaluate_rate, joined, source_of
from bot.qa.metrics import NEW, Metric, MetricChoice, column_label
from bot.qa.parse import Question, parse
from bot.qa.render import help_text, source_text
from bot.qa.text import canonical, clean
from store import queries
from store.catalogue import unit_of
from store.identity.organs import read_organ
from store.identity.persisted import StaleIndex
from store.identity.resolver import Mention, forget_cached

log = logging.getLogger(__name__)


def ask(db: sqlite_utils.Database, question: str, *, today: datetime.date | None = None) -> Answer:
    """Answer one question from the database (see :mod:`bot.qa`)."""
    return _safe(db, question, today, None)


def answer_choice(db: sqlite_utils.Database, question: str, chosen_agency: str, *,
                  today: datetime.date | None = None) -> Answer:
    """Answer ``question`` again with the agency the user picked from a clarify answer's
    candidates (a Telegram button, a console number)."""
    return _safe(db, question, today, chosen_agency)


def _safe(db: sqlite_utils.Database, question: object, today: datetime.date | None, chosen: str | None) -> Answer:
    try:
        text = clean(question if isinstance(question, str) else str(question or ""))
        if not text.strip():
            return Answer(status="not_found", kind="help", text=help_text([], "问题是空的。"))
        try:
            return _ask(db, text, today or datetime.date.today(), chosen)
        except StaleIndex:  # the agencies changed twice while answering: once more, on the current index
            forget_cached()
            return _ask(db, text, today or datetime.date.today(), chosen)
    except Exception:  # a bug must not take the shell down; the user gets one clear line
        log.exception("answering failed: %r", str(question)[:200])
        return Answer(status="not_found", kind="help", text=help_text([], "内部错误，未能回答这个问题，已记录。"))


def _ask(db: sqlite_utils.Database, text: str, today: datetime.date, chosen: str | None) -> Answer:
    held = inventory.answer(db, text)  # "有哪些单位": what the database holds, before any parsing
    if held is not None:
        return held
    index = index_for(db)
    q = parse(text, index, today)
    unread = leftover.unread_words(q.masked, _agency_pieces(q, index))
    return _say_unread(_plan(db, q, index, chosen, unread, today), unread)


def _agency_pieces(q: Question, index: AgencyIndex) -> list[str]:
    """The stretches of the question read as agencies: tokens and places, the phrase of a mention
    matched fuzzily, and with no mention the phrase the fuzzy look-up will use."""
    pieces = [p for m in q.mentions for p in (m.token or "", *m.places)]
    pieces += [m.phrase for m in q.mentions if m.token is None]
    pieces += [written for m in q.mentions for written in _as_written(m, q.masked)]
    if not q.mentions:
        pieces.append(index.fuzzy_phrase(q.text))
    return pieces


def _as_written(m: Mention, masked: str) -> list[str]:
    """The places of a mention as the question wrote them: a place written one character wrong
    (聊成市) is read as the one meant (聊城市), and was understood, not left unread."""
    if len(m.text) != len(masked):
        return []
    found = []
    for place in m.places:
        at = m.text.find(place)
        if at >= 0 and masked[at:at + len(place)] != place:
            found.append(masked[at:at + len(place)])
    return found


def _say_unread(answer: Answer, unread: list[str]) -> Answer:
    """Words nothing understood are named in every answer that did not already refuse over them."""
    words = [w for w in unread if f"“{w}”" not in answer.text]
    if words:  # right under the headline, before the number is trusted
        head, _, rest = answer.text.partition("\n")
        note = "（问题中的" + "、".join(f"“{w}”" for w in words) + "没有看懂，已忽略。）"
        answer.text = "\n".join(filter(None, [head, note, rest]))
    return answer


def _plan(db: sqlite_utils.Database, q: Question, index: AgencyIndex, chosen: str | None,
          unread: list[str], today: datetime.date) -> Answer:
    odd = leftover.not_a_figure(unread) if (q.choice.metric or q.choice.rate) else None
    if q.intent == "flags":
        named = _agencies(db, q, index, chosen) if q.mentions else _Named([])
        return named.problem or _taken(auditq.flagged_cells(db, q, named.names, pick_report), named.taken)
    if q.intent == "failed_checks":
        return auditq.failed_checks(db, q, index)
    if q.intent == "missing":
        return auditq.missing(db, q, index, today)
    if q.intent == "ranking":
        unknown = _unknown_scope(q, index)
        if unknown:  # "塘定各部门": never widened silently to every agency held
            return _not_found(q, Resolution(note=f"没有找到“{unknown}”这个地方的单位，无法在那里排名"))
        return _not_held(q, None, [odd], q.choice) if odd else multi.ranking(db, q, index)
    named = _agencies(db, q, index, chosen)
    if named.problem is not None:
        return named.problem
    unit_name = next((w for w in unread if _AGENCY_WORD.search(w)), None)
    if unit_name and chosen is None:  # "平潭综合实验区经济发展局": not the region's government
        return _not_found(q, Resolution(note=f"没有找到“{unit_name}”（问题里的{'、'.join(named.names)}之外还写了这个单位名）",
                                        suggestions=named.names))
    return _taken(_for_agencies(db, q, named.names, unread, odd), named.taken)


_SCOPE_WORD = re.compile(r"(?:市|区|县|省)?各(?:部门|单位|区县|县区|地|个单位)")


def _unknown_scope(q: Question, index: AgencyIndex) -> str:
    """The words right before 各部门/各单位/各区县 that no place or agency matched ("塘定各部门",
    "聊成各部门" when the typo is not corrected): a ranking there must not become a ranking of all."""
    if q.mentions:
        return ""
    phrase = index.fuzzy_phrase(q.text)
    if phrase and re.search(re.escape(phrase) + _SCOPE_WORD.pattern, q.text):
        return phrase
    return ""


def _taken(answer: Answer, taken: list[str]) -> Answer:
    """An agency read from a name that did not match exactly is said right under the headline
    (which names the agency taken), before the number is trusted."""
    if taken:
        head, _, rest = answer.text.partition("\n")
        answer.text = "\n".join(filter(None, [head, "（" + "；".join(taken) + "）", rest]))
    return answer


def _for_agencies(db: sqlite_utils.Database, q: Question, agencies: list[str], unread: list[str],
                  odd: str | None) -> Answer:
    if odd:
        return _not_held(q, agencies[0], [odd], q.choice)
    if q.intent == "why":
        return explain.received_versus_handled(db, q, agencies[0], pick_report)
    if q.choice.metric is None and q.choice.rate is None:
        if unread and q.intent in ("value", "compare", "trend"):
            return _not_held(q, agencies[0], unread, None)
        if len(agencies) == 1 and q.intent == "value" and len(q.years) <= 1:
            return _overview(db, q, agencies[0])
        if q.intent != "trend":
            return _no_metric(q, agencies)
        # "淄博城管局趋势": the headline figure of a report is the applications it received
        q.choice = MetricChoice(metric=NEW, notes=["未指定指标，默认显示本年新收申请数"])
    if len(agencies) >= 2:
        return multi.compare_agencies(db, q, agencies)
    agency = agencies[0]
    if q.intent == "trend":
        return multi.trend(db, q, agency)
    if q.versus_previous and not q.years:  # "申请数同比": the latest report against the one before
        latest = queries.reports_of_agency(db, agency)
        if latest:
            q.years = [latest[-1]["year"], latest[-1]["year"] - 1]
    if len(q.years) >= 2:
        return multi.compare_years(db, q, agency)
    return single(db, q, agency)


# ------------------------------------------------------------------------------ agencies


_AGENCY_WORD = re.compile(r"(局|委|办|厅|院|署|室|处|所|站|队|会|中心|公司|集团)$")
"""An ignored word shaped like an agency's name: the agency asked for is not in the database."""


@dataclass
class _Named:
    """The agencies a question names, or the clarify/not_found answer to give instead, and how
    names that did not match exactly were read ("按“上海市人民政府办公厅”理解")."""

    names: list[str]
    problem: Answer | None = None
    taken: list[str] = field(default_factory=list)


def _agencies(db: sqlite_utils.Database, q: Question, index: AgencyIndex, chosen: str | None) -> _Named:
    phrases = [m.phrase for m in q.mentions]
    resolutions = [index.resolve(m) for m in q.mentions]
    if not resolutions:
        phrase = index.fuzzy_phrase(q.text)
        fuzzy = index.fuzzy(phrase, ())
        resolutions, phrases = ([fuzzy], [phrase]) if (fuzzy.agency or fuzzy.candidates or fuzzy.suggestions) else ([], [])
    if chosen is not None:
        names, problem = _apply_choice(resolutions, chosen, index)
        return _Named(names, problem)
    for r in resolutions:
        if r.candidates:
            return _Named([], _clarify(db, q, r))
    taken = [r.note for r in resolutions if r.agency and r.note]
    for n, r in enumerate(resolutions):
        if not r.agency:
            meant = _clearly_meant(phrases[n], r, index)
            if meant is None:
                return _Named([], _not_found(q, r))
            resolutions[n] = Resolution(agency=meant, places=r.places)
            taken.append(f"问题中的“{phrases[n]}”没有完全对上，按相近的单位“{meant}”回答")
    if not resolutions:
        return _Named([], _not_found(q, Resolution(suggestions=[])))
    return _Named(list(dict.fromkeys(r.agency for r in resolutions if r.agency)), None, taken)


def _clearly_meant(phrase: str, r: Resolution, index: AgencyIndex) -> str | None:
    """The one "相近的单位" when it is plainly the one meant: the only suggestion, in every
    place the question names, and containing the rest of the written name in order
    ("上海市办公厅" → 上海市人民政府办公厅).  Several suggestions, or one elsewhere, stay a question."""
    if len(r.suggestions) != 1 or not phrase:
        return None
    name = r.suggestions[0]
    if not all(place in name for place in r.places):  # canonical names carry their whole place chain
        return None
    rest = phrase
    for place in sorted(r.places, key=len, reverse=True):
        rest = re.sub(re.escape(place) + "(市|区|县|省)?", "", rest, count=1)
    if _another_organ(rest, name, index):  # 上海市政府 is not 上海市人民政府办公厅: a different body
        return None
    return name if len(rest) >= 2 and (_in_order(rest, canonical(name)) or _in_order(rest, name)) else None


def _another_organ(written: str, name: str, index: AgencyIndex) -> bool:
    """The written rest of a name is itself an organ (政府, 统计局) other than the suggestion's."""
    organ, _ = read_organ(written)
    entry = index.named(name)
    return organ is not None and entry is not None and organ.key != entry.organ


def _in_order(chars: str, name: str) -> bool:
    """Every character of ``chars`` appears in ``name`` in the same order (a shortened name)."""
    it = iter(name)
    return all(c in it for c in chars)


def _apply_choice(resolutions: list[Resolution], chosen: str, index: AgencyIndex) -> tuple[list[str], Answer | None]:
    if index.named(chosen) is None:
        return [], Answer(status="not_found", text=f"数据库里没有“{chosen}”。")
    names = [r.agency for r in resolutions]
    slot = next((i for i, r in enumerate(resolutions) if not r.agency), 0)
    if names:
        names[slot] = chosen
    else:
        names = [chosen]
    return [n for n in dict.fromkeys(names) if n], None


CHECKED = 60
"""Candidates of a clarify looked up for the year asked."""


def _clarify(db: sqlite_utils.Database, q: Question, r: Resolution) -> Answer:
    """Several agencies fit: those that have the year asked come first, and those without it
    are named, so the user does not pick one only to hear it has no such report."""
    candidates = list(r.candidates)
    without: list[str] = []
    if q.years:  # the first CHECKED (328 城管局 nationwide need not all be looked up to show 8)
        checked, rest = candidates[:CHECKED], candidates[CHECKED:]
        having = queries.agencies_with_year(db, checked, q.years[0])
        without = [c for c in checked if c not in having]
        candidates = [c for c in checked if c in having] + without + rest
    shown = candidates[:8]
    without = [c for c in without if c in shown]
    more = f"等{len(candidates)}个" if len(candidates) > len(shown) else ""
    asks = "问题里的单位对应多个" + more if len(candidates) > 1 else "问题里的单位没有完全对上，是指这个吗"
    text = (f"{asks}，请选择或说出全称：{'、'.join(shown)}。"
            f"\n例如：{shown[0]}{q.years[0] if q.years else ''}{'年' if q.years else ''}收到多少申请")
    if without:
        text += f"\n其中没有{q.years[0]}年报告的：{'、'.join(without)}。"
    return Answer(status="clarify", text=text, candidates=candidates[:20],
                  year=q.years[0] if q.years else None, kind="help")


def _not_found(q: Question, r: Resolution) -> Answer:
    """No agency fits; the close ones are offered as candidates a console user picks by number."""
    what = r.note or "没有找到问题中的单位"
    near = f"相近的单位：{'、'.join(r.suggestions)}。" if r.suggestions else ""
    understood = _understood(q)
    return Answer(status="not_found", kind="help", candidates=list(r.suggestions),
                  text=help_text(understood, f"{what}。{near}请写出单位全称（如“聊城市城市管理局”）。"))


def _understood(q: Question) -> list[str]:
    out = []
    if q.years:
        out.append("年份 " + "、".join(str(y) for y in q.years))
    if q.choice.metric:
        out.append("要查 " + q.choice.metric.label)
    if q.choice.rate:
        out.append("要查 " + q.choice.rate.label)
    return out


def _overview(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    """A report named without a figure ("聊城市大数据局2019年报告"): its headline numbers."""
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem:
        return problem
    assert report is not None
    return overview.overview(db, report=report, agency=agency, note=note)


HOLDINGS = ("年度报告只统计这些数字：收到和处理政府信息公开申请（本年新收、上年结转，予以公开、部分公开、不予公开、"
            "无法提供、不予处理、其他处理，结转下年度；可按申请人分列），主动公开（规章、规范性文件，行政许可、"
            "行政处罚、行政强制，行政事业性收费，2019版表格的政府集中采购），行政复议和行政诉讼（维持、纠正、"
            "其他结果、尚未审结）。")


def _not_held(q: Question, agency: str | None, words: list[str], choice: MetricChoice | None) -> Answer:
    """A figure the reports do not contain: no_data that names what they do hold, never the
    overview and never the nearest figure (收费标准 is not 收费金额)."""
    year = q.years[0] if q.years else None
    whose = f"{agency or ''}{f'{year}年' if year else ''}"
    asked = "、".join(f"“{_with_its_figure(q.masked, w)}”" for w in words)
    if choice is not None:
        figure = (choice.rate or choice.metric).label  # type: ignore[union-attr]
        why = f"{whose}年度报告里没有{asked}这类内容（问的不是“{figure}”这个数字）。"
    else:
        why = f"{whose}年度报告里没有{asked}这一项（这些词没有看懂）。"
    return Answer(status="no_data", kind="help", agency=agency, year=year, text=why + "\n" + HOLDINGS)


def _with_its_figure(text: str, word: str) -> str:
    """"标准" quoted as the user wrote it, "收费标准", when the two characters before it are a word."""
    m = re.search(r"([\u4e00-\u9fff]{2})" + re.escape(word), text)
    return m.group(0) if m and not re.search(r"[的是有在了和与]", m.group(1)) else word


def _no_metric(q: Question, agencies: list[str]) -> Answer:
    understood = ["单位 " + "、".join(agencies)] + _understood(q)
    return Answer(status="not_found", kind="help", agency=agencies[0], year=q.years[0] if q.years else None,
                  text=help_text(understood, "没看懂要查哪一项数据（如收到申请数、予以公开、行政复议、采购总金额）。"))


# ------------------------------------------------------------------------------ one number


def pick_report(db: sqlite_utils.Database, agency: str, year: int | None) -> tuple[dict | None, str, Answer | None]:
    """The report to answer from, a note about the year used, or a no_data answer."""
    if year is not None:
        report = queries.current_report(db, agency, year)
        if report:
            return report, "", None
        held = queries.report_years(db, agency)
        have = "、".join(f"{y}年" for y in held) or "无"
        return None, "", Answer(status="no_data", agency=agency, year=year,
                                text=f"没有{agency}{year}年的年度报告。数据库中已有的年份：{have}。")
    reports = queries.reports_of_agency(db, agency)
    if not reports:
        return None, "", Answer(status="no_data", agency=agency, text=f"数据库里还没有{agency}的年度报告。")
    latest = reports[-1]
    return latest, f"（未指定年份，使用最新的{latest['year']}年报告）", None


def single(db: sqlite_utils.Database, q: Question, agency: str) -> Answer:
    report, note, problem = pick_report(db, agency, q.years[0] if q.years else None)
    if problem:
        return problem
    assert report is not None
    if q.choice.rate:
        return rate(db, q, agency, report, note)
    metric = q.choice.metric
    assert metric is not None
    if q.choice.breakdown:
        return breakdown.breakdown(db, report, agency, metric, q.choice.breakdown, note)
    ev = evaluate(db, report, metric, q.choice.columns)
    label = _label(metric, q)
    if not ev.ok:
        return Answer(status="no_data", agency=agency, year=report["year"], cells=ev.keys,
                      text=f"{agency}{report['year']}年没有“{label}”的数据：{ev.problem}",
                      caveats=caveats_of(db, report, ev))
    unit = unit_of(ev.keys[0])
    src = source_of(report, ev, metric.table)
    formula = " + ".join(ev.keys) if len(ev.keys) > 1 else ""
    caveats = caveats_of(db, report, ev)
    value, shown = ev.value, f"{fmt_number(ev.value)} {unit}"
    asked = units.asked_unit(q.text, unit)
    if asked is not None and value is not None:
        value, shown = units.converted(value, unit, asked)
        unit = asked[0]
    text = f"{agency}{report['year']}年{label}：{shown}{note}。"
    if formula:
        text += f"\n（{len(ev.keys)}项之和：" + " + ".join(fmt_number(ev.cells[k]["value"] or 0) for k in ev.keys) + "）"
    text = "\n".join(filter(None, [text, source_text(src), *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", text=text, value=value, unit=unit, agency=agency, year=report["year"],
                  cells=ev.keys, formula=formula, source=src, caveats=caveats)


def _label(metric: Metric, q: Question) -> str:
    if q.choice.column_named:
        return f"{metric.label}（{column_label(q.choice.columns)}）"
    return metric.label


def rate(db: sqlite_utils.Database, q: Question, agency: str, report: dict, note: str) -> Answer:
    r = q.choice.rate
    assert r is not None
    num, den, value = evaluate_rate(db, report, r)
    year = report["year"]
    for ev in (num, den):
        if not ev.ok:
            return Answer(status="no_data", agency=agency, year=year, kind="rate",
                          text=f"{agency}{year}年无法计算{r.label}：{ev.problem}")
    if value is None:
        return Answer(status="no_data", agency=agency, year=year, kind="rate", formula=r.formula,
                      cells=num.keys + den.keys,
                      text=f"{agency}{year}年无法计算{r.label}：分母（{r.denominator.label}）为0。{r.formula}")
    formula = f"{r.formula} = {fmt_number(num.value)} / {fmt_number(den.value)} = {value}%"
    both = joined(num, den)
    src = source_of(report, both, r.numerator.table)
    caveats = caveats_of(db, report, both)
    text = "\n".join(filter(None, [f"{agency}{year}年{r.label}：{value}%{note}。\n{formula}", source_text(src),
                                   *(f"⚠ {c}" for c in caveats)]))
    return Answer(status="answer", kind="rate", text=text, value=value, unit="%", agency=agency, year=year,
                  cells=num.keys + den.keys, formula=formula, source=src, caveats=caveats)
