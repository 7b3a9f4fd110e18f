"""Seed 003's statistics tables for a committee's subtree (附件2 and 附件3).

×区党员积分管理情况统计表（一）: per organisation; （二）: per member category (seed 003 sorts
members into 机关、社区、学校、“两新”组织). Both count, from one GROUP BY over the saved
results: the members in the summary, those scored, those exempt (可不纳入积分管理: a result
without total and grade), and the scored members in each grade. The header carries the
seed's fields: 单位, 党（工）委（总支、支部）, 党组织负责人, 填表人.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q

from jifen.reports.base import Column, Group, Report, Row, Table
from jifen.reports.scope import OrgScope, category_names, grade_names
from jifen.scoring.models import MemberResult

EXEMPT = Q(total_hundredths__isnull=True, grade="")


def counts_by(scope: OrgScope, key: str) -> dict[Any, dict[str, int]]:
    """{key value: {"all", "exempt", grade: n}} for `key` a MemberResult field path."""
    rows = (
        MemberResult.objects.filter(snapshot_id__in=scope.snapshots)
        .values(key, "grade")
        .annotate(n=Count("id"), exempt=Count("id", filter=EXEMPT))
        .order_by(key)
    )
    table: dict[Any, dict[str, int]] = {}
    for row in rows:
        bucket = table.setdefault(row[key], {"all": 0, "exempt": 0})
        bucket["all"] += row["n"]
        bucket["exempt"] += row["exempt"]
        if row["grade"]:
            bucket[row["grade"]] = bucket.get(row["grade"], 0) + row["n"] - row["exempt"]
    return table


def _columns(first: str, grades: list[str]) -> tuple[list[Column], list[Group]]:
    columns = [
        Column(first, 24),
        Column("党员总数", 9, "int"),
        Column("参加积分管理", 12, "int"),
        Column("不纳入积分管理", 14, "int"),
        *(Column(g, 8, "int") for g in grades),
    ]
    return columns, [Group("", 4), Group("评定等次", len(grades))] if grades else []


def _rows(labels: list[tuple[Any, str]], table: dict[Any, dict[str, int]], grades: list[str]):
    def rows() -> Iterator[Row]:
        total = {"all": 0, "exempt": 0, **dict.fromkeys(grades, 0)}
        for key, label in labels:
            bucket = table.get(key, {"all": 0, "exempt": 0})
            for name in total:
                total[name] += bucket.get(name, 0)
            yield _row(label, bucket, grades)
        yield _row("合计", total, grades)

    return rows


def _row(label: str, bucket: dict[str, int], grades: list[str]) -> Row:
    scored = bucket.get("all", 0) - bucket.get("exempt", 0)
    return (label, bucket.get("all", 0), scored, bucket.get("exempt", 0),
            *(bucket.get(g, 0) for g in grades))  # fmt: skip


def by_organisation(scope: OrgScope) -> Report:
    """附件2: one row per organisation that has members in the summary."""
    from jifen.orgs.models import Organisation

    grades = grade_names(scope.schemes)
    table = counts_by(scope, "branch_id")
    names = dict(
        Organisation.objects.filter(pk__in=list(table)).order_by("code").values_list("pk", "name")
    )
    columns, groups = _columns("党组织", grades)
    return Report(
        "statistics_1",
        f"党员积分管理情况统计表（一）（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [
            Table(
                "统计表（一）",
                columns,
                _rows(list(names.items()), table, grades),
                groups,
                note="按本期已保存的汇总结果统计；本期尚未汇总的组织不列入。",
            )  # fmt: skip
        ],
        filename=f"statistics-1-{scope.organisation.code}-{scope.period}",
    )


def by_category(scope: OrgScope) -> Report:
    """附件3: one row per member category (the schemes' categories first, then others)."""
    grades = grade_names(scope.schemes)
    table = counts_by(scope, "category")
    known = category_names(scope.schemes)
    for code in table:
        known.setdefault(code, code or "未分类")
    columns, groups = _columns("党员类别", grades)
    return Report(
        "statistics_2",
        f"党员积分管理情况统计表（二）（{scope.period}）",
        scope.fields(("期间", scope.period)),
        [Table("统计表（二）", columns, _rows(list(known.items()), table, grades), groups)],
        filename=f"statistics-2-{scope.organisation.code}-{scope.period}",
    )
