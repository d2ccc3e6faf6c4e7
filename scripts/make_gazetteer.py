"""Generate store/data/divisions.tsv (and store/data/t2s.tsv) from a maintained package's data.

Why generated and not typed: the national table of administrative divisions (GB/T 2260) has
~3,200 units and changes every year; a hand-typed list drifts and misses counties.  The source is
the ``adcodes.csv`` that the ``cpca`` package ships (MIT).  Run it where cpca is importable or
give the wheel/CSV path:

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca && python scripts/make_gazetteer.py /tmp/cpca/cpca-0.5.5-py3-none-any.whl

The runtime never imports cpca: it reads the committed TSV.  ``t2s.tsv`` maps the traditional
forms of every character used in division, zone and organ names to the simplified ones, so that
names written in 繁體 resolve without a runtime converter (built with OpenCC when installed).
"""

from __future__ import annotations

import csv
import datetime
import io
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "store" / "data"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11", "12", "31", "50"}
ETHNIC_SUFFIX = ("自治州", "自治县", "自治旗")
PLAIN_SUFFIX = ("特别行政区", "自治区", "地区", "林区", "特区", "省", "市", "盟", "区", "县", "旗")


def read_source(arg: str | None) -> tuple[list[dict[str, str]], list[str], str]:
    """Rows of adcodes.csv, the 56 nationalities, and a description of the source."""
    if arg and arg.endswith(".whl"):
        with zipfile.ZipFile(arg) as wheel:
            adcodes = wheel.read("cpca/resources/adcodes.csv").decode("utf-8-sig")
            nations = wheel.read("cpca/resources/56_nations.csv").decode("utf-8-sig")
        version = Path(arg).name.split("-")[1]
    else:
        import importlib.metadata
        import importlib.resources

        res = importlib.resources.files("cpca") / "resources"
        adcodes = (res / "adcodes.csv").read_text("utf-8-sig")
        nations = (res / "56_nations.csv").read_text("utf-8-sig")
        version = importlib.metadata.version("cpca")
    rows = list(csv.DictReader(io.StringIO(adcodes)))
    return rows, [n.strip() for n in nations.splitlines() if n.strip()], f"cpca {version} (PyPI, MIT) cpca/resources/adcodes.csv"


def short_name(name: str, nations: list[str]) -> str:
    """淮安市 → 淮安, 凉山彝族自治州 → 凉山, 广西壮族自治区 → 广西; a one-character rest keeps the suffix (莘县)."""
    stem = name
    for suffix in ETHNIC_SUFFIX:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            changed = True
            while changed:  # 围场满族蒙古族 → 围场
                changed = False
                for nation in sorted(nations, key=len, reverse=True):
                    short = nation[:-1]  # 满族 is written 满 in names like 丰宁满族: strip both
                    for form in (nation, short + "族"):
                        if stem.endswith(form) and len(stem) - len(form) >= 2:
                            stem, changed = stem[: -len(form)], True
            return stem if len(stem) >= 2 else name
    for suffix in PLAIN_SUFFIX:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    for nation in sorted(nations, key=len, reverse=True):  # 广西壮族(自治区), 宁夏回族
        if stem.endswith(nation) and len(stem) - len(nation) >= 2:
            stem = stem[: -len(nation)]
    if stem.endswith("维吾尔"):
        stem = stem[: -3]
    return stem if len(stem) >= 2 else name


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def divisions(rows: list[dict[str, str]], nations: list[str]) -> list[tuple[str, str, str, str, str]]:
    """(code, name, short, level, parent) for every real division, placeholders left out."""
    names = {r["adcode"][:6]: r["name"].strip() for r in rows}
    out = []
    for code, name in sorted(names.items()):
        if name in PLACEHOLDERS:
            continue
        level = level_of(code)
        parent = ""
        if level == "prefecture":
            parent = code[:2] + "0000"
        elif level == "county":
            parent = code[:4] + "00"
            if code[:2] in MUNICIPALITIES or names.get(parent) in PLACEHOLDERS or parent not in names:
                parent = code[:2] + "0000"  # a municipality's district, a county under the province
        out.append((code, name, short_name(name, nations), level, parent))
    return out


def t2s_pairs(texts: list[str]) -> list[tuple[str, str]]:
    """(traditional, simplified) for every character of ``texts`` whose traditional form differs."""
    try:
        import opencc
    except ImportError:
        return []
    s2t = opencc.OpenCC("s2t.json")
    chars = sorted({ch for text in texts for ch in text})
    pairs = {}
    for ch in chars:
        trad = s2t.convert(ch)
        if trad != ch and len(trad) == 1:
            pairs[trad] = ch
    for extra_s2t in ("s2tw.json", "s2hk.json"):
        conv = opencc.OpenCC(extra_s2t)
        for ch in chars:
            trad = conv.convert(ch)
            if trad != ch and len(trad) == 1:
                pairs.setdefault(trad, ch)
    return sorted(pairs.items())


def main(argv: list[str]) -> None:
    rows, nations, source = read_source(argv[1] if len(argv) > 1 else None)
    table = divisions(rows, nations)
    today = datetime.date.today().isoformat()
    with open(DATA / "divisions.tsv", "w", encoding="utf-8", newline="") as f:
        f.write(f"# source: {source}\n# generated: {today} by scripts/make_gazetteer.py; do not edit by hand\n")
        f.write("code\tname\tshort\tlevel\tparent\n")
        for row in table:
            f.write("\t".join(row) + "\n")
    texts = [r[1] for r in table]
    for extra in ("zones.tsv", "organs.tsv"):
        path = DATA / extra
        if path.exists():
            texts.extend(ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#"))
    pairs = t2s_pairs(texts)
    with open(DATA / "t2s.tsv", "w", encoding="utf-8", newline="") as f:
        f.write(f"# traditional → simplified for the characters of division, zone and organ names\n"
                f"# generated: {today} by scripts/make_gazetteer.py with OpenCC; do not edit by hand\n")
        f.writelines(f"{t}\t{s}\n" for t, s in pairs)
    levels = {lv: sum(1 for r in table if r[3] == lv) for lv in ("province", "prefecture", "county")}
    print(f"{len(table)} divisions {levels}; {len(pairs)} traditional characters; source {source}")


if __name__ == "__main__":
    main(sys.argv)
