"""Worked examples of seeds 003 (s003 区级) and 004 (s004 农村党员分类积分).

Expected numbers are computed by hand in the comments, never by the engine.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jifen.engine import EntryError, evaluate, load_scheme

# ------------------------------------------------------------------ s003

S003_ROWS = [
    ("m1", "2026-03-01", "base_absent", "", "2"),
    ("m1", "2026-04-01", "base_dues_late"),
    ("m1", "2026-05-01", "contrib_volunteer", "", "3"),
    ("m1", "2026-06-01", "contrib_recognized", "4.5"),
    ("m6", "2026-02-01", "contrib_volunteer", "", "2"),
    ("m6", "2026-02-02", "contrib_recognized", "1.5"),
    ("m6", "2026-09-02", "base_dues_late"),
    ("m6", "2026-09-03", "base_absent"),
    ("m6", "2026-09-04", "base_absent"),
    ("m2", "2026-07-01", "contrib_volunteer", "", "5"),
    ("m3", "2026-08-01", "base_absent", "", "25"),
    ("m4", "2026-10-01", "veto_serious"),
    ("m5", "2026-10-01", "base_absent"),
    ("m7", "2026-10-01", "contrib_volunteer"),
]


@pytest.fixture
def s003_members(people):
    return [
        people("m1", "机关"),  # categories by their Chinese name…
        people("m6", "organ"),  # …or by their code
        people("m2", "社区"),
        people("m3", "学校"),
        people("m4", "两新组织"),
        people("m5", "机关", status="exempt"),
        people("m7", "社区", status="disqualified"),
    ]


def test_s003_year_grades_and_ranks_by_organisation_and_category(score, s003_members) -> None:
    results = score("s003", S003_ROWS, "2026", s003_members)
    m1, m2, m3, m4, m6 = (results[m] for m in ("m1", "m2", "m3", "m4", "m6"))
    # m1: base 100 − 2 × 2 − 3 = 93; bonus 3 × 1 + 4.5 = 7.5; total 100.5: 优秀.
    assert (m1.dimensions, m1.bonus, m1.deductions) == ({"base": D(93)}, D("7.5"), D(0))
    assert (m1.total, m1.grade) == (D("100.5"), "优秀")
    # m6: base 100 − 3 − 2 − 2 = 93; bonus 2 + 1.5 = 3.5; total 93 + 3.5 = 96.5: 优秀.
    assert (m6.total, m6.grade) == (D("96.5"), "优秀")
    # m2: base 100 (bonus is a pool, the base stays at its cap); bonus 5; total 105.
    assert (m2.dimensions["base"], m2.total) == (D(100), D(105))
    # m3: 100 − 25 × 2 = 50: 不合格.
    assert (m3.total, m3.grade) == (D(50), "不合格")
    # m4: vetoed (unqualified): 100 is kept, grade 不合格, still ranked.
    assert (m4.total, m4.grade, m4.veto) == (D(100), "不合格", "veto_serious")
    # Ranks: m2 105 → 1, m1 100.5 → 2, m4 100 → 3, m6 96.5 → 4, m3 50 → 5.
    assert {m: results[m].rank for m in ("m2", "m1", "m4", "m6", "m3")} == {
        "m2": 1, "m1": 2, "m4": 3, "m6": 4, "m3": 5
    }  # fmt: skip
    # 机关 (organ): m1 100.5 → 1, m6 96.5 → 2. Categories come out as codes.
    assert (m1.member.category, m1.category_rank, m6.category_rank) == ("organ", 1, 2)
    assert (m2.category_rank, m3.category_rank, m4.category_rank) == (1, 1, 1)


def test_s003_exempt_and_disqualified_members(score, s003_members) -> None:
    results = score("s003", S003_ROWS, "2026", s003_members)
    m5, m7 = results["m5"], results["m7"]
    # Exempt (可不纳入积分管理): total, grade and rank null.
    assert (m5.total, m5.grade, m5.rank, m5.category_rank) == (None, None, None, None)
    # Disqualified: total null, grade the lowest band, rank null.
    assert (m7.total, m7.grade, m7.rank) == (None, "不合格", None)
    # Unranked members come last, by id.
    assert list(results)[-2:] == ["m5", "m7"]


def test_s003_an_exempt_members_entries_are_still_validated(as_entries, s003_members) -> None:
    rows = [("m5", "2026-10-01", "contrib_recognized", "9")]
    with pytest.raises(EntryError, match=r"第2行 \(row 2\).*\[1, 5\]"):
        evaluate(load_scheme("s003"), s003_members, as_entries(rows), "2026")


# ------------------------------------------------------------------ s004

S004_ROWS = [
    ("m1", "2026-01-05", "flood_control"),
    ("m1", "2026-01-12", "village_cleanup", "", "2"),
    ("m1", "2026-01-20", "absent_unexcused"),
    ("m2", "2026-06-20", "new_customs"),  # before management: not counted
    ("m2", "2026-07-20", "forest_fire"),
    ("m2", "2026-08-03", "absent_unexcused", "", "35"),
]


@pytest.fixture
def s004_members(people):
    return [people("m1", "A"), people("m2", "在本村有履职能力的党员", managed_from="2026-07-15")]


def test_s004_year_is_the_mean_of_the_months(score, s004_members) -> None:
    m1 = score("s004", S004_ROWS, "2026", s004_members)["m1"]
    # January 60 + 3 + 2 × 2 − 2 = 65; the other eleven months start again at 60 (月底清零).
    # (65 + 60 × 11) / 12 = 725 / 12 = 60.4166… → 60.42. No grade bands: grade null.
    assert (m1.total, m1.grade, m1.dimensions) == (D("60.42"), None, {"base": D("60.42")})


def test_s004_a_member_managed_from_mid_year_counts_the_months_from_then(
    score, s004_members
) -> None:
    m2 = score("s004", S004_ROWS, "2026", s004_members)["m2"]
    # July (the month of 15 July) to December: 6 months. July 60 + 3 = 63; August
    # 60 − 35 × 2 = −10, floor 0; September to December 60 each.
    # (63 + 0 + 60 × 4) / 6 = 303 / 6 = 50.5.
    assert m2.total == D("50.5")
    assert [trace.key for trace in m2.periods][0] == "2026-07"
    assert len(m2.periods) == 6
    assert m2.member.category == "B"


def test_s004_a_quarter_of_a_monthly_scheme_is_the_mean_of_its_months(score, s004_members) -> None:
    results = score("s004", S004_ROWS, "2026-Q3", s004_members)
    # m2: (63 + 0 + 60) / 3 = 41. m1: 60 each month → 60.
    assert (results["m2"].total, results["m1"].total) == (D(41), D(60))
    q1 = score("s004", S004_ROWS, "2026-Q1", s004_members)
    # m1: (65 + 60 + 60) / 3 = 61.666… → 61.67; m2 is not under management in Q1: left out.
    assert q1["m1"].total == D("61.67")
    assert "m2" not in q1


def test_s004_an_unknown_category_is_bad_input(people) -> None:
    from jifen.engine import MemberError

    with pytest.raises(MemberError, match="未知的党员类别 'E'"):
        evaluate(load_scheme("s004"), [people("m1", "E")], [], "2026")
