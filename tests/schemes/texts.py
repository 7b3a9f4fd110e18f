"""TOML texts for the scheme-version tests: s002 with small changes."""

from __future__ import annotations

from importlib import resources


def s002_text() -> str:
    return resources.files("jifen.engine.presets").joinpath("s002.toml").read_text("utf-8")


HONOR = 'code = "honor_company"\nname = "获得公司级荣誉"\ndimension = "bonus"\nkind = "fixed"\n'


def with_company_honor(text: str, points: str) -> str:
    """The text with the company honor worth `points` instead of 1."""
    assert HONOR + "points = 1\n" in text
    return text.replace(HONOR + "points = 1\n", HONOR + f"points = {points}\n")


NEW_ITEM = """
[[items]]
code = "river_patrol"
name = "参加河道巡查"
dimension = "bonus"
kind = "fixed"
points = 2
declarable = true
"""


def with_top_grade_at(text: str, points: str) -> str:
    """The text with 优秀 from `points` instead of 98."""
    old = '[[grades]]\nname = "优秀"\nmin = 98\n'
    assert old in text
    return text.replace(old, old.replace("min = 98", f"min = {points}"))
