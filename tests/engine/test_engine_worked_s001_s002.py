"""Worked examples of seeds 001 (s001 十二分制) and 002 (s002 六项量化百分制).

Expected numbers are computed by hand in the comments, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

# ------------------------------------------------------------------ s001


def test_s001_deductions_stop_at_twelve_and_bonuses_have_no_cap(score) -> None:
    rows = [
        ("m1", "2026-02-05", "absent_unexcused", "", "3"),
        ("m1", "2026-04-05", "dues_late", "", "2"),
        ("m1", "2026-06-05", "misconduct", "-5"),
        ("m1", "2026-07-05", "volunteer", "", "2"),
        ("m1", "2026-08-05", "honor_county", "", "", "县优秀党员"),
        ("m2", "2026-03-01", "key_work", "", "4"),
        ("m2", "2026-05-01", "emergency"),
        ("m2", "2026-06-01", "honor_county", "", "", "抗洪"),
        ("m2", "2026-06-01", "honor_city", "", "", "抗洪"),
    ]
    results = score("s001", rows, "2026")
    m1, m2 = results["m1"], results["m2"]
    # m1 deductions: 3 × −2 + 2 × −3 − 5 = −17, limited to −12. Bonus: 2 × 1 + 3 = 5.
    # Total: 12 + 5 − 12 = 5. No grade bands: grade null.
    assert (m1.deductions, m1.bonus, m1.total, m1.grade) == (D(-12), D(5), D(5), None)
    assert m1.dimensions == {}
    # m2: 4 × 2 + 3 + 3 + 4 = 18 (honors are not de-duplicated in s001); total 12 + 18 = 30.
    assert (m2.bonus, m2.total) == (D(18), D(30))
    assert (m2.rank, m1.rank) == (1, 2)


@pytest.mark.parametrize(
    "veto", ["veto_drugs", "veto_vice", "veto_cult", "veto_criminal", "veto_other"]
)
def test_s001_each_of_the_five_vetoes_makes_the_member_unqualified_and_keeps_the_score(
    score, veto: str
) -> None:
    rows = [
        ("m1", "2026-05-01", veto),
        ("m1", "2026-06-01", "volunteer"),
        ("m2", "2026-01-01", "praise"),
    ]
    results = score("s001", rows, "2026")
    m1 = results["m1"]
    # 12 + 1 = 13 is kept; the grade is forced to 不合格 (the scheme has no bands).
    assert (m1.total, m1.grade, m1.veto, m1.rank) == (D(13), "不合格", veto, 1)
    assert (results["m2"].total, results["m2"].grade, results["m2"].rank) == (D(13), None, 1)


def test_s001_several_vetoes_show_the_earliest_by_date_then_input_order(score) -> None:
    rows = [
        ("m1", "2026-05-01", "veto_cult"),
        ("m1", "2026-03-01", "veto_criminal"),
        ("m2", "2026-04-01", "veto_vice"),
        ("m2", "2026-04-01", "veto_drugs"),
    ]
    results = score("s001", rows, "2026")
    assert results["m1"].veto == "veto_criminal"  # 1 March is before 1 May
    assert results["m2"].veto == "veto_vice"  # same day: the row read first
    assert [hit.item for hit in results["m1"].vetoes] == ["veto_criminal", "veto_cult"]


def test_s001_ranks_within_the_organisation_and_each_category(score, people) -> None:
    rows = [
        ("a", "2026-02-01", "volunteer", "", "3"),  # 15
        ("b", "2026-02-01", "volunteer", "", "3"),  # 15
        ("c", "2026-02-01", "absent_leave"),  # 11
        ("d", "2026-02-01", "key_work"),  # 14
    ]
    members = [people("a", "党员"), people("b", "流动"), people("c", "党员"), people("d", "流动")]
    results = score("s001", rows, "2026", members)
    # Organisation: a 15 and b 15 share 1, d 14 is 3, c 11 is 4.
    assert {m: r.rank for m, r in results.items()} == {"a": 1, "b": 1, "d": 3, "c": 4}
    # 党员: a 15 → 1, c 11 → 2; 流动: b 15 → 1, d 14 → 2.
    assert {m: r.category_rank for m, r in results.items()} == {"a": 1, "c": 2, "b": 1, "d": 2}


# ------------------------------------------------------------------ s002

S002_ROWS = [
    # Q1: three absences from study; a municipal honor "劳模" (+3).
    ("m1", "2026-01-15", "study_absent", "", "3"),
    ("m1", "2026-02-10", "honor_municipal", "", "", "劳模"),
    # Q2: key work delayed twice (−30) and a temporary one (−5); three honors 8 + 8 + 5.
    ("m1", "2026-04-10", "perf_delay_key", "", "2"),
    ("m1", "2026-05-10", "perf_delay_temp"),
    ("m1", "2026-05-20", "honor_national", "", "", "抗洪"),
    ("m1", "2026-05-21", "honor_national", "", "", "技术能手"),
    ("m1", "2026-06-01", "honor_provincial", "", "", "青年标兵"),
    # Q3: the "劳模" honor again, now national (+8): only the difference over 3 counts.
    ("m1", "2026-08-01", "honor_national", "", "", "劳模"),
    # Q4: "劳模" at provincial level (5 < 8 already counted): nothing; one complaint (−2).
    ("m1", "2026-11-01", "honor_provincial", "", "", "劳模"),
    ("m1", "2026-11-15", "service_complaint"),
    # m2: a negative news veto in Q3.
    ("m2", "2026-08-08", "veto_negative_news"),
    # m3: a discretionary −0.5 in Q1.
    ("m3", "2026-03-03", "study_other", "-0.5"),
]


def test_s002_quarters_with_honors_caps_and_deductions_until_zero(score) -> None:
    m1 = score("s002", S002_ROWS, "2026")["m1"]
    # Q1: study 10 − 3 = 7, others full (20+20+30+10+10): 97; bonus 3 → 100.
    # Q2: performance 30 − 30 − 5 = −5 → 0 (扣完为止): 70; bonus 8 + 8 + 5 = 21 → cap 20 → 90.
    # Q3: 100; "劳模" national 8 − 3 counted in Q1 = 5 → 105.
    # Q4: service 20 − 2 = 18: 98; "劳模" provincial 5 ≤ 8: 0 → 98.
    assert [trace.total for trace in m1.periods] == [D(100), D(90), D(105), D(98)]
    assert [trace.bonus.value for trace in m1.periods] == [D(3), D(20), D(5), D(0)]
    # Year (equal weights): (100 + 90 + 105 + 98) / 4 = 393 / 4 = 98.25 → 优秀 (≥ 98).
    assert (m1.total, m1.grade) == (D("98.25"), "优秀")
    # study (7 + 10 + 10 + 10) / 4 = 9.25; service (20 × 3 + 18) / 4 = 19.5;
    # performance (30 + 0 + 30 + 30) / 4 = 22.5; bonus (3 + 20 + 5 + 0) / 4 = 7.
    assert m1.dimensions == {
        "study": D("9.25"), "service": D("19.5"), "duty": D(20),
        "performance": D("22.5"), "integrity": D(10), "promise": D(10),
    }  # fmt: skip
    assert (m1.bonus, m1.deductions) == (D(7), D(0))


def test_s002_a_later_higher_honor_adds_only_the_difference_in_its_quarter(score) -> None:
    q3 = score("s002", S002_ROWS, "2026-Q3")["m1"]
    # The Q1 honor (3) is read only for de-duplication: Q3 counts 8 − 3 = 5, total 105.
    assert (q3.total, q3.bonus) == (D(105), D(5))
    q4 = score("s002", S002_ROWS, "2026-Q4")["m1"]
    # 98 reaches the 优秀 band's min (inclusive).
    assert (q4.total, q4.bonus, q4.grade) == (D(98), D(0), "优秀")


def test_s002_a_veto_zeroes_the_quarter_and_the_year(score) -> None:
    results = score("s002", S002_ROWS, "2026")
    m2 = results["m2"]
    assert (m2.total, m2.grade, m2.veto) == (D(0), "不合格", "veto_negative_news")
    assert [trace.total for trace in m2.periods] == [D(100), D(100), D(0), D(100)]
    q2 = score("s002", S002_ROWS, "2026-Q2")["m2"]
    assert (q2.total, q2.veto) == (D(100), None)


def test_s002_the_weighted_mean_rounds_half_up(score) -> None:
    m3 = score("s002", S002_ROWS, "2026")["m3"]
    # Q1 100 − 0.5 = 99.5; then 100, 100, 100: 399.5 / 4 = 99.875 → 99.88.
    assert m3.total == D("99.88")
    # study (9.5 + 10 × 3) / 4 = 9.875 → 9.88.
    assert m3.dimensions["study"] == D("9.88")


def test_s002_a_month_request_evaluates_its_quarter_up_to_the_months_end(score) -> None:
    rows = [
        ("m5", "2026-02-01", "honor_company", "", "", "岗位明星"),
        ("m5", "2026-04-10", "duty_weak_execution"),
        ("m5", "2026-04-12", "integ_absent"),
        ("m5", "2026-05-15", "honor_municipal", "", "", "岗位明星"),
        ("m5", "2026-05-20", "promise_breach"),
        ("m5", "2026-06-05", "service_complaint"),
    ]
    m5 = score("s002", rows, "2026-05")["m5"]
    # Q2 from 1 April to 31 May: duty 20 − 2 = 18, integrity 10 − 2 = 8, promise 10 − 1 = 9;
    # the June complaint is not read: 10 + 20 + 18 + 30 + 8 + 9 = 95. Honor "岗位明星":
    # municipal 3, of which the company level 1 was counted in Q1: 3 − 1 = 2.
    # Total 95 + 2 = 97: 良好 (95 ≤ 97 < 98).
    assert (m5.total, m5.bonus, m5.grade) == (D(97), D(2), "良好")
    assert m5.dimensions["service"] == D(20)
    assert (m5.periods[0].start.isoformat(), m5.periods[0].end.isoformat()) == (
        "2026-04-01",
        "2026-05-31",
    )


def test_s002_a_member_managed_from_may_counts_three_quarters(score, people) -> None:
    rows = [("m6", "2026-03-01", "service_complaint"), ("m6", "2026-07-01", "study_notes")]
    m6 = score("s002", rows, "2026", [people("m6", managed_from="2026-05-10")])["m6"]
    # Q2, Q3, Q4 count (Q1 is before management): (100 + 99 + 100) / 3 = 99.666… → 99.67.
    assert m6.total == D("99.67")
    assert [trace.key for trace in m6.periods] == ["2026-Q2", "2026-Q3", "2026-Q4"]
