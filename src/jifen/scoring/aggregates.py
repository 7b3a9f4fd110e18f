"""The engine's input read from the database: members and `Aggregate`s, set-based.

Design overview
- **Effective entries.** An entry that has been reversed and the reversal itself are both
  left out: a correction cancels the original, whatever the dates of the two (a reversal
  dated in a later period still cancels the original in its own period). An archived
  period's published result is read from its snapshot, never recomputed, so a correction
  booked in an open period cannot change what was published.
- **Which entries.** The scope's members (their branch uses the scheme) and, for each,
  every effective entry of the tenant dated from 1 January to `Plan.read_to`, wherever it
  was earned: a member's result is the same whichever subtree is evaluated.
- **One GROUP BY.** The per-(member, scoring period, item, honor_key) sums come from one
  grouped query: SUM(points_hundredths × quantity), SUM(quantity), MAX(points_hundredths),
  MIN(occurred_on), MIN(seq). The scoring period is a CASE over `occurred_on` (plain date
  comparisons, the same SQL on SQLite and PostgreSQL, no per-row function call); an
  `annual_only` item's bucket is the year, and a non-honor item's honor_key is '' (the
  engine ignores it), so each grouped row is exactly one `Aggregate`.
- **Row items.** Items whose order of occurrence matters are read row by row with a second
  query filtered to those item codes: `max_times` items (their `occurrences`) and veto items
  (which veto came first is decided by the earliest entry's (occurred_on, seq)). For every
  other item `first_seq` is the smallest seq of the group: the engine reads it only to
  order vetoes and to name a row in a message.
- **Exact points.** Sums are integers of hundredths in SQL and `Decimal(n).scaleb(-2)` in
  Python: ties are ties on both databases.
- **Members.** One query of the scope's members (category, management dates) and one of
  the filed exemptions that overlap the requested period (status `exempt`).

Rows are read through a chunked cursor straight from the compiled queryset, so no model
instance and no per-row converter is built; dates come back as `date` (PostgreSQL) or ISO
text (SQLite) and both are mapped through a small cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from jifen.engine import Aggregate, Member, Occurrence
from jifen.engine.fast import ANNUAL
from jifen.ledger.models import LedgerEntry
from jifen.members.models import Exemption, ExemptionState
from jifen.members.models import Member as MemberModel
from jifen.scoring.scope import Scope

FETCH_ROWS = 20_000
ANNUAL_BUCKET = ANNUAL


@dataclass(frozen=True, slots=True)
class ScopeMember:
    pk: int
    branch_id: int
    member: Member
    """The engine's member: id is str(pk)."""


def member_queryset(scope: Scope) -> QuerySet[MemberModel]:
    members = MemberModel.objects.filter(tenant_id=scope.tenant.pk)
    if not scope.whole_tenant:
        members = members.filter(branch_id__in=scope.branch_ids)
    return members


def scope_members(scope: Scope, pks: tuple[int, int] | None = None) -> list[ScopeMember]:
    """The scope's members in id order, with `exempt` status where an exemption is filed;
    only those whose pk is in `pks` (inclusive) if given."""
    request = scope.plan.request
    exemptions = Exemption.objects.filter(
        tenant_id=scope.tenant.pk, state=ExemptionState.FILED, starts_on__lte=request.end
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=request.start))
    rows = member_queryset(scope).order_by("pk")
    if pks is not None:
        exemptions = exemptions.filter(member_id__gte=pks[0], member_id__lte=pks[1])
        rows = rows.filter(pk__gte=pks[0], pk__lte=pks[1])
    exempt = set(exemptions.values_list("member_id", flat=True))
    return [
        ScopeMember(
            pk,
            branch_id,
            Member(
                str(pk),
                category=category,
                status="exempt" if pk in exempt else "",
                managed_from=managed_from,
                managed_to=managed_to,
            ),
        )
        for pk, branch_id, category, managed_from, managed_to in rows.values_list(
            "pk", "branch_id", "category", "managed_from", "managed_to"
        )
    ]


def effective_entries(scope: Scope) -> QuerySet[LedgerEntry]:
    """The effective ledger entries the scope reads (see the module docstring)."""
    return entries_in_reach(scope).exclude(pk__in=reversed_ids(scope))


def entries_in_reach(scope: Scope) -> QuerySet[LedgerEntry]:
    """The scope's entries of the year up to `Plan.read_to`, reversals left out but the
    entries they reverse still in (`effective_entries` leaves those out too)."""
    plan = scope.plan
    entries = LedgerEntry.objects.filter(
        tenant_id=scope.tenant.pk,
        occurred_on__gte=plan.read_from,
        occurred_on__lte=plan.read_to,
        reverses__isnull=True,
    )
    if not scope.whole_tenant:
        entries = entries.filter(member_id__in=member_queryset(scope).values("pk"))
    return entries


def reversed_ids(scope: Scope) -> QuerySet[Any]:
    """The ids of the tenant's reversed entries, whatever the dates of their reversals."""
    return LedgerEntry.objects.filter(tenant_id=scope.tenant.pk, reverses__isnull=False).values(
        "reverses_id"
    )


def row_item_codes(scope: Scope) -> list[str]:
    """Items read row by row: their occurrences' order matters (max_times, vetoes)."""
    return [item.code for item in scope.scheme.items if item.max_times or item.veto]


class _Converters:
    """Small caches: a ledger year has few distinct dates and point values."""

    def __init__(self, scope: Scope) -> None:
        plan = scope.plan
        self.period_keys: dict[int, str] = {
            index: planned.key for index, planned in enumerate(plan.periods)
        }
        self.period_keys[ANNUAL_BUCKET] = str(plan.year)
        self.dates: dict[Any, dt.date] = {}
        self.points: dict[int, Decimal] = {}
        self.ids: dict[int, str] = {}

    def date(self, value: Any) -> dt.date:
        day = self.dates.get(value)
        if day is None:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
            self.dates[value] = day
        return day

    def decimal(self, hundredths: int) -> Decimal:
        value = self.points.get(hundredths)
        if value is None:
            value = Decimal(hundredths).scaleb(-2)
            if len(self.points) < 100_000:
                self.points[hundredths] = value
        return value

    def member_id(self, pk: int) -> str:
        text = self.ids.get(pk)
        if text is None:
            text = self.ids[pk] = str(pk)
        return text


def period_bucket(scope: Scope) -> Case | Value:
    """The scoring period of an entry as an index into `Plan.periods` (SQL CASE)."""
    plan = scope.plan
    annual = [item.code for item in scope.scheme.items if item.annual_only]
    whens = [When(item_code__in=annual, then=Value(ANNUAL_BUCKET))] if annual else []
    for index, planned in enumerate(plan.periods[:-1]):
        after = planned.span.end + dt.timedelta(days=1)
        whens.append(When(occurred_on__lt=after, then=Value(index)))
    if not whens:
        return Value(len(plan.periods) - 1, output_field=IntegerField())
    return Case(*whens, default=Value(len(plan.periods) - 1), output_field=IntegerField())


def _honor_key(scope: Scope) -> Case | Value:
    honors = [item.code for item in scope.scheme.items if item.honor]
    if not honors:
        return Value("", output_field=CharField())
    return Case(
        When(item_code__in=honors, then=F("honor_key")),
        default=Value(""),
        output_field=CharField(),
    )


def raw_rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The queryset's rows as raw tuples, fetched in chunks (server-side on PostgreSQL)."""
    return sql_rows(*queryset.query.sql_with_params())


def sql_rows(
    sql: str, params: Sequence[Any], *, server_side: bool = True
) -> Iterator[tuple[Any, ...]]:
    """The rows of one SELECT as raw tuples, fetched in chunks; on PostgreSQL through a
    server-side cursor unless `server_side=False`: a server-side cursor is planned for its
    first rows and without parallel workers, which a district's GROUP BY needs (its
    result, about one row per member and period, fits in memory)."""
    opened = connection.chunked_cursor() if server_side else connection.cursor()
    with opened as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(FETCH_ROWS)
            if not rows:
                return
            yield from rows


def grouped_queryset(scope: Scope) -> QuerySet[Any]:
    """The one GROUP BY: a row per (member, scoring period, item, honor_key)."""
    return (
        effective_entries(scope)
        .exclude(item_code__in=row_item_codes(scope))
        .values("member_id", "item_code", bucket=period_bucket(scope), key=_honor_key(scope))
        .annotate(
            total=Sum(F("points_hundredths") * F("quantity")),
            count=Sum("quantity"),
            highest=Max("points_hundredths"),
            first_on=Min("occurred_on"),
            first_seq=Min("seq"),
        )
        .values_list(
            "member_id",
            "bucket",
            "item_code",
            "key",
            "total",
            "count",
            "highest",
            "first_on",
            "first_seq",
        )
        .order_by()
    )


def row_queryset(scope: Scope) -> QuerySet[Any]:
    """Every effective entry of the row items (a small share of the ledger)."""
    return (
        effective_entries(scope)
        .filter(item_code__in=row_item_codes(scope))
        .values_list(
            "member_id",
            "item_code",
            "honor_key",
            "occurred_on",
            "seq",
            "points_hundredths",
            "quantity",
        )
        .order_by()
    )


def ledger_aggregates(scope: Scope) -> dict[int, list[Aggregate]]:
    """member pk -> the member's aggregates, from one GROUP BY and one query of row items."""
    convert = _Converters(scope)
    by_member: dict[int, list[Aggregate]] = {}
    new = Aggregate
    keys, date, decimal, member_id = (
        convert.period_keys,
        convert.date,
        convert.decimal,
        convert.member_id,
    )
    get = by_member.get
    for member, bucket, item, honor_key, total, count, highest, first_on, first_seq in raw_rows(
        grouped_queryset(scope)
    ):
        aggregate = new(
            member_id(member),
            keys[bucket],
            item,
            honor_key,
            decimal(total),
            count,
            decimal(highest),
            date(first_on),
            first_seq,
        )
        found = get(member)
        if found is None:
            by_member[member] = [aggregate]
        else:
            found.append(aggregate)
    if row_item_codes(scope):
        _add_row_items(scope, convert, by_member)
    return by_member


def _add_row_items(
    scope: Scope, convert: _Converters, by_member: dict[int, list[Aggregate]]
) -> None:
    """Aggregates of the row items, built as the engine builds them from raw entries."""
    scheme, plan = scope.scheme, scope.plan
    period_of: Callable[[dt.date], str] = _period_lookup(scope)
    groups: dict[tuple[int, str, str, str], list[tuple[dt.date, int, int, int]]] = {}
    for member, code, honor_key, occurred_on, seq, hundredths, quantity in raw_rows(
        row_queryset(scope)
    ):
        item = scheme.item(code)
        assert item is not None  # the query reads only the scheme's row items
        day = convert.date(occurred_on)
        key = str(plan.year) if item.annual_only else period_of(day)
        honor = honor_key if item.honor else ""
        groups.setdefault((member, key, code, honor), []).append((day, seq, hundredths, quantity))
    for (member, key, code, honor), rows in groups.items():
        rows.sort()
        item = scheme.item(code)
        first_on, first_seq = rows[0][0], rows[0][1]
        aggregate = Aggregate(
            convert.member_id(member),
            key,
            code,
            honor,
            convert.decimal(sum(h * q for _, _, h, q in rows)),
            sum(q for _, _, _, q in rows),
            convert.decimal(max(h for _, _, h, _ in rows)),
            first_on,
            first_seq,
            tuple(Occurrence(day, seq, convert.decimal(h), q) for day, seq, h, q in rows)
            if item is not None and item.max_times is not None
            else (),
        )
        by_member.setdefault(member, []).append(aggregate)


def _period_lookup(scope: Scope) -> Callable[[dt.date], str]:
    periods = scope.plan.periods

    def period_of(day: dt.date) -> str:
        for planned in periods:
            if day <= planned.span.end:
                return planned.key
        return periods[-1].key

    return period_of
