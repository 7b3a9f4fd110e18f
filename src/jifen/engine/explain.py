"""Explanation of a member's result: the structured derivation and its Chinese text.

`explain` gathers what the evaluation recorded (`trace.py`) for one member — every counted
period with its items by dimension and pool, each clamp, cap, uncounted occurrence and
honor reduction with its before and after, the vetoes and their effect, and the annual
combination with its periods, weights and rounding — into an `Explanation`. It computes
nothing new, so its parts add up to the total by construction; `to_dict` gives the
structured form and `render_text` the text a member reads on their card (一人一卡).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from .errors import row_label
from .evaluate import Evaluation
from .ledger import Entry, entry_points
from .periods import KIND_NAMES, period_key
from .points import fmt, has_at_most_two_places
from .scheme import ANNUAL_MODE_NAMES, Scheme
from .trace import Combination, ItemPart, PeriodTrace, PoolPart, Step, VetoHit

_EFFECTS = {
    "zero": "得分为零，等次为最低",
    "unqualified": "等次为最低（不合格），得分保留",
    "disqualify": "取消积分资格：不计总分、不排名，等次为最低",
}
_METHODS = {
    "sum": "各期求和",
    "mean": "各期平均",
    "weighted_mean": "各期加权平均",
    "composite": "按权重综合",
    "plus_annual": "各期结果加年度板块",
}


@dataclass(frozen=True, slots=True)
class EntryLine:
    """A raw entry, listed under the item it counts in (when the caller has raw entries)."""

    period: str
    item: str
    honor_key: str
    occurred_on: date
    points: Decimal
    """Points of one occurrence (a fixed item's value when the entry left it empty)."""
    quantity: int
    note: str
    row: int | None


@dataclass(slots=True)
class Explanation:
    scheme: str
    scheme_name: str
    scheme_version: int
    period: str
    member: str
    name: str
    category: str
    status: str
    total: Decimal | None
    grade: str | None
    veto: str | None
    rank: int | None
    category_rank: int | None
    dimensions: dict[str, Decimal]
    bonus: Decimal | None
    deductions: Decimal | None
    periods: list[PeriodTrace] = field(default_factory=list)
    not_managed: list[str] = field(default_factory=list)
    """Periods of the request outside the member's management dates (not counted)."""
    annual_part: PeriodTrace | None = None
    combinations: list[Combination] = field(default_factory=list)
    dimension_combinations: list[Combination] = field(default_factory=list)
    vetoes: list[VetoHit] = field(default_factory=list)
    veto_steps: list[Step] = field(default_factory=list)
    total_before_veto: Decimal | None = None
    entries: list[EntryLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""
    """The scheme's scoring period and annual rule, in Chinese."""

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(asdict(self))
        return plain


def _plain(value: Any) -> Any:
    """JSON-ready: decimals as strings (two places where they have them), dates ISO."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return fmt(value) if has_at_most_two_places(value) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def explain(
    evaluation: Evaluation, member_id: str, entries: Iterable[Entry] | None = None
) -> Explanation | None:
    """The derivation of one member's result; None when the member is not in the results.

    With the raw `entries`, each is listed under its item line.
    """
    result = evaluation.result(member_id)
    if result is None:
        return None
    scheme, plan, member = evaluation.scheme, evaluation.plan, result.member
    explanation = Explanation(
        scheme=scheme.code,
        scheme_name=scheme.name,
        scheme_version=scheme.version,
        period=evaluation.period,
        member=member.id,
        name=member.name,
        category=member.category,
        status=member.status,
        total=result.total,
        grade=result.grade,
        veto=result.veto,
        rank=result.rank,
        category_rank=result.category_rank,
        dimensions=dict(result.dimensions),
        bonus=result.bonus,
        deductions=result.deductions,
        periods=list(result.periods),
        not_managed=[
            p.key for p in plan.requested if not p.overlaps(member.managed_from, member.managed_to)
        ],
        annual_part=result.annual_part,
        combinations=list(result.combinations),
        dimension_combinations=list(result.dimension_combinations),
        vetoes=list(result.vetoes),
        veto_steps=list(result.veto_steps),
        total_before_veto=result.total_before_veto,
    )
    counted = {trace.key for trace in result.periods}
    if result.annual_part is not None:
        counted.add(result.annual_part.key)
    for index, entry in enumerate(entries or ()):
        if entry.member != member.id:
            continue
        item = scheme.item(entry.item)
        if item is None:
            continue
        key = (
            str(plan.year)
            if item.annual_only
            else period_key(scheme.scoring_period, entry.occurred_on)
        )
        if key in counted and entry.occurred_on <= plan.read_to:
            honor_key = entry.honor_key if item.honor and scheme.highest_honor_only else ""
            row = entry.row if entry.row is not None else index + 2
            explanation.entries.append(
                EntryLine(
                    key,
                    entry.item,
                    honor_key,
                    entry.occurred_on,
                    entry_points(item, entry),
                    entry.quantity,
                    entry.note,
                    row,
                )
            )
    explanation.notes = _notes(scheme, evaluation, explanation)
    explanation.summary = scheme_summary(scheme)
    return explanation


def _notes(scheme: Scheme, evaluation: Evaluation, explanation: Explanation) -> list[str]:
    notes = []
    plan = evaluation.plan
    if explanation.status == "exempt":
        notes.append("该党员不纳入积分管理（exempt）：不计总分、等次和排名；其记录仍经校验。")
    if explanation.status == "disqualified":
        notes.append("该党员已被取消积分资格（disqualified）：不计总分、不排名，等次为最低。")
    if plan.combined and not plan.full_year and scheme.annual.mode == "composite":
        notes.append("年度评议等年度项目只计入全年结果；不足一年的期间按各期平均计算。")
    if plan.truncated:
        notes.append(
            f"所查期间短于积分周期：按所在积分周期自起始日至 {plan.read_to.isoformat()} 计算。"
        )
    if any(p.in_request is False for p in plan.periods):
        notes.append("同年此前各期的记录只用于荣誉去重及按年计的限额，不计入本期间的得分。")
    return notes


# ---------------------------------------------------------------- text


def _signed(value: Decimal) -> str:
    return f"+{fmt(value)}" if value > 0 else fmt(value)


def _steps(lines: list[str], steps: list[Step], indent: str) -> None:
    for step in steps:
        lines.append(f"{indent}· {step.text}：{fmt(step.before)} → {fmt(step.after)}")


def _item_lines(
    lines: list[str], parts: list[ItemPart], period: str, explanation: Explanation
) -> None:
    for part in parts:
        honor = f"〔{part.honor_key}〕" if part.honor_key else ""
        lines.append(
            f"      {part.code} {part.name}{honor} ×{part.count}：{_signed(part.raw)}"
            + (f"，计 {_signed(part.amount)}" if part.steps else "")
        )
        for entry in explanation.entries:
            if (entry.period, entry.item, entry.honor_key) == (period, part.code, part.honor_key):
                points = fmt(entry.points)
                note = f"（{entry.note}）" if entry.note else ""
                where = row_label(entry.row) if entry.row is not None else ""
                lines.append(
                    f"        - {entry.occurred_on.isoformat()} {where} {points} ×{entry.quantity}"
                    f"{note}"
                )
        _steps(lines, part.steps, "        ")
        for skipped in part.not_counted:
            lines.append(
                f"        · {skipped.occurred_on.isoformat()} {row_label(skipped.seq)} "
                f"{fmt(skipped.points)} ×{skipped.quantity}：记入台账，不计分"
            )


def _pool_lines(
    lines: list[str], label: str, pool: PoolPart, period: str, explanation: Explanation
) -> None:
    if not pool.items and not pool.steps:
        return
    lines.append(f"    {label}：")
    _item_lines(lines, pool.items, period, explanation)
    _steps(lines, pool.steps, "      ")
    lines.append(f"      = {fmt(pool.value)}")


def _period_lines(lines: list[str], trace: PeriodTrace, explanation: Explanation) -> None:
    lines.append(f"【{trace.key}】{trace.start.isoformat()} 至 {trace.end.isoformat()}")
    if trace.base:
        lines.append(f"    基础分：{fmt(trace.base)}")
    for dim in trace.dimensions:
        if not dim.items and not dim.steps:
            lines.append(
                f"    {dim.name}（{dim.code}）：起始 {fmt(dim.start)}，无记录 = {fmt(dim.value)}"
            )
            continue
        lines.append(f"    {dim.name}（{dim.code}）：起始 {fmt(dim.start)}")
        _item_lines(lines, dim.items, trace.key, explanation)
        _steps(lines, dim.steps, "      ")
        lines.append(f"      = {fmt(dim.value)}")
    _pool_lines(lines, "加分", trace.bonus, trace.key, explanation)
    _pool_lines(lines, "扣分", trace.deductions, trace.key, explanation)
    parts = ([trace.base] if trace.base else []) + [dim.value for dim in trace.dimensions]
    if trace.bonus.items or trace.bonus.steps:
        parts.append(trace.bonus.value)
    if trace.deductions.items or trace.deductions.steps:
        parts.append(trace.deductions.value)
    summed = " + ".join(fmt(value) for value in parts) or "0.00"
    lines.append(f"    本期小计：{summed} = {fmt(trace.subtotal)}")
    for hit in trace.vetoes:
        lines.append(
            f"    一票否决：{hit.item} {hit.name}（{hit.occurred_on.isoformat()}，"
            f"{row_label(hit.seq)}）— {_effect(hit.effect)}"
        )
    _steps(lines, trace.veto_steps, "      ")
    total = "不计（取消积分资格）" if trace.total is None else fmt(trace.total)
    lines.append(f"    本期得分：{total}")


def _effect(effect: str) -> str:
    if effect.startswith("clear_dimension:"):
        return f"板块 {effect.split(':', 1)[1]} 清零"
    return _EFFECTS.get(effect, effect)


def _exact(value: Decimal) -> str:
    """An unrounded quotient, cut to six places with an ellipsis when it goes on."""
    if has_at_most_two_places(value):
        return fmt(value)
    cut = value.quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
    return str(value.normalize()) if cut == value else f"{cut.normalize()}…"


def _combination_line(combo: Combination, label: str) -> str:
    weighted = any(term.weight != 1 for term in combo.terms)
    terms = " + ".join(
        f"{fmt(term.value)}×{term.weight}" if weighted else fmt(term.value) for term in combo.terms
    )
    text = f"({terms})" if combo.divisor != 1 else terms
    if combo.divisor != 1:
        text += f" ÷ {combo.divisor}"
    text += f" = {_exact(combo.exact)}"
    if combo.rounded:
        text += f"，四舍五入保留两位 = {fmt(combo.value)}"
    return f"    {label}（{_METHODS.get(combo.method, combo.method)}）：{text}"


def render_text(explanation: Explanation) -> str:
    """The explanation as Chinese text, one fact per line."""
    e = explanation
    lines = [
        f"积分说明：党员 {e.member}{' ' + e.name if e.name else ''}"
        + (f"（类别 {e.category}）" if e.category else ""),
        f"积分办法：{e.scheme} {e.scheme_name}（第{e.scheme_version}版）　期间：{e.period}",
    ]
    if e.summary:
        lines.append(e.summary)
    lines.extend(e.notes)
    if e.not_managed:
        lines.append(f"不在管理期内、不计入的积分周期：{'、'.join(e.not_managed)}")
    if e.status != "exempt":
        for trace in e.periods:
            _period_lines(lines, trace, e)
        if e.annual_part is not None:
            _period_lines(lines, e.annual_part, e)
        if e.combinations:
            keys = [trace.key for trace in e.periods]
            lines.append(f"【合计】计入的积分周期：{'、'.join(keys)}（共 {len(keys)} 期）")
            for combo in e.dimension_combinations:
                if combo.label in ("bonus", "deduction") and not any(t.value for t in combo.terms):
                    continue  # an empty pool in every period: nothing to explain
                lines.append(_combination_line(combo, _dimension_label(e, combo.label)))
            for combo in e.combinations:
                lines.append(_combination_line(combo, "总分"))
        if e.veto_steps or (e.vetoes and len(e.periods) > 1):
            first = e.vetoes[0]
            lines.append(f"一票否决（最早一项）：{first.item} {first.name}")
            _steps(lines, e.veto_steps, "    ")
    total = "—" if e.total is None else fmt(e.total)
    lines.append(f"总分：{total}　等次：{e.grade or '—'}")
    if e.rank is not None:
        lines.append(f"排名：第{e.rank}名（类别内第{e.category_rank}名）")
    else:
        lines.append("排名：不参加排名")
    return "\n".join(lines) + "\n"


def _dimension_label(explanation: Explanation, code: str) -> str:
    for trace in explanation.periods:
        for dim in trace.dimensions:
            if dim.code == code:
                return dim.name
    return {"bonus": "加分", "deduction": "扣分"}.get(code, code)


def scheme_summary(scheme: Scheme) -> str:
    """One line: scoring period and annual rule, in Chinese."""
    period = KIND_NAMES[scheme.scoring_period]
    return f"积分周期：{period}；年度计算：{ANNUAL_MODE_NAMES[scheme.annual.mode]}"
