"""Schemes (TOML) that reach the fast path's rarer rules, which no preset uses together."""

from __future__ import annotations

from jifen.engine import Scheme, parse_scheme

# Monthly, weighted mean with uneven fractional weights, a yearly bonus cap, honors
# de-duplicated into two different targets, an assessed item, a negative floor, and
# clear_dimension / disqualify / zero vetoes (one veto that also counts points).
MIXED = """
code = "t-fast-mixed"
name = "快速路径测试一"
scoring_period = "month"
base = 1.5
bonus_cap = 3.5
bonus_cap_per_year = true
highest_honor_only = true
deduction_limit = 4.25
[annual]
mode = "weighted_mean"
weights = [0.5, 1, 1.25, 1, 1, 1, 1, 1, 1, 1, 2.75, 0.1]
[[dimensions]]
code = "act"
name = "活动"
start = 2
floor = -3
cap = 9.5
[[dimensions]]
code = "duty"
name = "义务"
start = 0
floor = 0
[[items]]
code = "meeting"
name = "会议"
dimension = "act"
points = 1.25
[[items]]
code = "late"
name = "迟到"
dimension = "act"
kind = "discretionary"
sign = "-"
[[items]]
code = "review"
name = "评定"
dimension = "duty"
kind = "assessed"
max = 3.3
[[items]]
code = "gold"
name = "金奖"
dimension = "bonus"
points = 2
honor = true
[[items]]
code = "silver"
name = "银奖"
dimension = "duty"
kind = "range"
min = 0.5
max = 2.5
honor = true
[[items]]
code = "extra"
name = "加分"
dimension = "bonus"
kind = "discretionary"
sign = "+"
[[items]]
code = "penalty"
name = "处分"
dimension = "deduction"
kind = "range"
min = -3
max = -0.01
[[items]]
code = "veto_clear"
name = "清零"
veto = "clear_dimension:act"
[[items]]
code = "veto_out"
name = "取消资格"
veto = "disqualify"
[[items]]
code = "veto_zero"
name = "归零"
dimension = "deduction"
points = -1
veto = "zero"
[[grades]]
name = "好"
min = 8.5
[[grades]]
name = "中"
min = 2
[[grades]]
name = "差"
[[categories]]
code = "X"
name = "甲"
[[categories]]
code = "Y"
name = "乙"
"""

# Half-yearly, mean plus an annual-only dimension (the "plus_annual" total), a veto that
# clears the annual dimension, and no grade bands.
ANNUAL_PLUS = """
code = "t-fast-annual"
name = "快速路径测试二"
scoring_period = "half"
[annual]
mode = "mean"
[[dimensions]]
code = "daily"
name = "日常"
start = 50
floor = 0
cap = 60
[[dimensions]]
code = "yearly"
name = "年度"
annual_only = true
floor = 0
cap = 20
[[items]]
code = "good"
name = "好事"
dimension = "daily"
kind = "range"
min = 0.01
max = 7.77
[[items]]
code = "bad"
name = "坏事"
dimension = "daily"
points = -3.33
[[items]]
code = "appraisal"
name = "评议"
dimension = "yearly"
kind = "assessed"
max = 15.55
annual_only = true
[[items]]
code = "bonus_any"
name = "奖励"
dimension = "bonus"
kind = "discretionary"
sign = "+"
[[items]]
code = "veto_year"
name = "年度否决"
dimension = "yearly"
points = 0
veto = "clear_dimension:yearly"
annual_only = true
[[items]]
code = "veto_daily"
name = "日常否决"
veto = "clear_dimension:daily"
[[items]]
code = "veto_unq"
name = "不合格"
veto = "unqualified"
"""

# Quarterly composite with three components (periods and two dimensions) and weights
# with three places, and no annual-only dimension (the composite over periods only).
COMPOSITE = """
code = "t-fast-composite"
name = "快速路径测试三"
scoring_period = "quarter"
[annual]
mode = "composite"
[[annual.components]]
source = "periods"
weight = 0.333
[[annual.components]]
source = "a"
weight = 0.667
[[dimensions]]
code = "a"
name = "甲"
start = 10
floor = 0
cap = 10
[[items]]
code = "minus"
name = "扣"
dimension = "a"
kind = "discretionary"
sign = "-"
[[items]]
code = "plus"
name = "加"
dimension = "bonus"
kind = "discretionary"
sign = "+"
[[items]]
code = "veto_z"
name = "否决"
veto = "zero"
[[grades]]
name = "A"
min = 9.99
[[grades]]
name = "B"
"""


def fast_test_schemes() -> list[Scheme]:
    return [
        parse_scheme(text, name)
        for name, text in (("mixed", MIXED), ("annual", ANNUAL_PLUS), ("composite", COMPOSITE))
    ]
