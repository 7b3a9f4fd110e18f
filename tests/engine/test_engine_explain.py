"""The explanation: every clamp, cap, uncounted occurrence, honor and veto, in Chinese."""

from __future__ import annotations

import json
from decimal import Decimal as D

from jifen.engine import evaluate, explain, load_scheme, parse_scheme, render_text


def _explain(scheme, rows, period, member_id, as_entries, members=None):
    entries = as_entries(rows)
    evaluation = evaluate(scheme, members, entries, period)
    explanation = explain(evaluation, member_id, entries)
    assert explanation is not None
    return explanation, render_text(explanation)


def test_honors_dropped_and_reduced_are_explained(as_entries) -> None:
    rows = [
        ("m1", "2026-02-10", "honor_municipal", "", "", "劳模"),
        ("m1", "2026-02-11", "honor_company", "", "", "劳模"),
        ("m1", "2026-08-01", "honor_national", "", "", "劳模"),
    ]
    e, text = _explain(load_scheme("s002"), rows, "2026", "m1", as_entries)
    q1_bonus = e.periods[0].bonus.items
    # In Q1 the company level (1) of the same honor is dropped for the municipal one (3).
    assert [(p.code, p.raw, p.amount) for p in q1_bonus] == [
        ("honor_municipal", D(3), D(3)),
        ("honor_company", D(1), D(0)),
    ]
    assert "同一荣誉「劳模」只按最高一级计分，此级不计：1.00 → 0.00" in text
    assert "荣誉「劳模」本年度此前已按 3.00 分计，升级后只加差额 5.00 分：8.00 → 5.00" in text
    # Each entry is listed under its item with its row.
    assert "- 2026-02-11 第3行 (row 3) 1.00 ×1" in text


def test_clamps_caps_and_the_annual_rounding_are_explained(as_entries) -> None:
    rows = [
        ("m1", "2026-01-10", "obligation_absent"),
        ("m1", "2026-03-05", "economy_contribution", "10"),
        ("m1", "2026-12-20", "annual_appraisal", "85"),
    ]
    e, text = _explain(load_scheme("s000b"), rows, "2026", "m1", as_entries)
    assert "板块满分 100.00，超出部分不计：110.00 → 100.00" in text
    # Daily mean: (95 + 100 × 11) / 12 = 1195 / 12 = 99.583… → 99.58;
    # composite 0.7 × 99.58 + 0.3 × 85 = 69.706 + 25.5 = 95.206 → 95.21.
    assert "÷ 12 = 99.583333…，四舍五入保留两位 = 99.58" in text
    assert "99.58×0.7 + 85.00×0.3 = 95.206，四舍五入保留两位 = 95.21" in text
    assert e.total == D("95.21")
    assert "【2026】" in text  # the annual-only part is shown as a period of its own


def test_uncounted_occurrences_are_listed(as_entries) -> None:
    scheme = parse_scheme(
        'code = "t"\nname = "测试"\nscoring_period = "month"\n[annual]\nmode = "sum"\n'
        '[[items]]\ncode = "meeting"\nname = "会议"\ndimension = "bonus"\npoints = 3\n'
        "max_times = 2\n",
        "t.toml",
    )
    rows = [("m1", "2026-01-05", "meeting", "", "2"), ("m1", "2026-01-20", "meeting")]
    e, text = _explain(scheme, rows, "2026-01", "m1", as_entries)
    assert "本项目每期最多计 2 次，另有 1 次记入台账但不计分：9.00 → 6.00" in text
    assert "2026-01-20 第3行 (row 3) 3.00 ×1：记入台账，不计分" in text
    assert e.total == D(6)


def test_vetoes_and_their_effects_are_explained(as_entries) -> None:
    rows = [
        ("m1", "2026-12-20", "work_results", "10"),
        ("m1", "2026-12-20", "work_plan", "5"),
        ("m1", "2026-08-08", "veto_critical_error"),
    ]
    e, text = _explain(load_scheme("s000c"), rows, "2026", "m1", as_entries)
    assert (
        "一票否决「关键工作失误（扣除业务工作项全部积分）」：本板块全部积分清零：15.00 → 0.00"
        in text
    )
    assert "一票否决：veto_critical_error" in text and "板块 work 清零" in text
    assert (e.total, e.veto) == (D(0), "veto_critical_error")
    zero_rows = [("m2", "2026-05-05", "veto_safety"), ("m2", "2026-01-05", "study_absent")]
    e2, text2 = _explain(load_scheme("s002"), zero_rows, "2026", "m2", as_entries)
    # Q1 99, Q2 0 (veto), Q3 100, Q4 100: the mean (299 / 4 = 74.75) is then made 0.
    assert "一票否决「发生安全责任事故」：本期与年度得分为零：74.75 → 0.00" in text2
    assert "总分：0.00　等次：不合格" in text2


def test_exempt_members_and_short_requests_say_so(as_entries, people) -> None:
    rows = [("m1", "2026-04-10", "duty_ethics"), ("m2", "2026-04-10", "duty_ethics")]
    members = [people("m1", status="exempt"), people("m2")]
    _, text = _explain(load_scheme("s002"), rows, "2026-05", "m1", as_entries, members)
    assert "不纳入积分管理" in text and "总分：—　等次：—" in text and "不参加排名" in text
    _, short = _explain(load_scheme("s002"), rows, "2026-05", "m2", as_entries, members)
    assert "按所在积分周期自起始日至 2026-05-31 计算" in short
    assert "【2026-Q2】2026-04-01 至 2026-05-31" in short


def test_the_structured_form_is_json_ready(as_entries) -> None:
    rows = [("m1", "2026-02-10", "honor_municipal", "", "", "劳模")]
    e, _ = _explain(load_scheme("s002"), rows, "2026-H1", "m1", as_entries)
    document = json.loads(json.dumps(e.to_dict(), ensure_ascii=False))
    assert document["total"] == "101.50"  # (103 + 100) / 2 = 101.5
    first = document["periods"][0]
    assert first["key"] == "2026-Q1" and first["bonus"]["value"] == "3.00"
    combo = document["combinations"][0]
    assert (combo["method"], combo["divisor"], combo["value"]) == (
        "weighted_mean",
        "2.00",
        "101.50",
    )
    assert [t["label"] for t in combo["terms"]] == ["2026-Q1", "2026-Q2"]
    assert document["entries"][0]["row"] == 2
