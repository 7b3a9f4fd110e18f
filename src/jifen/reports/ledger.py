"""Reports read from the ledger and the year lists: the member card (一人一卡), the branch
ledger (积分台账), the registration table (党员积分登记表) and the talk list (谈话名单).

Each table is one query (values tuples, `.iterator()`); names of items come from the
scheme files, not the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from jifen.engine.errors import EngineError
from jifen.engine.periods import Span, parse_period
from jifen.ledger.models import LedgerEntry, Period, Source
from jifen.members.models import Member, MemberTransfer
from jifen.orgs.models import Organisation
from jifen.orgs.services import effective_scheme_code
from jifen.reports.base import Column, Group, Report, Row, Table, points
from jifen.reports.scope import (
    OrgScope,
    category_names,
    item_names,
    load_schemes,
    snapshot_ids,
)
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.workflow.models import YearListEntry
from jifen.workflow.states import YearListKind

CHUNK = 2_000
SOURCES = dict(Source.choices)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


ENTRY_COLUMNS = [
    Column("序号", 7, "int"),
    Column("发生日期", 11),
    Column("积分项目", 22),
    Column("分值", 8, "points"),
    Column("次数", 6, "int"),
    Column("小计", 8, "points"),
    Column("来源", 10),
    Column("说明/原因", 30),
    Column("冲正序号", 9, "int"),
    Column("记录人", 10),
    Column("审核人", 10),
    Column("记录时间", 17),
]


def _entry_rows(entries: Any, names: dict[str, str], with_member: bool) -> Iterator[Row]:
    fields = ["seq", "occurred_on", "item_code", "points_hundredths", "quantity", "source",
              "note", "reverses__seq", "recorded_by__username", "approved_by__username",
              "recorded_at"]  # fmt: skip
    if with_member:
        fields.insert(2, "member__name")
    for row in entries.values_list(*fields).iterator(chunk_size=CHUNK):
        values = list(row)
        if with_member:
            name = values.pop(2)
        seq, day, item, hundredths, quantity, source, note, reversed_seq, by, approver, at = values
        out: Row = (
            seq, day.isoformat(), names.get(item, item), points(hundredths), quantity,
            points(hundredths * quantity), SOURCES.get(source, source), note, reversed_seq,
            by or "", approver or "", _when(at),
        )  # fmt: skip
        yield (out[0], out[1], name, *out[2:]) if with_member else out


# --- the member card --------------------------------------------------------------------


def member_card(member: Member, *, user: Any, today: dt.date) -> Report:
    """Every period's saved result of the member (the latest summary of each), and every
    ledger entry of the member with its reason, reversals included."""
    latest = (
        ResultSnapshot.objects.filter(results__member=member)
        .values("organisation_id", "period")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    results = list(
        MemberResult.objects.filter(member=member, snapshot_id__in=list(latest))
        .order_by("snapshot__period", "snapshot_id")
        .values_list(
            "snapshot__period",
            "snapshot__scheme_code",
            "branch__name",
            "total_hundredths",
            "grade",
            "rank",
            "category_rank",
            "dimensions",
            "bonus_hundredths",
            "deductions_hundredths",
            "veto",
        )  # fmt: skip
    )
    schemes = load_schemes(dict.fromkeys(r[1] for r in results))
    dimensions: dict[str, str] = {}
    for scheme in schemes:
        dimensions.update({d.code: d.name for d in scheme.dimensions})
    for row in results:  # dimensions a scheme file no longer names keep their code
        dimensions.update({code: code for code in row[7] if code not in dimensions})
    schemes += load_schemes([effective_scheme_code(member.branch)])
    names = item_names(schemes)
    category = category_names(schemes).get(member.category, member.category)

    def period_rows() -> Iterator[Row]:
        for period, scheme, branch, total, grade, rank, crank, dims, bonus, cut, veto in results:
            yield (
                period, scheme, branch, points(total), grade, rank, crank,
                *(_decimal(dims.get(code)) for code in dimensions),
                points(bonus), points(cut), names.get(veto, veto),
            )  # fmt: skip

    period_columns = [
        Column("期间", 10), Column("积分办法", 8), Column("所在支部", 18),
        Column("得分", 8, "points"), Column("等次", 8), Column("排名", 6, "int"),
        Column("类别内排名", 10, "int"),
        *(Column(name, 10, "points") for name in dimensions.values()),
        Column("加分", 8, "points"), Column("扣分", 8, "points"), Column("一票否决", 14),
    ]  # fmt: skip
    groups = [Group("", 7)]
    if dimensions:
        groups.append(Group("各板块得分", len(dimensions)))
    groups.append(Group("", 3))
    entries = LedgerEntry.objects.filter(tenant_id=member.tenant_id, member=member).order_by(
        "occurred_on", "seq"
    )
    return Report(
        "card",
        f"党员积分卡（一人一卡）：{member.name}",
        [
            ("姓名", member.name),
            ("所在支部", member.branch.name),
            ("身份", member.get_status_display()),
            ("党员类别", category or "—"),
            ("日期", today.isoformat()),
        ],
        [
            Table("各期积分", period_columns, period_rows, groups),
            Table("积分记录", ENTRY_COLUMNS, lambda: _entry_rows(entries, names, False)),
        ],
        filename=f"card-{member.pk}",
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- the branch ledger -------------------------------------------------------------------


def span_of_request(scope: OrgScope, text: str) -> Span:
    """The span a ledger report covers: `text` if it is a period label (2025, 2025-Q1,
    2025-03), else the latest period of the organisation, else this year."""
    if text:
        return parse_period(text)
    label = (
        Period.objects.filter(organisation_id__in=scope.subtree)
        .order_by("-starts_on")
        .values_list("label", flat=True)
        .first()
    )
    try:
        return parse_period(label or str(scope.today.year))
    except EngineError:  # a period named otherwise: the year of today
        return parse_period(str(scope.today.year))


def subtree_item_names(scope: OrgScope) -> dict[str, str]:
    """Item names of the schemes used in the subtree (its own and any set below it)."""
    codes = Organisation.objects.filter(pk__in=scope.subtree).exclude(scheme_code="")
    own = effective_scheme_code(scope.organisation)
    return item_names(
        load_schemes(dict.fromkeys([own, *codes.values_list("scheme_code", flat=True)]))
    )


def branch_ledger(scope: OrgScope, span: Span) -> Report:
    names = subtree_item_names(scope)
    entries = LedgerEntry.objects.filter(
        tenant_id=scope.organisation.tenant_id or scope.organisation.pk,
        organisation_id__in=scope.subtree,
        occurred_on__gte=span.start,
        occurred_on__lte=span.end,
    ).order_by("seq")
    columns = [*ENTRY_COLUMNS[:2], Column("党员", 12), *ENTRY_COLUMNS[2:]]
    return Report(
        "ledger",
        f"积分台账（{span.key}）",
        scope.fields(("期间", span.key)),
        [
            Table(
                "积分台账",
                columns,
                lambda: _entry_rows(entries, names, True),
                note="冲正记录与被冲正的原记录都保留在台账中；两者在计分时一并不计。",
            )  # fmt: skip
        ],
        filename=f"ledger-{scope.organisation.code}-{span.key}",
    )


# --- the registration table -----------------------------------------------------------------


def registration(scope: OrgScope, span: Span) -> Report:
    """党员积分登记表: the members × the items with entries in the span (net points of
    each), grouped under their dimension, the span's net change, and the saved result of
    the period where a summary of it exists."""
    organisation = scope.organisation
    schemes = load_schemes([effective_scheme_code(organisation)])
    scheme = schemes[0] if schemes else None
    entries = LedgerEntry.objects.filter(
        tenant_id=organisation.tenant_id or organisation.pk,
        organisation_id__in=scope.subtree,
        occurred_on__gte=span.start,
        occurred_on__lte=span.end,
    )
    sums = (
        entries.values("member_id", "item_code")
        .annotate(net=Sum(F("points_hundredths") * F("quantity")))
        .order_by()
    )
    by_member: dict[int, dict[str, int]] = {}
    for row in sums:
        by_member.setdefault(row["member_id"], {})[row["item_code"]] = row["net"]
    used = {code for items in by_member.values() for code in items}
    items, groups_of = _item_order(scheme, used)
    snapshots = snapshot_ids(organisation, scope.subtree, span.key)
    result = MemberResult.objects.filter(
        snapshot_id__in=snapshots, member_id=OuterRef("pk")
    ).order_by("-snapshot_id")
    joined_later = MemberTransfer.objects.filter(
        member_id=OuterRef("pk"), to_branch_id__in=scope.subtree, transferred_on__gt=span.end
    )
    members = (
        # The members of the span: today's, less those who joined after it, and those who
        # left since but have entries here in the span.
        Member.objects.filter(
            (Q(branch_id__in=scope.subtree) & ~Exists(joined_later))
            | Q(pk__in=entries.values("member_id"))
        )
        .annotate(
            total=Subquery(result.values("total_hundredths")[:1]),
            grade_=Subquery(result.values("grade")[:1]),
        )
        .order_by("branch__code", "pk")
        .values_list("pk", "name", "branch__name", "total", "grade_")
    )

    def rows() -> Iterator[Row]:
        for number, (pk, name, branch, total, grade) in enumerate(
            members.iterator(chunk_size=CHUNK), start=1
        ):
            mine = by_member.get(pk, {})
            net = sum(mine.values()) if mine else 0
            yield (
                number, name, branch, *(points(mine[c]) if c in mine else None for c in items),
                points(net), points(total), grade or "",
            )  # fmt: skip

    columns = [
        Column("序号", 6, "int"), Column("姓名", 12), Column("所在支部", 18),
        *(Column(scope_name, 10, "points") for scope_name in _names(scheme, items)),
        Column("本期积分变动", 12, "points"), Column("本期得分", 10, "points"),
        Column("等次", 8),
    ]  # fmt: skip
    groups = [Group("", 3), *(Group(label, span_) for label, span_ in groups_of), Group("", 3)]
    return Report(
        "registration",
        f"党员积分登记表（{span.key}）",
        scope.fields(("期间", span.key)),
        [Table("积分登记表", columns, rows, groups)],
        filename=f"registration-{organisation.code}-{span.key}",
    )


def _item_order(scheme: Any, used: set[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """The used items in the scheme's order, and (dimension name, count) groups."""
    if scheme is None:
        return sorted(used), [("积分项目", len(used))] if used else []
    dimension_names = {d.code: d.name for d in scheme.dimensions}
    dimension_names.update(bonus="加分项目", deduction="扣分项目")
    order: dict[str, list[str]] = {}
    known = set()
    for item in scheme.items:
        if item.code in used:
            key = dimension_names.get(item.dimension or "", "一票否决")
            order.setdefault(key, []).append(item.code)
            known.add(item.code)
    if used - known:
        order["其他"] = sorted(used - known)
    items = [code for codes in order.values() for code in codes]
    return items, [(label, len(codes)) for label, codes in order.items()]


def _names(scheme: Any, items: list[str]) -> list[str]:
    names = {i.code: i.name for i in scheme.items} if scheme is not None else {}
    return [names.get(code, code) for code in items]


# --- the talk list ---------------------------------------------------------------------


def talk_years(scope: OrgScope) -> list[int]:
    return list(
        YearListEntry.objects.filter(
            tenant_id=scope.organisation.tenant_id or scope.organisation.pk,
            kind=YearListKind.TALK,
            evaluation__branch_id__in=scope.subtree,
        )
        .values_list("evaluation__year", flat=True)
        .distinct()
        .order_by("-evaluation__year")
    )


def talk_list(scope: OrgScope, year: int | None) -> Report:
    entries = YearListEntry.objects.filter(
        tenant_id=scope.organisation.tenant_id or scope.organisation.pk,
        kind=YearListKind.TALK,
        evaluation__branch_id__in=scope.subtree,
        evaluation__year=year or 0,
    )
    result = MemberResult.objects.filter(
        snapshot_id=OuterRef("evaluation__snapshot_id"), member_id=OuterRef("member_id")
    )

    def rows() -> Iterator[Row]:
        found = (
            entries.annotate(
                total=Subquery(result.values("total_hundredths")[:1]),
                grade=Subquery(result.values("grade")[:1]),
            )
            .order_by("evaluation__branch__code", "member_id")
            .values_list("evaluation__branch__name", "member__name", "total", "grade", "reason")
        )
        for branch, name, total, grade, reason in found.iterator(chunk_size=CHUNK):
            yield (branch, name, points(total), grade or "", reason)

    columns = [
        Column("所在支部", 24), Column("姓名", 12), Column("年度得分", 10, "points"),
        Column("等次", 8), Column("列入原因", 36),
    ]  # fmt: skip
    label = str(year) if year else "—"
    return Report(
        "talk",
        f"约谈/谈话名单（{label}年度）",
        scope.fields(("年度", label)),
        [Table("谈话名单", columns, rows)],
        filename=f"talk-{scope.organisation.code}-{label}",
    )
