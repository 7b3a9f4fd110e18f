"""Scheme model (积分办法): pydantic models, loading from TOML, and consistency checks.

A scheme is data, not code: the seven presets of schemes.md ship as TOML files in
`presets/`, and an organisation's own scheme is a TOML file of the same shape. Loading goes
in two steps, so that every message can say *where* the problem is:

1. pydantic checks the shape and the types (unknown keys are refused, so a typo is an error
   rather than a silently ignored setting);
2. `_consistency_problems` checks what pydantic cannot see locally: references between
   parts (an item's dimension, a veto's target dimension, item categories), duplicate codes,
   kinds with the wrong fields, floors above caps, grade bands out of order, composite weights.

Both report a `Problem` per fault, placed by a path such as `items[3].dimension`
(0-based, as in the TOML's order of `[[items]]` tables), gathered into one `SchemeError`.
TOML is parsed with `parse_float=Decimal`, so no point value is ever a float.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import Problem, SchemeError
from .periods import MONTHS, PeriodKind
from .points import ONE, ZERO, has_at_most_two_places

POOLS = ("bonus", "deduction")
"""The two pools an item may count in instead of a dimension."""

VETO_EFFECTS = ("zero", "unqualified", "disqualify")
CLEAR_DIMENSION = "clear_dimension:"
PERIODS_SOURCE = "periods"
"""A composite component that takes the mean of the period totals."""

LOWEST_WITHOUT_BANDS = "不合格"
"""The grade a veto forces in a scheme that has no grade bands."""

ANNUAL_MODE_NAMES = {
    "same": "积分周期即年度",
    "sum": "各期求和",
    "mean": "各期平均",
    "weighted_mean": "各期加权平均",
    "composite": "综合（按权重）",
}

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Model):
    """A 板块: `start` before any entry, clamped to [`floor`, `cap`] (no cap when None)."""

    code: str
    name: str
    start: Decimal = ZERO
    floor: Decimal = ZERO
    cap: Decimal | None = None
    annual_only: bool = False
    """Fed only by `annual_only` items: scored once a year (s000b's 年度评议)."""


class Item(_Model):
    """A 积分项目; which fields apply depends on `kind` (checked after loading)."""

    code: str
    name: str
    dimension: str | None = None
    """A dimension code, or `bonus` / `deduction` for the pools; None only for a veto."""
    kind: Literal["fixed", "range", "discretionary", "assessed"] = "fixed"
    points: Decimal | None = None
    """fixed: points per occurrence, signed."""
    min: Decimal | None = None
    """range: the lowest value a reviewer may pick."""
    max: Decimal | None = None
    """range: the highest value; assessed: the most one period can award;
    discretionary: the largest magnitude of one occurrence (no limit when None)."""
    sign: Literal["+", "-"] | None = None
    """discretionary: whether the item adds or removes points."""
    max_times: int | None = Field(default=None, ge=1)
    max_times_per: Literal["period", "year"] = "period"
    cap: Decimal | None = None
    """The most points the item can add or remove (a magnitude) per `cap_per`."""
    cap_per: Literal["period", "year"] = "period"
    honor: bool = False
    """Entries carry an honor_key; de-duplicated where the scheme says highest_honor_only."""
    annual_only: bool = False
    veto: str | None = None
    """zero | unqualified | disqualify | clear_dimension:<code>."""
    categories: tuple[str, ...] = ()
    """Member categories the item applies to; empty for all."""
    declarable: bool = False
    """Whether members may declare (申报) it themselves."""
    description: str = ""

    @property
    def veto_effect(self) -> str | None:
        """The effect without its argument: zero, unqualified, disqualify, clear_dimension."""
        if self.veto is None:
            return None
        return self.veto.split(":", 1)[0]

    @property
    def veto_target(self) -> str | None:
        """The dimension a `clear_dimension:<code>` veto clears."""
        if self.veto is not None and self.veto.startswith(CLEAR_DIMENSION):
            return self.veto[len(CLEAR_DIMENSION) :]
        return None

    @property
    def fixed_points(self) -> Decimal:
        """Points of one occurrence of a fixed item (a veto without points scores 0)."""
        return self.points if self.points is not None else ZERO


class Component(_Model):
    """One weighted part of a composite: a dimension code or `periods` (their totals)."""

    source: str
    weight: Decimal


class Annual(_Model):
    mode: Literal["same", "sum", "mean", "weighted_mean", "composite"]
    weights: tuple[Decimal, ...] | None = None
    """weighted_mean: one weight per scoring period of the year; equal when absent."""
    components: tuple[Component, ...] | None = None


class Grade(_Model):
    """A band: a score of at least `min` gets it; the last band may omit `min`."""

    name: str
    min: Decimal | None = None


class Category(_Model):
    code: str
    name: str


class Scheme(_Model):
    code: str
    name: str
    version: int = Field(default=1, ge=1)
    source: str = ""
    description: str = ""
    scoring_period: PeriodKind
    annual: Annual
    base: Decimal = ZERO
    """Points every member has outside any dimension (s001's 12); usually 0."""
    dimensions: tuple[Dimension, ...] = ()
    items: tuple[Item, ...]
    bonus_cap: Decimal | None = None
    bonus_cap_per_year: bool = False
    highest_honor_only: bool = False
    deduction_limit: Decimal | None = None
    grades: tuple[Grade, ...] = ()
    categories: tuple[Category, ...] = ()
    exemption: str = ""

    # Look-ups by code from plain dicts in the instance's __dict__ (cached_property): a
    # pydantic private attribute is read through pydantic's `__getattr__`, about 9 µs a
    # call against 0.1 µs, and the engine looks items up dozens of times per member. The
    # model is frozen, so the index cannot go stale (do not `model_copy(update=...)` a
    # scheme: build a new one with `Scheme.model_validate`).
    @cached_property
    def items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def dimensions_by_code(self) -> dict[str, Dimension]:
        return {dim.code: dim for dim in self.dimensions}

    def item(self, code: str) -> Item | None:
        return self.items_by_code.get(code)

    def dimension(self, code: str) -> Dimension | None:
        return self.dimensions_by_code.get(code)

    @property
    def lowest_grade(self) -> str:
        return self.grades[-1].name if self.grades else LOWEST_WITHOUT_BANDS

    def grade_for(self, total: Decimal) -> str | None:
        for band in self.grades:
            if band.min is None or total >= band.min:
                return band.name
        return self.grades[-1].name if self.grades else None

    def category_code(self, value: str) -> str | None:
        """A category given by code or Chinese name, as its code; None when unknown."""
        if not self.categories:
            return value
        for category in self.categories:
            if value in (category.code, category.name):
                return category.code
        return None

    def category_name(self, code: str) -> str:
        for category in self.categories:
            if category.code == code:
                return category.name
        return code


def _presets_folder() -> Traversable:
    return resources.files("jifen.engine.presets")


def preset_codes() -> list[str]:
    folder = _presets_folder()
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def list_presets() -> list[Scheme]:
    """The presets shipped with the engine, by code."""
    return [load_scheme(code) for code in preset_codes()]


def load_scheme(code_or_path: str | Path) -> Scheme:
    """A preset by its code (`s002`), or any scheme TOML file by its path."""
    text_name = str(code_or_path)
    if isinstance(code_or_path, str) and code_or_path in preset_codes():
        resource = _presets_folder().joinpath(f"{code_or_path}.toml")
        return parse_scheme(resource.read_text(encoding="utf-8"), f"presets/{code_or_path}.toml")
    path = Path(code_or_path)
    if not path.is_file():
        raise SchemeError(
            [
                Problem(
                    "",
                    f"没有编码为 '{text_name}' 的预置办法，也没有这个文件 "
                    "(neither a preset code nor a scheme file)",
                )
            ],
            text_name,
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SchemeError([Problem("", f"无法读取 (cannot read): {error}")], text_name) from error
    return parse_scheme(text, text_name)


def parse_scheme(text: str, source: str = "<scheme>") -> Scheme:
    """A scheme from TOML text; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError(
            [Problem("", f"TOML 语法错误 (syntax error): {error}")], source
        ) from error
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as error:
        raise SchemeError(_pydantic_problems(error), source) from error
    problems = _consistency_problems(scheme)
    if problems:
        raise SchemeError(problems, source)
    return scheme


def _path(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段 (field required)",
    "extra_forbidden": "未知字段 (unknown field)",
}


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for detail in error.errors(include_url=False):
        message = _PYDANTIC_MESSAGES.get(detail["type"])
        if message is None:
            message = f"取值无效 (invalid value): {detail['msg']}"
        problems.append(Problem(_path(tuple(detail["loc"])), message))
    return problems


_Add = Callable[[str, str], None]
"""Records a problem: (where, message)."""


def _consistency_problems(scheme: Scheme) -> list[Problem]:
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    if not _CODE.match(scheme.code):
        add("code", f"编码 '{scheme.code}' 只能含字母、数字、_ 和 - (invalid code)")
    _check_dimensions(scheme, add)
    _check_items(scheme, add)
    _check_pools_and_grades(scheme, add)
    _check_annual(scheme, add)
    return problems


def _check_dimensions(scheme: Scheme, add: _Add) -> None:
    seen: set[str] = set()
    for index, dim in enumerate(scheme.dimensions):
        where = f"dimensions[{index}]"
        if dim.code in seen:
            add(f"{where}.code", f"板块编码 '{dim.code}' 重复 (duplicate dimension code)")
        seen.add(dim.code)
        if dim.code in POOLS:
            add(f"{where}.code", f"'{dim.code}' 是加扣分池的保留名 (reserved for a pool)")
        if not _CODE.match(dim.code):
            add(f"{where}.code", f"编码 '{dim.code}' 只能含字母、数字、_ 和 - (invalid code)")
        for field in ("start", "floor", "cap"):
            value = getattr(dim, field)
            if value is not None and not has_at_most_two_places(value):
                add(f"{where}.{field}", "分值最多两位小数 (more than two decimal places)")
        if dim.cap is not None and dim.floor > dim.cap:
            add(
                f"{where}.floor",
                f"下限 {dim.floor} 高于上限 {dim.cap} (floor above cap)",
            )
        elif not (dim.floor <= dim.start and (dim.cap is None or dim.start <= dim.cap)):
            add(
                f"{where}.start",
                f"起始分 {dim.start} 不在下限与上限之间 (start outside floor..cap)",
            )


def _check_items(scheme: Scheme, add: _Add) -> None:
    seen: set[str] = set()
    category_codes = {category.code for category in scheme.categories}
    for index, item in enumerate(scheme.items):
        where = f"items[{index}]"
        if item.code in seen:
            add(f"{where}.code", f"项目编码 '{item.code}' 重复 (duplicate item code)")
        seen.add(item.code)
        if not _CODE.match(item.code):
            add(f"{where}.code", f"编码 '{item.code}' 只能含字母、数字、_ 和 - (invalid code)")
        _check_item_points(item, where, add)
        _check_item_target(scheme, item, where, add)
        if item.veto is not None:
            target = item.veto_target
            if item.veto_effect == "clear_dimension":
                if scheme.dimension(target or "") is None:
                    add(
                        f"{where}.veto",
                        f"一票否决清零的板块 '{target}' 不存在 (unknown veto target dimension)",
                    )
            elif item.veto not in VETO_EFFECTS:
                add(
                    f"{where}.veto",
                    f"未知的否决效果 '{item.veto}'，应为 zero、unqualified、disqualify 或 "
                    "clear_dimension:<板块> (unknown veto effect)",
                )
        if item.cap is not None and (item.cap <= ZERO or not has_at_most_two_places(item.cap)):
            add(f"{where}.cap", "封顶须为正数且最多两位小数 (cap must be positive, two places)")
        if item.honor and scheme.highest_honor_only and item.max_times is not None:
            add(
                f"{where}.max_times",
                "按最高荣誉计分的荣誉项目不能限次数 "
                "(an honor item under highest_honor_only cannot have max_times)",
            )
        for position, code in enumerate(item.categories):
            if category_codes and code not in category_codes:
                add(
                    f"{where}.categories[{position}]", f"未知的党员类别 '{code}' (unknown category)"
                )
            elif not category_codes:
                add(
                    f"{where}.categories[{position}]",
                    "本办法未设党员类别 (the scheme defines no categories)",
                )


def _check_item_points(item: Item, where: str, add: _Add) -> None:
    used = {
        "fixed": {"points"},
        "range": {"min", "max"},
        "discretionary": {"sign", "max"},
        "assessed": {"max"},
    }[item.kind]
    for field in ("points", "min", "max", "sign"):
        value = getattr(item, field)
        if value is not None and field not in used:
            add(
                f"{where}.{field}",
                f"{item.kind} 项目不用 {field} (field not used by a {item.kind} item)",
            )
        if isinstance(value, Decimal) and not has_at_most_two_places(value):
            add(f"{where}.{field}", "分值最多两位小数 (more than two decimal places)")
    if item.kind == "fixed" and item.points is None and item.veto is None:
        add(f"{where}.points", "固定分值项目缺少分值 (an item without points)")
    if item.kind == "range":
        if item.min is None or item.max is None:
            add(f"{where}.min", "范围项目须有 min 和 max (a range item needs min and max)")
        elif item.min > item.max:
            add(f"{where}.min", f"min {item.min} 大于 max {item.max} (min above max)")
    if item.kind == "discretionary":
        if item.sign is None:
            add(
                f"{where}.sign", "酌情项目须写明 sign 为 + 或 - (a discretionary item needs a sign)"
            )
        if item.max is not None and item.max <= ZERO:
            add(f"{where}.max", "酌情项目的 max 是绝对值，须为正数 (max is a positive magnitude)")
    if item.kind == "assessed" and (item.max is None or item.max <= ZERO):
        add(f"{where}.max", "评定项目须有正的 max (an assessed item needs a positive max)")


def _item_sign(item: Item) -> int:
    """+1 if the item can only add, −1 if it can only remove, 0 if either."""
    if item.kind == "fixed":
        points = item.fixed_points
        return 1 if points > ZERO else (-1 if points < ZERO else 0)
    if item.kind == "range" and item.min is not None and item.max is not None:
        return 1 if item.min >= ZERO else (-1 if item.max <= ZERO else 0)
    if item.kind == "discretionary":
        return 1 if item.sign == "+" else -1
    return 1  # assessed: 0..max


def _check_item_target(scheme: Scheme, item: Item, where: str, add: _Add) -> None:
    if item.dimension is None:
        if item.veto is None or item.fixed_points != ZERO or item.kind != "fixed":
            add(
                f"{where}.dimension",
                "须写明计入的板块或 bonus/deduction (the item needs a dimension or a pool)",
            )
        if item.annual_only:
            add(f"{where}.annual_only", "年度项目须计入年度板块 (needs an annual dimension)")
        return
    dim = scheme.dimension(item.dimension)
    if dim is None and item.dimension not in POOLS:
        add(f"{where}.dimension", f"未知的板块 '{item.dimension}' (unknown dimension)")
        return
    sign = _item_sign(item)
    if item.dimension == "bonus" and sign < 0:
        add(f"{where}.dimension", "加分池的项目不能减分 (a bonus item cannot remove points)")
    if item.dimension == "deduction" and sign > 0:
        add(f"{where}.dimension", "扣分池的项目不能加分 (a deduction item cannot add points)")
    annual_dimension = dim is not None and dim.annual_only
    if item.annual_only and not annual_dimension:
        add(
            f"{where}.dimension",
            "年度项目须计入 annual_only 板块 (an annual_only item needs an annual_only dimension)",
        )
    if annual_dimension and not item.annual_only:
        add(
            f"{where}.annual_only",
            f"板块 '{item.dimension}' 只计年度项目 (that dimension takes annual_only items only)",
        )


def _check_pools_and_grades(scheme: Scheme, add: _Add) -> None:
    if not has_at_most_two_places(scheme.base):
        add("base", "分值最多两位小数 (more than two decimal places)")
    for field in ("bonus_cap", "deduction_limit"):
        value = getattr(scheme, field)
        if value is not None and (value < ZERO or not has_at_most_two_places(value)):
            add(field, "须为非负数且最多两位小数 (must be ≥ 0 with two places at most)")
    if scheme.bonus_cap_per_year and scheme.bonus_cap is None:
        add("bonus_cap_per_year", "未设 bonus_cap (no bonus_cap to apply per year)")
    names: set[str] = set()
    previous: Decimal | None = None
    for index, band in enumerate(scheme.grades):
        where = f"grades[{index}]"
        if band.name in names:
            add(f"{where}.name", f"等次 '{band.name}' 重复 (duplicate grade)")
        names.add(band.name)
        if band.min is None:
            if index != len(scheme.grades) - 1:
                add(
                    f"{where}.min", "只有最后一个等次可以不设 min (only the last band may omit min)"
                )
            continue
        if previous is not None and band.min >= previous:
            add(
                f"{where}.min",
                f"等次须按 min 从高到低排列，{band.min} 不低于前一等次 {previous} "
                "(grade bands not descending)",
            )
        previous = band.min
    codes: set[str] = set()
    for index, category in enumerate(scheme.categories):
        if category.code in codes:
            add(f"categories[{index}].code", f"类别编码 '{category.code}' 重复 (duplicate code)")
        codes.add(category.code)


def _check_annual(scheme: Scheme, add: _Add) -> None:
    annual = scheme.annual
    if annual.mode == "same" and scheme.scoring_period != "year":
        add(
            "annual.mode",
            "same 只用于以年为积分周期的办法 (same needs scoring_period = year)",
        )
    if annual.weights is not None:
        if annual.mode != "weighted_mean":
            add("annual.weights", "weights 只用于 weighted_mean (weights need weighted_mean)")
        periods = 12 // MONTHS[scheme.scoring_period]
        if len(annual.weights) != periods:
            add(
                "annual.weights",
                f"须为每个积分周期给出权重，共 {periods} 个 (one weight per scoring period)",
            )
        if any(weight <= ZERO for weight in annual.weights):
            add("annual.weights", "权重须为正数 (weights must be positive)")
    if annual.mode == "composite":
        if not annual.components:
            add("annual.components", "composite 须列出各部分及权重 (components required)")
            return
        sources: set[str] = set()
        for index, component in enumerate(annual.components):
            where = f"annual.components[{index}]"
            if component.source in sources:
                add(f"{where}.source", f"'{component.source}' 重复 (duplicate component)")
            sources.add(component.source)
            if component.source != PERIODS_SOURCE and scheme.dimension(component.source) is None:
                add(f"{where}.source", f"未知的板块 '{component.source}' (unknown dimension)")
            if component.weight <= ZERO:
                add(f"{where}.weight", "权重须为正数 (weights must be positive)")
        total = sum((component.weight for component in annual.components), ZERO)
        if total != ONE:
            add(
                "annual.components",
                f"各部分权重之和为 {total}，应为 1 (composite weights must add up to 1)",
            )
    elif annual.components is not None:
        add("annual.components", "components 只用于 composite (components need composite)")
