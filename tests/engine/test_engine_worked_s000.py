"""Worked examples of seed 000: s000a (百分制三板块), s000b (七成+三成), s000c (四大项).

Expected numbers are computed by hand in the comments, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jifen.engine import EntryError, evaluate, load_scheme

# ------------------------------------------------------------------ s000a


def test_s000a_a_quarter_is_the_mean_of_its_months_with_assessed_items_capped(score) -> None:
    rows = [
        ("m1", "2026-01-31", "base_assessed", "28"),
        ("m1", "2026-01-31", "task_assessed", "55"),
        ("m1", "2026-01-31", "reward_assessed", "8"),
        # Two February base entries add up to 35 but the assessed item gives at most 30.
        ("m1", "2026-02-28", "base_assessed", "20"),
        ("m1", "2026-02-28", "base_assessed", "15"),
        ("m1", "2026-02-28", "task_assessed", "40"),
        # March: no entries, so every dimension is at its start, 0.
    ]
    m1 = score("s000a", rows, "2026-Q1")["m1"]
    # January 28 + 55 + 8 = 91; February 30 + 40 + 0 = 70; March 0.
    # Total: (91 + 70 + 0) / 3 = 53.666… → 53.67, below 60: 不合格.
    assert m1.total == D("53.67")
    assert m1.grade == "不合格"
    # base (28 + 30 + 0) / 3 = 19.33; task (55 + 40 + 0) / 3 = 31.666… → 31.67;
    # reward 8 / 3 = 2.666… → 2.67.
    assert m1.dimensions == {"base": D("19.33"), "task": D("31.67"), "reward": D("2.67")}
    assert [trace.total for trace in m1.periods] == [D(91), D(70), D(0)]


def test_s000a_a_month_is_that_month(score) -> None:
    rows = [
        ("m1", "2026-02-28", "base_assessed", "20"),
        ("m1", "2026-02-28", "base_assessed", "15"),
    ]
    m1 = score("s000a", rows, "2026-02")["m1"]
    # 20 + 15 = 35, capped at the item's max 30 (and the dimension's cap 30).
    assert (m1.total, m1.dimensions["base"], m1.grade) == (D(30), D(30), "不合格")


def test_s000a_year_counts_only_the_months_under_management(score, people) -> None:
    rows = []
    for month in ("10", "11"):
        rows += [
            ("m2", f"2026-{month}-30", "base_assessed", "30"),
            ("m2", f"2026-{month}-30", "task_assessed", "60"),
            ("m2", f"2026-{month}-30", "reward_assessed", "10"),
        ]
    result = score("s000a", rows, "2026", [people("m2", managed_from="2026-10-15")])["m2"]
    # Months October, November, December count: (100 + 100 + 0) / 3 = 66.666… → 66.67 合格.
    assert (result.total, result.grade) == (D("66.67"), "合格")
    assert [trace.key for trace in result.periods] == ["2026-10", "2026-11", "2026-12"]


def test_s000a_an_assessed_value_above_the_items_max_is_bad_input(as_entries) -> None:
    rows = [("m1", "2026-01-31", "reward_assessed", "11")]
    with pytest.raises(EntryError, match=r"第2行 \(row 2\): .*0\.\.max"):
        evaluate(load_scheme("s000a"), None, as_entries(rows), "2026")


# ------------------------------------------------------------------ s000b

S000B_ROWS = [
    ("m1", "2026-01-10", "obligation_absent"),
    ("m1", "2026-01-20", "obligation_absent"),
    ("m1", "2026-03-05", "obligation_absent"),
    ("m1", "2026-03-25", "economy_contribution", "10"),
    ("m1", "2026-12-20", "annual_appraisal", "85"),
    ("m2", "2026-06-15", "veto_serious"),
    ("m2", "2026-12-20", "annual_appraisal", "90"),
]


def test_s000b_year_is_seventy_percent_daily_mean_and_thirty_percent_appraisal(score) -> None:
    m1 = score("s000b", S000B_ROWS, "2026")["m1"]
    # Daily by month: January 100 − 5 − 5 = 90; March 100 − 5 + 10 = 105, capped at 100;
    # the other ten months 100. Daily mean: (90 + 100 × 11) / 12 = 1190 / 12 = 99.1666… → 99.17.
    # Composite: 0.7 × 99.17 + 0.3 × 85 = 69.419 + 25.5 = 94.919 → 94.92, 优秀 (≥ 90).
    assert m1.total == D("94.92")
    assert m1.grade == "优秀"
    assert m1.dimensions == {"daily": D("99.17"), "appraisal": D("85")}
    assert m1.bonus == D(0) and m1.deductions == D(0)


def test_s000b_a_month_shows_the_daily_dimension_only(score) -> None:
    results = score("s000b", S000B_ROWS, "2026-01")
    # 100 − 5 − 5 = 90: 优秀 (≥ 90). The appraisal is annual only.
    assert (results["m1"].total, results["m1"].grade) == (D(90), "优秀")
    assert results["m1"].dimensions == {"daily": D(90)}
    march = score("s000b", S000B_ROWS, "2026-03")["m1"]
    # 100 − 5 + 10 = 105 → clamped to the cap 100.
    assert march.total == D(100)
    assert [step.kind for step in march.periods[0].dimensions[0].steps] == ["clamp"]


def test_s000b_a_zero_veto_makes_the_month_and_the_year_zero(score) -> None:
    results = score("s000b", S000B_ROWS, "2026")
    m2 = results["m2"]
    # June is vetoed: the year is 0 whatever the appraisal (90), grade the lowest.
    assert (m2.total, m2.grade, m2.veto) == (D(0), "不合格", "veto_serious")
    assert m2.rank == 2  # still ranked, at 0, behind m1
    june = score("s000b", S000B_ROWS, "2026-06")["m2"]
    assert (june.total, june.grade, june.veto) == (D(0), "不合格", "veto_serious")
    may = score("s000b", S000B_ROWS, "2026-05")["m2"]
    assert (may.total, may.veto) == (D(100), None)


def test_s000b_a_quarter_is_the_mean_of_its_months_without_the_appraisal(score) -> None:
    m1 = score("s000b", S000B_ROWS, "2026-Q1")["m1"]
    # (90 + 100 + 100) / 3 = 96.666… → 96.67; the annual appraisal is not part of a quarter.
    assert m1.total == D("96.67")
    assert m1.dimensions == {"daily": D("96.67")}
    q4 = score("s000b", S000B_ROWS, "2026-Q4")["m1"]
    assert q4.total == D(100)  # the December appraisal (85) does not count in Q4


# ------------------------------------------------------------------ s000c

FULL_MARKS_BUT = {
    "edu_notes": "4",
    "edu_research": "3",
    "work_ontime": "4",
    "work_results": "9",
}
ASSESSED_MAX = {
    "edu_theory": "5", "edu_training": "5", "edu_notes": "5", "edu_reflections": "5",
    "edu_research": "5", "obl_line": "5", "obl_discipline": "5", "obl_orglife": "5",
    "obl_masses": "5", "obl_ethos": "5", "work_plan": "5", "work_key": "5",
    "work_ontime": "5", "work_results": "10", "com_content": "5", "com_progress": "5",
    "com_report": "5", "com_rate": "10",
}  # fmt: skip


def _appraised(member_id: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for code, best in ASSESSED_MAX.items():
        rows.append((member_id, "2026-12-20", code, FULL_MARKS_BUT.get(code, best)))
    rows += [
        (member_id, "2026-04-01", "bonus_publication", "", "2"),
        (member_id, "2026-09-01", "bonus_innovation_outstanding"),
        (member_id, "2026-05-06", "ded_daily_error"),
    ]
    return rows


def test_s000c_year_total_is_the_four_parts_plus_bonus_and_deductions(score) -> None:
    rows = _appraised("m1") + _appraised("m2") + [("m2", "2026-08-08", "veto_critical_error")]
    rows += [("m3", "2026-03-03", "veto_disqualify"), ("m3", "2026-12-20", "edu_theory", "5")]
    rows += [("m4", "2026-12-20", "edu_theory", "5"), ("m4", "2026-07-07", "ded_police", "-20")]
    results = score("s000c", rows, "2026")
    m1, m2, m3, m4 = (results[m] for m in ("m1", "m2", "m3", "m4"))
    # education 5 + 5 + 4 + 5 + 3 = 22; obligation 25; work 5 + 5 + 4 + 9 = 23;
    # commitment 25 → 95. Bonus 2 × 2 + 5 = 9; deductions −4. Total 95 + 9 − 4 = 100: 优秀.
    assert m1.dimensions == {
        "education": D(22), "obligation": D(25), "work": D(23), "commitment": D(25)
    }  # fmt: skip
    assert (m1.bonus, m1.deductions, m1.total, m1.grade) == (D(9), D(-4), D(100), "优秀")
    # m2 as m1 but 关键工作失误 clears the work part: 95 − 23 = 72; 72 + 9 − 4 = 77: 差.
    assert m2.dimensions["work"] == D(0)
    assert (m2.total, m2.grade, m2.veto) == (D(77), "差", "veto_critical_error")
    # m3 is disqualified: no total, no rank, the lowest grade.
    assert (m3.total, m3.grade, m3.rank, m3.veto) == (None, "差", None, "veto_disqualify")
    # m4: 5 − 20 = −15 (the deduction pool has no limit): 差.
    assert (m4.total, m4.grade) == (D(-15), "差")
    assert [(r.member.id, r.rank) for r in (m1, m2, m4)] == [("m1", 1), ("m2", 2), ("m4", 3)]


def test_s000c_a_half_year_request_reads_the_year_to_date(score) -> None:
    rows = _appraised("m1")
    h1 = score("s000c", rows, "2026-H1")["m1"]
    # Up to 30 June only the publications (2 × 2 = 4) and the daily error (−4) happened:
    # the parts are still at their start, 0. Total 0 + 4 − 4 = 0.
    assert (h1.total, h1.bonus, h1.deductions) == (D(0), D(4), D(-4))
    assert h1.periods[0].end.isoformat() == "2026-06-30"
