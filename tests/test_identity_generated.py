"""1,000 agency names drawn from the national gazetteer × the ways people write them resolve to
the agency meant or to a clarify listing it — never to another agency (tests/identity_names.py)."""

from __future__ import annotations

from tests.identity_names import run, run_questions


def test_a_thousand_written_names_never_resolve_to_another_agency(tmp_path) -> None:
    totals, by_way, bad = run(tmp_path / "names.db", 1000)
    assert sum(totals.values()) == 1000
    assert totals["WRONG"] == 0, [(c.written, c.agency) for c, r in bad if r == "WRONG"]
    assert totals["right"] + totals["clarify with it"] == 1000, bad
    assert totals["right"] >= 970  # measured 984: only typos near several places or organs clarify
    ways = {way for way, _ in by_way}
    assert ways >= {"canonical", "with province", "without city", "short place", "abbreviated organ",
                    "wrong place character", "wrong organ character", "traditional", "extra spaces"}
    assert all(by_way[(way, "right")] == sum(n for (w, _), n in by_way.items() if w == way)
               for way in ways if not way.startswith("wrong"))


def test_the_same_names_inside_questions(tmp_path) -> None:
    totals, bad = run_questions(tmp_path / "questions.db", 300)
    assert totals["WRONG"] == 0, bad
    assert totals["right"] + totals["clarify with it"] == 300, bad
