"""Reports over the saved results of a period: rankings, grades, the lists that follow.

Every table is one set-based query over `scoring.MemberResult` rows of the snapshots the
scope chose (`scope.OrgScope`), read with `.iterator()`; ranks over several snapshots (a
committee's branches) come from the database's RANK() window, which ties like the engine
(1, 2, 2, 4). Exempt and disqualified members (no rank) are not ranked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Case, Count, F, QuerySet, Value, When, Window
from django.db.models.functions import Rank

from jifen.reports.base import Column, Group, Report, Row, Table, points
from jifen.reports.scope import OrgScope, category_names, grade_names
from jifen.scoring.models import MemberResult

CHUNK = 2_000
# Low-score warning: no preset names a warning line, so it is the lowest passing band's
# minimum plus this margin (合格 60 → warn below 65); `?threshold=` overrides it.
WARNING_MARGIN = Decimal(5)
DEFAULT_PASS_LINE = Decimal(60)


def scored(scope: OrgScope) -> QuerySet[MemberResult]:
    """The ranked rows of the scope's snapshots (exempt and disqualified left out)."""
    return MemberResult.objects.filter(
        snapshot_id__in=scope.snapshots, total_hundredths__isnull=False, rank__isnull=False
    )


def _ranking_rows(scope: OrgScope, by_category: bool) -> Iterator[Row]:
    names = category_names(scope.schemes)
    partition = [F("category")] if by_category else None
    position = Window(Rank(), partition_by=partition, order_by=F("total_hundredths").desc())
    order: list[Any] = ["position", "member_id"]
    if by_category:
        order = ["category", *order]
    if by_category and names:  # the scheme's categories in its order, then others by code
        known = [When(category=code, then=Value(i)) for i, code in enumerate(names)]
        order = [Case(*known, default=Value(len(names))), *order]
    rows = (
        scored(scope)
        .annotate(position=position)
        .order_by(*order)
        .values_list(
            "position", "category", "member__name", "branch__name", "total_hundredths", "grade"
        )
    )
    for position, category, name, branch, total, grade in rows.iterator(chunk_size=CHUNK):
        yield (position, names.get(category, category) or "—", name, branch, points(total), grade)


RANK_COLUMNS = [
    Column("名次", 6, "int"),
    Column("党员类别", 10),
    Column("姓名", 12),
    Column("所在支部", 24),
    Column("得分", 9, "points"),
    Column("等次", 8),
]


def ranking(scope: OrgScope) -> Report:
    return Report(
        "ranking",
        f"党员积分排名（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [Table("积分排名", RANK_COLUMNS, lambda: _ranking_rows(scope, False))],
        filename=f"ranking-{scope.organisation.code}-{scope.period}",
    )


def category_ranking(scope: OrgScope) -> Report:
    return Report(
        "category_ranking",
        f"党员分类积分排名（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [Table("分类排名", RANK_COLUMNS, lambda: _ranking_rows(scope, True))],
        filename=f"category-ranking-{scope.organisation.code}-{scope.period}",
    )


def _share(count: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(100 * count) / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


def grade_table(scope: OrgScope) -> tuple[list[str], dict[tuple[int, str], dict[str, int]]]:
    """(grade names, {(branch id, branch name): {grade or '' (exempt): members}}) in one
    GROUP BY over the snapshots' rows."""
    counts: dict[tuple[int, str], dict[str, int]] = {}
    rows = (
        MemberResult.objects.filter(snapshot_id__in=scope.snapshots)
        .values("branch_id", "branch__name", "branch__code", "grade")
        .annotate(n=Count("id"))
        .order_by("branch__code", "branch_id")
    )
    for row in rows:
        bucket = counts.setdefault((row["branch_id"], row["branch__name"]), {})
        grade = row["grade"] if row["grade"] else ""
        bucket[grade] = bucket.get(grade, 0) + row["n"]
    return grade_names(scope.schemes), counts


def grade_distribution(scope: OrgScope) -> Report:
    grades, counts = grade_table(scope)

    def rows() -> Iterator[Row]:
        totals = dict.fromkeys(grades, 0)
        whole_all = 0
        for (_, name), bucket in counts.items():
            whole = sum(n for g, n in bucket.items() if g)
            whole_all += whole
            row: list[Any] = [name, whole]
            for grade in grades:
                totals[grade] += bucket.get(grade, 0)
                row += [bucket.get(grade, 0), _share(bucket.get(grade, 0), whole)]
            yield tuple(row)
        total_row: list[Any] = ["合计", whole_all]
        for grade in grades:
            total_row += [totals[grade], _share(totals[grade], whole_all)]
        yield tuple(total_row)

    columns = [Column("党组织", 24), Column("评定人数", 9, "int")]
    groups = [Group("", 2)]
    for grade in grades:
        columns += [Column("人数", 7, "int"), Column("占比(%)", 9, "points")]
        groups.append(Group(grade, 2))
    return Report(
        "grades",
        f"党员积分等次分布（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [Table("等次分布", columns, rows, groups)],
        filename=f"grades-{scope.organisation.code}-{scope.period}",
    )


def _hundredths(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), ROUND_HALF_UP).scaleb(-2)


def _below_average_rows(scope: OrgScope) -> Iterator[Row]:
    rows = (
        scored(scope)
        .annotate(average=Window(Avg("total_hundredths"), partition_by=[F("branch_id")]))
        .filter(total_hundredths__lt=F("average"))
        .order_by("branch__code", "branch_id", "total_hundredths", "member_id")
        .values_list("branch__name", "member__name", "total_hundredths", "average", "grade")
    )
    for branch, name, total, average, grade in rows.iterator(chunk_size=CHUNK):
        mean = _hundredths(average)
        yield (branch, name, points(total), mean, mean - points(total), grade)  # type: ignore[operator]


def below_average(scope: OrgScope) -> Report:
    columns = [
        Column("所在支部", 24),
        Column("姓名", 12),
        Column("得分", 9, "points"),
        Column("支部平均分", 11, "points"),
        Column("低于平均", 10, "points"),
        Column("等次", 8),
    ]
    return Report(
        "below_average",
        f"低于支部平均分党员名单（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [
            Table(
                "低于平均分",
                columns,
                lambda: _below_average_rows(scope),
                note="支部平均分为本期参加排名党员得分的算术平均（四舍五入到0.01分）。",
            )  # fmt: skip
        ],
        filename=f"below-average-{scope.organisation.code}-{scope.period}",
    )


def warning_line(scope: OrgScope) -> Decimal:
    """The lowest passing band's minimum plus `WARNING_MARGIN` (see the constant)."""
    for scheme in scope.schemes:
        passing = [g.min for g in scheme.grades if g.min is not None]
        if passing:
            return min(passing) + WARNING_MARGIN
    return DEFAULT_PASS_LINE + WARNING_MARGIN


def low_score(scope: OrgScope, threshold: Decimal | None = None) -> Report:
    line = warning_line(scope) if threshold is None else threshold
    limit = int(line * 100)

    def rows() -> Iterable[Row]:
        names = category_names(scope.schemes)
        found = (
            scored(scope)
            .filter(total_hundredths__lt=limit)
            .order_by("total_hundredths", "member_id")
            .values_list("branch__name", "member__name", "category", "total_hundredths", "grade")
        )
        for branch, name, category, total, grade in found.iterator(chunk_size=CHUNK):
            yield (branch, name, names.get(category, category) or "—", points(total), grade)

    columns = [
        Column("所在支部", 24),
        Column("姓名", 12),
        Column("党员类别", 10),
        Column("得分", 9, "points"),
        Column("等次", 8),
    ]
    return Report(
        "low_score",
        f"低分预警名单（{scope.period}）",
        scope.fields(("期间", scope.period), ("预警线", f"{line:.2f}")),
        [
            Table(
                "低分预警",
                columns,
                rows,
                note=f"得分低于 {line:.2f} 分的党员（默认预警线为最低合格等次分数线加 "
                f"{WARNING_MARGIN} 分）。",
            )  # fmt: skip
        ],
        filename=f"low-score-{scope.organisation.code}-{scope.period}",
    )
