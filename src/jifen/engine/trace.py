"""The derivation of a result, recorded while it is computed.

The rules (`rules.py`, `evaluate.py`) build these records as they go, and the explanation
(`explain.py`) only presents them, so an explanation cannot drift from the number it
explains. Every record keeps its parts additive:

- `ItemPart.amount  == raw + Σ step.delta`
- `DimensionPart.value == start + Σ item amounts + Σ step.delta`
- `PoolPart.value == Σ item amounts + Σ step.delta`
- `PeriodTrace.subtotal == base + Σ dimension values + bonus + deductions`
- `PeriodTrace.total == subtotal + Σ veto step.delta` (None when disqualified)
- `Combination.value == round(Σ value × weight / divisor)` where it rounds, exact otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .points import ZERO


@dataclass(frozen=True, slots=True)
class Step:
    """A rule that changed a value: a clamp, a cap, an honor reduction, a veto."""

    kind: str
    """not_counted | honor | assessed_max | item_cap | clamp | veto_clear | bonus_cap |
    bonus_cap_year | deduction_limit | veto_zero"""
    text: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class SkippedOccurrence:
    """An occurrence kept in the ledger but not counted (past `max_times`)."""

    occurred_on: date
    seq: int
    points: Decimal
    quantity: int


@dataclass(slots=True)
class ItemPart:
    """What one item (and honor_key, for de-duplicated honors) adds in one period."""

    code: str
    name: str
    honor_key: str
    count: int
    raw: Decimal
    amount: Decimal = ZERO
    steps: list[Step] = field(default_factory=list)
    not_counted: list[SkippedOccurrence] = field(default_factory=list)

    def apply(self, kind: str, text: str, after: Decimal) -> None:
        """Record a rule that changes the amount (only when it does change it)."""
        if after != self.amount:
            self.steps.append(Step(kind, text, self.amount, after))
            self.amount = after


@dataclass(slots=True)
class DimensionPart:
    code: str
    name: str
    start: Decimal
    items: list[ItemPart] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    value: Decimal = ZERO


@dataclass(slots=True)
class PoolPart:
    code: str
    """bonus | deduction"""
    items: list[ItemPart] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    value: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class VetoHit:
    item: str
    name: str
    effect: str
    """The item's veto setting: zero, unqualified, disqualify or clear_dimension:<code>."""
    occurred_on: date
    seq: int


@dataclass(slots=True)
class PeriodTrace:
    """The score of one scoring period (or of the year's annual-only dimensions)."""

    key: str
    start: date
    end: date
    managed: bool = True
    base: Decimal = ZERO
    dimensions: list[DimensionPart] = field(default_factory=list)
    bonus: PoolPart = field(default_factory=lambda: PoolPart("bonus"))
    deductions: PoolPart = field(default_factory=lambda: PoolPart("deduction"))
    subtotal: Decimal = ZERO
    vetoes: list[VetoHit] = field(default_factory=list)
    veto_steps: list[Step] = field(default_factory=list)
    total: Decimal | None = ZERO

    @property
    def disqualified(self) -> bool:
        return any(hit.effect == "disqualify" for hit in self.vetoes)

    @property
    def forced_lowest(self) -> bool:
        return any(hit.effect in ("zero", "unqualified", "disqualify") for hit in self.vetoes)

    def dimension_values(self) -> dict[str, Decimal]:
        return {part.code: part.value for part in self.dimensions}


@dataclass(frozen=True, slots=True)
class Term:
    label: str
    value: Decimal
    weight: Decimal


@dataclass(frozen=True, slots=True)
class Combination:
    """How several values made one: Σ value × weight / divisor, rounded where the rule rounds."""

    label: str
    method: str
    """single | sum | mean | weighted_mean | composite | plus_annual"""
    terms: tuple[Term, ...]
    divisor: Decimal
    exact: Decimal
    value: Decimal
    rounded: bool
