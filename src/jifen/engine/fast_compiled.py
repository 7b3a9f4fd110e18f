"""One scheme's common case written out as straight-line Python: `SumsEvaluator`'s rules
without the interpretation.

Why: for one scheme and one set of counted periods, a member's result is a fixed
sequence of integer operations — per period, each dimension's start + sum clamped to its
floor and cap, the pools capped, the total; then each column combined over the periods
and rounded. The generic loop (`SumsEvaluator._period` / `_combine`) spends most of its
time on the loops, unpacking and calls around those operations (18 µs per member of
s002, the largest Python cost of a district's year end). `compile_member` writes the
sequence out once as source and `exec`s it; the function then runs per member.

What it covers (`SumsEvaluator` decides, per member): a member without status and
without veto entries, in a request without annual-only dimensions and without a
composite. Everything else takes the generic code. The rules are the generic code's,
step for step (see `fast.py`); `tests/engine/test_engine_fast.py` runs every random
ledger through both and through `evaluate`.

Only integers and slot indexes are written into the source, never text from a scheme
(names and codes stay outside); the function's other inputs are bound as globals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Rows = dict[int, Sequence[Any]]
HonorRows = dict[int, list[Sequence[Any]]]
CompiledMember = Callable[[Rows, HonorRows], tuple[Any, ...]]
"""(rows by period index, honor rows by period index) -> (total, grade, veto, dimensions,
bonus, deductions)."""


@dataclass(frozen=True)
class Shape:
    """What the generated code needs of a `SumsEvaluator` (hundredths; None: no limit)."""

    dims: Sequence[tuple[int, int, int | None]]
    """(start, floor, cap) of each period dimension."""
    columns: Sequence[tuple[int, int | None]]
    """(slot, assessed max) of each summed column."""
    n_slots: int
    bonus_slot: int
    deduction_slot: int
    base: int
    bonus_cap: int | None
    bonus_per_year: bool
    deduction_floor: int | None
    has_honors: bool
    stateful: bool
    empty: tuple[Sequence[int], int, int, int | None]
    """A period without entries: (dimension values, bonus, deductions, total)."""
    method: str
    """How periods combine: sum, mean or weighted_mean (`SumsEvaluator._method`)."""
    weights: Sequence[int]
    """The weighted mean's integer weight of each planned period."""


def compile_member(
    shape: Shape,
    counted: Sequence[int],
    honor_credits: Callable[..., None],
    grade_for: Callable[[int], str | None],
) -> CompiledMember:
    """The member function for members counted in the planned periods `counted`."""
    source = "\n".join(_source(shape, counted))
    namespace: dict[str, Any] = {
        "_credit": honor_credits,
        "_grade": grade_for,
    }
    exec(compile(source, f"<jifen fast member {tuple(counted)}>", "exec"), namespace)  # noqa: S102
    function: CompiledMember = namespace["member"]
    return function


def _source(shape: Shape, counted: Sequence[int]) -> list[str]:
    scored = range(counted[-1] + 1) if shape.stateful else counted
    lines = ["def member(rows, honors):", "    get = rows.get"]
    if shape.has_honors:
        lines += ["    hget = honors.get", "    state = {}"]
    if shape.bonus_per_year:
        lines.append("    used = 0")
    for p in scored:
        lines += [f"    {line}" for line in _period(shape, p)]
    lines += [f"    {line}" for line in _combine(shape, counted)]
    return lines


def _period(shape: Shape, p: int) -> list[str]:
    """Lines that set v{k}_{p}, b_{p}, d_{p}, t_{p} for planned period p."""
    n_dims, slots = len(shape.dims), range(shape.n_slots)
    targets = [f"v{k}_{p}" for k in range(n_dims)] + [f"b_{p}", f"d_{p}", f"t_{p}"]
    empty_values = [*shape.empty[0], *shape.empty[1:]]
    lines = [f"row = get({p})"]
    if shape.has_honors:
        lines += [f"hon = hget({p})", "if row is None and not hon:"]
    else:
        lines.append("if row is None:")
    lines.append(f"    {', '.join(targets)} = {', '.join(map(str, empty_values))}")
    lines.append("else:")
    body = ["if row is None:", f"    {' = '.join(f'a{s}' for s in slots)} = 0", "else:"]
    body += [f"    {line}" for line in _sums(shape)]
    if shape.has_honors:
        acc = ", ".join(f"a{s}" for s in slots)
        body += ["if hon:", f"    acc = [{acc}]", "    _credit(hon, state, acc)"]
        body.append(f"    {acc}{',' if shape.n_slots == 1 else ''} = acc")
    for k, (start, floor, cap) in enumerate(shape.dims):
        v = f"v{k}_{p}"
        body += [f"{v} = {start} + a{k}", f"if {v} < {floor}:", f"    {v} = {floor}"]
        if cap is not None:
            body += [f"elif {v} > {cap}:", f"    {v} = {cap}"]
    b, d = f"b_{p}", f"d_{p}"
    body.append(f"{b} = a{shape.bonus_slot}")
    if shape.bonus_cap is not None:
        body += [f"if {b} > {shape.bonus_cap}:", f"    {b} = {shape.bonus_cap}"]
        if shape.bonus_per_year:
            body += [f"if {b} > {shape.bonus_cap} - used:", f"    {b} = {shape.bonus_cap} - used"]
            body.append(f"used += {b}")
    body.append(f"{d} = a{shape.deduction_slot}")
    if shape.deduction_floor is not None:
        low = shape.deduction_floor
        body += [f"if {d} < {low}:", f"    {d} = {low}"]
    base = [str(shape.base)] if shape.base else []
    parts = [*base, *(f"v{k}_{p}" for k in range(n_dims)), b, d]
    body.append(f"t_{p} = {' + '.join(parts)}")
    lines += [f"    {line}" for line in body]
    return lines


def _sums(shape: Shape) -> list[str]:
    """Lines that set a{slot} from the row: each column added into its slot, an assessed
    column first held to its max."""
    added: dict[int, list[str]] = {s: [] for s in range(shape.n_slots)}
    # A sums row is (member, period, c_0, …, c_{n-1}), exactly: unpacked at once.
    lines = [f"_, _, {''.join(f'c{k}, ' for k in range(len(shape.columns)))}= row"]
    for k, (slot, most) in enumerate(shape.columns):
        value = f"c{k}"
        if most is not None:
            value = f"(c{k} if c{k} <= {most} else {most})"
        added[slot].append(value)
    lines += [f"a{s} = {' + '.join(values) or '0'}" for s, values in added.items()]
    return lines


def _combine(shape: Shape, counted: Sequence[int]) -> list[str]:
    """`SumsEvaluator._combine` without vetoes, status or an annual part: each column
    combined into r0, r1, … (dimensions, then bonus, deductions, total)."""
    n_dims = len(shape.dims)
    columns = [f"v{k}" for k in range(n_dims)] + ["b", "d", "t"]
    lines = []
    if len(counted) == 1:
        (p,) = counted
        lines += [f"r{i} = {column}_{p}" for i, column in enumerate(columns)]
    else:
        weights = [1] * len(counted)
        if shape.method == "weighted_mean":
            weights = [shape.weights[p] for p in counted]
        divisor = sum(weights)
        for i, column in enumerate(columns):
            if all(w == 1 for w in weights):
                total = " + ".join(f"{column}_{p}" for p in counted)
            else:
                pairs = zip(counted, weights, strict=True)
                total = " + ".join(f"{column}_{p} * {w}" for p, w in pairs)
            if shape.method == "sum":
                lines.append(f"r{i} = {total}")
                continue
            # `_div_half_up` inline: round(n / divisor), ties away from zero, as
            # floor((2n + divisor) / 2·divisor) for n ≥ 0 and its mirror below zero.
            lines += [
                f"n = {total}",
                f"r{i} = (n + n + {divisor}) // {2 * divisor} if n >= 0 "
                f"else -((({divisor}) - n - n) // {2 * divisor})",
            ]
    dims = ", ".join(f"r{k}" for k in range(n_dims)) + ("," if n_dims == 1 else "")
    total, bonus, deductions = f"r{n_dims + 2}", f"r{n_dims}", f"r{n_dims + 1}"
    return [*lines, f"return {total}, _grade({total}), None, ({dims}), {bonus}, {deductions}"]
