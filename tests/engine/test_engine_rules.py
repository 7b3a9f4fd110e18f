"""Rules no preset needs but the engine must support, and the two-step evaluation.

A small monthly scheme exercises per-item `max_times` and `cap` (per period and per year),
a yearly bonus cap, the `sum` annual mode and veto effects; expected values by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jifen.engine import (
    Aggregate,
    EntryError,
    Occurrence,
    aggregate_entries,
    evaluate,
    evaluate_aggregates,
    load_scheme,
    parse_scheme,
)

LIMITS = parse_scheme(
    """
code = "limits"
name = "限额测试"
scoring_period = "month"
bonus_cap = 5
bonus_cap_per_year = true
deduction_limit = 3

[annual]
mode = "sum"

[[dimensions]]
code = "act"
name = "活动"
start = 0
floor = 0
cap = 20

[[items]]
code = "meeting"
name = "参加会议（每月最多2次）"
dimension = "act"
points = 3
max_times = 2

[[items]]
code = "study"
name = "集中学习（每年最多5次）"
dimension = "act"
points = 2
max_times = 5
max_times_per = "year"

[[items]]
code = "help"
name = "帮扶（每年最多6分）"
dimension = "act"
points = 4
cap = 6
cap_per = "year"

[[items]]
code = "share"
name = "分享（每月最多1.5分）"
dimension = "act"
kind = "range"
min = 0.5
max = 1
cap = 1.5

[[items]]
code = "praise"
name = "表扬"
dimension = "bonus"
points = 2

[[items]]
code = "late"
name = "迟到"
dimension = "deduction"
points = -1

[[items]]
code = "zero_out"
name = "否决"
veto = "zero"
""",
    "limits.toml",
)


def _run(as_entries, rows, period):
    evaluation = evaluate(LIMITS, None, as_entries(rows), period)
    return {result.member.id: result for result in evaluation.results}


def test_occurrences_past_max_times_per_period_are_kept_but_not_counted(as_entries) -> None:
    rows = [
        ("m1", "2026-01-20", "meeting"),
        ("m1", "2026-01-05", "meeting", "", "2"),
    ]
    m1 = _run(as_entries, rows, "2026-01")["m1"]
    # Three occurrences, two count (the earliest: the 5 January entry, quantity 2): 2 × 3 = 6.
    assert m1.total == D(6)
    (part,) = m1.periods[0].dimensions[0].items
    assert (part.raw, part.amount, part.count) == (D(9), D(6), 3)
    assert [(s.occurred_on, s.seq, s.quantity) for s in part.not_counted] == [
        (date(2026, 1, 20), 2, 1)
    ]


def test_a_year_scoped_max_times_reads_earlier_months(as_entries) -> None:
    rows = [("m1", "2026-01-10", "study", "", "3"), ("m1", "2026-02-10", "study", "", "3")]
    # January counts 3 × 2 = 6; February only 2 of 3 (5 a year): 4.
    assert _run(as_entries, rows, "2026-02")["m1"].total == D(4)
    # The year (sum): 6 + 4 = 10.
    assert _run(as_entries, rows, "2026")["m1"].total == D(10)


def test_an_item_cap_per_year_and_per_period(as_entries) -> None:
    rows = [
        ("m1", "2026-01-10", "help"),
        ("m1", "2026-02-10", "help"),
        ("m1", "2026-03-10", "share", "1", "2"),
    ]
    results = _run(as_entries, rows, "2026")
    # help: January 4; February 4 but 6 a year: 2. share: 1 × 2 = 2, capped at 1.5 a month.
    # Year (sum): 4 + 2 + 1.5 = 7.5.
    assert results["m1"].total == D("7.5")
    assert _run(as_entries, rows, "2026-02")["m1"].total == D(2)


def test_a_yearly_bonus_cap_and_a_deduction_limit(as_entries) -> None:
    rows = [
        ("m1", "2026-01-10", "praise", "", "2"),
        ("m1", "2026-02-10", "praise", "", "2"),
        ("m1", "2026-02-11", "late", "", "5"),
    ]
    periods = _run(as_entries, rows, "2026-Q1")["m1"].periods
    # January bonus 4; February 4 but only 5 − 4 = 1 left in the year. Deductions −5 → −3.
    assert [(p.bonus.value, p.deductions.value) for p in periods] == [
        (D(4), D(0)), (D(1), D(-3)), (D(0), D(0))
    ]  # fmt: skip
    assert [step.kind for step in periods[1].bonus.steps] == ["bonus_cap_year"]


def test_a_zero_veto_in_a_sum_year_zeroes_the_year_but_not_other_months(as_entries) -> None:
    rows = [("m1", "2026-01-10", "meeting"), ("m1", "2026-03-10", "zero_out")]
    assert _run(as_entries, rows, "2026")["m1"].total == D(0)
    assert _run(as_entries, rows, "2026-01")["m1"].total == D(3)


# ------------------------------------------------------------ (a) + (b)


def _same(left, right) -> None:
    def flat(evaluation):
        return [
            (r.member.id, r.total, r.grade, r.veto, r.dimensions, r.bonus, r.deductions, r.rank)
            for r in evaluation.results
        ]

    assert flat(left) == flat(right)


def test_hand_built_aggregates_give_what_raw_entries_give(as_entries) -> None:
    scheme = load_scheme("s002")
    rows = [
        ("m1", "2026-02-10", "honor_municipal", "", "", "劳模"),
        ("m1", "2026-03-01", "study_absent", "", "2"),
        ("m1", "2026-03-09", "study_absent"),
        ("m1", "2026-08-01", "honor_national", "", "", "劳模"),
        ("m2", "2026-05-05", "veto_safety"),
    ]
    raw = evaluate(scheme, None, as_entries(rows), "2026")
    # What a GROUP BY (member, period, item, honor_key) over the ledger returns:
    day = date.fromisoformat
    aggregates = [
        Aggregate("m2", "2026-Q2", "veto_safety", "", D(0), 1, D(0), day("2026-05-05"), 6),
        Aggregate("m1", "2026-Q3", "honor_national", "劳模", D(8), 1, D(8), day("2026-08-01"), 5),
        Aggregate("m1", "2026-Q1", "study_absent", "", D(-3), 3, D(-1), day("2026-03-01"), 3),
        Aggregate("m1", "2026-Q1", "honor_municipal", "劳模", D(3), 1, D(3), day("2026-02-10"), 2),
    ]
    _same(raw, evaluate_aggregates(scheme, None, aggregates, "2026"))
    # Q1 97 + 3 = 100, Q2 100, Q3 100 + (8 − 3) = 105, Q4 100: 405 / 4 = 101.25.
    assert [r.total for r in raw.results if r.member.id == "m1"] == [D("101.25")]


def test_step_a_then_step_b_is_evaluate_whatever_the_order_of_aggregates(as_entries) -> None:
    rows = [
        ("m1", "2026-01-20", "meeting"),
        ("m1", "2026-01-05", "meeting", "", "2"),
        ("m1", "2026-02-10", "study", "", "6"),
        ("m2", "2026-02-11", "late"),
    ]
    aggregates = aggregate_entries(LIMITS, None, as_entries(rows), "2026")
    assert all(a.occurrences for a in aggregates if a.item in ("meeting", "study"))
    assert all(not a.occurrences for a in aggregates if a.item == "late")
    _same(
        evaluate(LIMITS, None, as_entries(rows), "2026"),
        evaluate_aggregates(LIMITS, None, list(reversed(aggregates)), "2026"),
    )


def test_aggregates_of_a_max_times_item_must_carry_their_occurrences() -> None:
    bare = Aggregate("m1", "2026-01", "meeting", "", D(9), 3, D(3), date(2026, 1, 5), 2)
    with pytest.raises(ValueError, match="must carry its occurrences"):
        evaluate_aggregates(LIMITS, None, [bare], "2026-01")
    full = Aggregate(
        "m1", "2026-01", "meeting", "", D(9), 3, D(3), date(2026, 1, 5), 2,
        (Occurrence(date(2026, 1, 5), 2, D(3), 3),),
    )  # fmt: skip
    (result,) = evaluate_aggregates(LIMITS, None, [full], "2026-01").results
    assert result.total == D(6)  # the first two occurrences of three


def test_an_aggregate_for_a_member_not_in_the_list_is_bad_input(people) -> None:
    stray = Aggregate("zz", "2026-01", "late", "", D(-1), 1, D(-1), date(2026, 1, 5), 7)
    with pytest.raises(EntryError, match=r"第7行 \(row 7\): 党员 'zz' 不在党员名单中"):
        evaluate_aggregates(LIMITS, [people("m1")], [stray], "2026")


# ------------------------------------------------------------ entry validation


@pytest.mark.parametrize(
    ("scheme", "row", "reason"),
    [
        ("s002", ("m1", "2026-01-01", "no_such_item"), "unknown item"),
        ("s001", ("m1", "2026-01-01", "misconduct", "-13"), "outside the item's range"),
        ("s001", ("m1", "2026-01-01", "misconduct"), "points required for a range item"),
        ("s003", ("m1", "2026-01-01", "contrib_recognized", "2.555"), "more than two decimal"),
        ("s002", ("m1", "2026-01-01", "study_absent", "-2"), "must be empty or its value"),
        ("s002", ("m1", "2026-01-01", "study_other", "1"), "points of the wrong sign"),
        ("s002", ("m1", "2026-01-01", "honor_company"), "honor without honor_key"),
        ("s002", ("m1", "2026-01-01", "honor_company", "", "2", "k"), "quantity must be 1"),
        ("s002", ("m1", "2026-01-01", "study_absent", "", "0"), "quantity must be ≥ 1"),
        ("s002", ("m1", "2025-12-31", "study_absent"), "date outside the period's year"),
        ("s000a", ("m1", "2026-01-01", "base_assessed"), "points required for a assessed"),
        ("s000a", ("m1", "2026-01-01", "base_assessed", "-1"), "0..max"),
    ],
)
def test_bad_entries_name_their_row_and_reason(as_entries, scheme, row, reason) -> None:
    with pytest.raises(EntryError) as caught:  # the bad row is the first data row: row 2
        evaluate(load_scheme(scheme), None, as_entries([row]), "2026")
    assert "第2行 (row 2)" in str(caught.value)
    assert reason in str(caught.value)


def test_every_bad_row_is_reported(as_entries) -> None:
    rows = [
        ("m1", "2026-01-01", "study_absent"),
        ("m1", "2026-01-01", "nope"),
        ("m1", "2027-01-01", "study_absent"),
    ]
    with pytest.raises(EntryError) as caught:
        evaluate(load_scheme("s002"), None, as_entries(rows), "2026-Q1")
    assert [problem.where for problem in caught.value.problems] == [
        "第3行 (row 3)",
        "第4行 (row 4)",
    ]


def test_an_entry_for_a_member_not_in_the_list_is_bad_input(as_entries, people) -> None:
    rows = [("m1", "2026-01-01", "study_absent"), ("m9", "2026-01-01", "study_absent")]
    with pytest.raises(EntryError, match=r"第3行 \(row 3\): 党员 'm9' 不在党员名单中"):
        evaluate(load_scheme("s002"), [people("m1")], as_entries(rows), "2026")


def test_a_member_managed_outside_the_request_is_left_out(as_entries, people) -> None:
    rows = [("m1", "2026-01-01", "study_absent")]
    members = [people("m1"), people("m2", managed_to="2026-03-31")]
    evaluation = evaluate(load_scheme("s002"), members, as_entries(rows), "2026-Q2")
    assert [result.member.id for result in evaluation.results] == ["m1"]


# ------------------------------------------------------------ annual rules


def test_configured_weights_of_a_weighted_mean(as_entries) -> None:
    scheme = parse_scheme(
        'code = "w"\nname = "加权"\nscoring_period = "quarter"\n'
        '[annual]\nmode = "weighted_mean"\nweights = [1, 1, 2, 2]\n'
        '[[dimensions]]\ncode = "d"\nname = "板块"\nstart = 10\nfloor = 0\ncap = 10\n'
        '[[items]]\ncode = "miss"\nname = "缺席"\ndimension = "d"\npoints = -1\n',
        "w.toml",
    )
    rows = [("m1", "2026-02-01", "miss", "", "3"), ("m1", "2026-11-01", "miss")]
    results = {r.member.id: r for r in evaluate(scheme, None, as_entries(rows), "2026").results}
    # Quarters 7, 10, 10, 9 weighted 1, 1, 2, 2: (7 + 10 + 20 + 18) / 6 = 55 / 6 → 9.17.
    assert results["m1"].total == D("9.17")
    h2 = evaluate(scheme, None, as_entries(rows), "2026-H2").results[0]
    # H2: (10 × 2 + 9 × 2) / 4 = 9.5.
    assert h2.total == D("9.5")


ANNUAL_PART = """
code = "yr"
name = "年度板块"
scoring_period = "half"
[annual]
mode = "{mode}"
{components}
[[dimensions]]
code = "daily"
name = "日常"
start = 50
floor = 0
cap = 60
[[dimensions]]
code = "review"
name = "年度评议"
start = 0
floor = 0
cap = 40
annual_only = true
[[items]]
code = "good"
name = "好事"
dimension = "daily"
points = 5
[[items]]
code = "gift"
name = "奖励"
dimension = "bonus"
points = 1
[[items]]
code = "review_score"
name = "评议"
dimension = "review"
kind = "assessed"
max = 40
annual_only = true
"""
COMPONENTS = (
    '[[annual.components]]\nsource = "periods"\nweight = 0.6\n'
    '[[annual.components]]\nsource = "review"\nweight = 0.4\n'
)
YEAR_ROWS = [
    ("m1", "2026-03-01", "good", "", "3"),
    ("m1", "2026-04-01", "gift", "", "3"),
    ("m1", "2026-12-01", "review_score", "33"),
]


def test_annual_only_dimensions_add_to_a_mean_year(as_entries) -> None:
    scheme = parse_scheme(ANNUAL_PART.format(mode="mean", components=""), "yr.toml")
    (m1,) = evaluate(scheme, None, as_entries(YEAR_ROWS), "2026").results
    # H1: daily 50 + 15 = 65 → cap 60, bonus 3: 63. H2: 50. Mean (63 + 50) / 2 = 56.5;
    # plus the annual review 33: 89.5.
    assert (m1.total, m1.dimensions) == (D("89.5"), {"daily": D(55), "review": D(33)})
    (h2,) = evaluate(scheme, None, as_entries(YEAR_ROWS), "2026-H2").results
    assert (h2.total, h2.dimensions) == (D(50), {"daily": D(50)})  # no review in a half


def test_a_composite_may_weight_the_mean_of_the_period_totals(as_entries) -> None:
    scheme = parse_scheme(ANNUAL_PART.format(mode="composite", components=COMPONENTS), "yr.toml")
    (m1,) = evaluate(scheme, None, as_entries(YEAR_ROWS), "2026").results
    # periods: (63 + 50) / 2 = 56.5; 0.6 × 56.5 + 0.4 × 33 = 33.9 + 13.2 = 47.1.
    assert m1.total == D("47.1")
    assert [c.method for c in m1.combinations] == ["mean", "composite"]


def test_an_item_for_another_category_is_bad_input(as_entries, people) -> None:
    scheme = parse_scheme(
        'code = "c"\nname = "类别"\nscoring_period = "year"\n[annual]\nmode = "same"\n'
        '[[categories]]\ncode = "A"\nname = "甲类"\n[[categories]]\ncode = "B"\nname = "乙类"\n'
        '[[items]]\ncode = "lead"\nname = "带头"\ndimension = "bonus"\npoints = 2\n'
        'categories = ["A"]\n',
        "c.toml",
    )
    rows = [("a", "2026-01-01", "lead"), ("b", "2026-01-01", "lead")]
    members = [people("a", "甲类"), people("b", "B")]
    with pytest.raises(EntryError, match=r"第3行 \(row 3\): 项目 'lead' 不适用于类别 'B'"):
        evaluate(scheme, members, as_entries(rows), "2026")
    (a,) = evaluate(scheme, members[:1], as_entries(rows[:1]), "2026").results
    assert a.total == D(2)


def test_a_discretionary_item_may_limit_one_occurrence(as_entries) -> None:
    scheme = parse_scheme(
        'code = "d"\nname = "酌情"\nscoring_period = "year"\n[annual]\nmode = "same"\n'
        '[[items]]\ncode = "extra"\nname = "酌情加分"\ndimension = "bonus"\n'
        'kind = "discretionary"\nsign = "+"\nmax = 3\n',
        "d.toml",
    )
    with pytest.raises(EntryError, match="points above max"):
        evaluate(scheme, None, as_entries([("m1", "2026-01-01", "extra", "3.5")]), "2026")
    (m1,) = evaluate(
        scheme, None, as_entries([("m1", "2026-01-01", "extra", "3", "2")]), "2026"
    ).results
    assert m1.total == D(6)  # 3 per occurrence × 2


def test_a_yearly_scheme_adds_its_annual_only_dimension(as_entries) -> None:
    text = ANNUAL_PART.format(mode="same", components="").replace(
        'scoring_period = "half"', 'scoring_period = "year"'
    )
    scheme = parse_scheme(text, "yr.toml")
    (m1,) = evaluate(scheme, None, as_entries(YEAR_ROWS), "2026").results
    # The year: daily 50 + 15 = 65 → 60, bonus 3: 63; plus the review 33: 96.
    assert (m1.total, m1.dimensions) == (D(96), {"daily": D(60), "review": D(33)})
    (h1,) = evaluate(scheme, None, as_entries(YEAR_ROWS), "2026-H1").results
    assert h1.total == D(63)  # the year to 30 June: no annual review yet


def test_an_aggregate_of_an_unknown_item_is_bad_input() -> None:
    stray = Aggregate("m1", "2026-01", "retired_item", "", D(1), 1, D(1), date(2026, 1, 5), 4)
    with pytest.raises(EntryError, match=r"第4行 \(row 4\): 未知的积分项目 'retired_item'"):
        evaluate_aggregates(LIMITS, None, [stray], "2026")
