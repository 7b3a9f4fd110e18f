"""Schemes: the seven presets match schemes.md's codes, and bad scheme files are named.

Every SchemeError message must name the file, the place in it and the problem.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from jifen.engine import SchemeError, list_presets, load_scheme, parse_scheme

ENGINE_SRC = Path(__file__).resolve().parents[2] / "src"

PRESET_NAMES = {
    "s000a": "百分制三板块",
    "s000b": "日常行为七成 + 年度评议三成",
    "s000c": "四大项十八小项",
    "s001": "十二分制",
    "s002": "六项量化百分制",
    "s003": "区级党员积分管理",
    "s004": "农村党员分类积分",
}

# The item codes are a contract (schemes.md §2): scenarios are written against them.
PRESET_ITEMS = {
    "s000a": {"base_assessed", "task_assessed", "reward_assessed"},
    "s000b": {"obligation_absent", "economy_contribution", "annual_appraisal", "veto_serious"},
    "s000c": {
        "edu_theory", "edu_training", "edu_notes", "edu_reflections", "edu_research",
        "obl_line", "obl_discipline", "obl_orglife", "obl_masses", "obl_ethos",
        "work_plan", "work_key", "work_ontime", "work_results",
        "com_content", "com_progress", "com_report", "com_rate",
        "bonus_publication", "bonus_commendation", "bonus_innovation",
        "bonus_innovation_outstanding", "bonus_extra",
        "ded_daily_error", "ded_key_error", "ded_serious_extra", "ded_attitude",
        "ded_obligation", "ded_police", "veto_critical_error", "veto_disqualify",
    },
    "s001": {
        "absent_unexcused", "absent_leave", "migrant_return_short", "dues_late",
        "appraisal_basic", "disobey", "misconduct", "key_work", "volunteer", "emergency",
        "praise", "honor_township", "honor_county", "honor_city", "honor_province",
        "veto_drugs", "veto_vice", "veto_cult", "veto_criminal", "veto_other",
    },
    "s002": {
        "study_absent", "study_notes", "study_reflection", "study_other",
        "service_complaint", "service_dress_deadline", "service_activity",
        "service_criticized", "service_other",
        "duty_contrary_speech", "duty_weak_execution", "duty_orglife_dues",
        "duty_harm_masses", "duty_ethics", "duty_other",
        "perf_delay_key", "perf_delay_daily", "perf_delay_temp", "perf_other",
        "integ_low_satisfaction", "integ_complaints", "integ_absent", "integ_other",
        "promise_letter_late", "promise_breach", "promise_other",
        "honor_national", "honor_provincial", "honor_municipal", "honor_company",
        "veto_discipline", "veto_safety", "veto_negative_news",
    },
    "s003": {
        "base_absent", "base_dues_late", "contrib_volunteer", "contrib_recognized",
        "veto_serious",
    },
    "s004": {
        "flood_control", "forest_fire", "village_cleanup", "lead_prosperity",
        "collective_income", "new_customs", "absent_unexcused",
    },
}  # fmt: skip


def test_the_seven_presets_ship_with_their_codes_and_chinese_names() -> None:
    presets = {scheme.code: scheme for scheme in list_presets()}
    assert {code: scheme.name for code, scheme in presets.items()} == PRESET_NAMES


@pytest.mark.parametrize("code", sorted(PRESET_ITEMS))
def test_each_preset_has_exactly_the_item_codes_of_schemes_md(code: str) -> None:
    assert {item.code for item in load_scheme(code).items} == PRESET_ITEMS[code]


def test_preset_parameters_follow_schemes_md() -> None:
    s000b, s000c, s001 = load_scheme("s000b"), load_scheme("s000c"), load_scheme("s001")
    s002, s003, s004 = load_scheme("s002"), load_scheme("s003"), load_scheme("s004")
    assert [(c.source, c.weight) for c in s000b.annual.components or ()] == [
        ("daily", Decimal("0.7")),
        ("appraisal", Decimal("0.3")),
    ]
    assert s000c.item("veto_critical_error").veto == "clear_dimension:work"  # type: ignore[union-attr]
    assert [d.cap for d in s000c.dimensions] == [Decimal(25)] * 4
    assert (s001.base, s001.deduction_limit) == (Decimal(12), Decimal(12))
    assert s002.bonus_cap == Decimal(20) and s002.highest_honor_only
    assert [(d.code, d.start, d.cap) for d in s002.dimensions] == [
        ("study", 10, 10), ("service", 20, 20), ("duty", 20, 20),
        ("performance", 30, 30), ("integrity", 10, 10), ("promise", 10, 10),
    ]  # fmt: skip
    assert [g.name for g in s003.grades] == ["优秀", "良好", "合格", "不合格"]
    assert [c.name for c in s003.categories] == ["机关", "社区", "学校", "两新组织"]
    assert [c.code for c in s004.categories] == ["A", "B", "C", "D"]
    assert s004.dimensions[0].cap is None and s004.dimensions[0].start == 60


def test_a_scheme_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    scheme = load_scheme(str(path))
    assert scheme.code == "mine" and scheme.item("act") is not None


def test_an_unknown_code_that_is_no_file_is_refused() -> None:
    with pytest.raises(SchemeError, match="s999.*neither a preset code nor a scheme file"):
        load_scheme("s999")


MINIMAL = """
code = "mine"
name = "测试办法"
scoring_period = "month"
[annual]
mode = "sum"
[[dimensions]]
code = "main"
name = "主板块"
start = 0
floor = 0
cap = 50
[[items]]
code = "act"
name = "活动"
dimension = "main"
kind = "fixed"
points = 2
[[grades]]
name = "合格"
min = 10
[[grades]]
name = "不合格"
"""


def _bad(text: str) -> str:
    with pytest.raises(SchemeError) as caught:
        parse_scheme(text, "bad.toml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "place", "problem"),
    [
        ('dimension = "main"', 'dimension = "nope"', "items[0].dimension", "unknown dimension"),
        ("floor = 0\ncap = 50", "floor = 60\ncap = 50", "dimensions[0].floor", "floor above cap"),
        ("points = 2", "", "items[0].points", "an item without points"),
        ('code = "act"', 'code = "act"\nveto = "clear_dimension:work"', "items[0].veto",
         "unknown veto target dimension"),
        ('code = "act"', 'code = "act"\nveto = "explode"', "items[0].veto", "unknown veto effect"),
        ('name = "不合格"', 'name = "良好"\nmin = 10\n[[grades]]\nname = "不合格"',
         "grades[1].min", "grade bands not descending"),
        ('name = "合格"\nmin = 10', 'name = "合格"', "grades[0].min",
         "only the last band may omit min"),
        ('name = "不合格"', 'name = "不合格"\nmin = 20', "grades[1].min",
         "grade bands not descending"),
        ('mode = "sum"', 'mode = "same"', "annual.mode", "same needs scoring_period = year"),
        ("start = 0\nfloor = 0", "start = 70\nfloor = 0", "dimensions[0].start",
         "start outside floor..cap"),
        ("points = 2", "points = 2.005", "items[0].points", "more than two decimal places"),
        ('kind = "fixed"', 'kind = "range"', "items[0].points", "field not used"),
        ('kind = "fixed"\npoints = 2', 'kind = "range"\nmin = 5\nmax = 1', "items[0].min",
         "min above max"),
        ('kind = "fixed"\npoints = 2', 'kind = "discretionary"', "items[0].sign", "needs a sign"),
        ('kind = "fixed"\npoints = 2', 'kind = "assessed"', "items[0].max", "positive max"),
        ('dimension = "main"\nkind = "fixed"\npoints = 2',
         'dimension = "deduction"\nkind = "fixed"\npoints = 2', "items[0].dimension",
         "a deduction item cannot add points"),
        ('points = 2', 'points = 2\nannual_only = true', "items[0].dimension",
         "needs an annual_only dimension"),
        ('points = 2', 'points = 2\ncategories = ["A"]', "items[0].categories[0]",
         "no categories"),
        ('mode = "sum"', 'mode = "sum"\nweights = [1, 2]', "annual.weights",
         "weights need weighted_mean"),
        ('scoring_period = "month"', 'scoring_period = "month"\ncolour = "red"', "colour",
         "unknown field"),
        ('name = "活动"\n', "", "items[0].name", "field required"),
        ("cap = 50", 'cap = "lots"', "dimensions[0].cap", "invalid value"),
        ('code = "mine"', 'code = "my scheme"', "code", "invalid code"),
    ],
)  # fmt: skip
def test_scheme_errors_name_the_file_the_place_and_the_problem(
    old: str, new: str, place: str, problem: str
) -> None:
    assert old in MINIMAL
    message = _bad(MINIMAL.replace(old, new, 1))
    assert f"bad.toml: {place}:" in message
    assert problem in message


def test_duplicate_item_and_dimension_codes_are_named() -> None:
    text = MINIMAL + '\n[[items]]\ncode = "act"\nname = "又一个"\ndimension = "main"\npoints = 1\n'
    text += '\n[[dimensions]]\ncode = "main"\nname = "重复"\n'
    message = _bad(text)
    assert "bad.toml: items[1].code: 项目编码 'act' 重复 (duplicate item code)" in message
    assert "bad.toml: dimensions[1].code:" in message and "duplicate dimension code" in message


def test_composite_weights_must_add_up_to_one() -> None:
    text = MINIMAL.replace('mode = "sum"', 'mode = "composite"').replace(
        "[[dimensions]]",
        '[[annual.components]]\nsource = "main"\nweight = 0.7\n'
        '[[annual.components]]\nsource = "periods"\nweight = 0.2\n\n[[dimensions]]',
        1,
    )
    message = _bad(text)
    assert "bad.toml: annual.components:" in message
    assert "composite weights must add up to 1" in message


def test_a_toml_syntax_error_names_the_file() -> None:
    message = _bad('code = "x"\nname = ')
    assert message.startswith("bad.toml: TOML 语法错误 (syntax error)")


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = MINIMAL.replace('dimension = "main"', 'dimension = "nope"').replace("min = 10", "")
    message = _bad(text)
    assert "items[0].dimension" in message and "grades[0].min" in message


def test_the_engine_imports_no_django() -> None:
    code = (
        "import sys, jifen.engine, jifen.engine.cli, jifen.engine.explain\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
        "jifen.engine.load_scheme('s002')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ENGINE_SRC)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_engine_code_never_uses_float() -> None:
    for path in (ENGINE_SRC / "jifen" / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "float(" not in text, path
        assert "import django" not in text and "from django" not in text, path
