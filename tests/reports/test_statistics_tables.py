"""Seed 003's statistics tables (附件2 per organisation, 附件3 per member category) and the
grade lists: their counts equal counts made independently from the saved results."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.scoring.models import MemberResult
from jifen.workflow.models import YearEvaluation

pytestmark = pytest.mark.django_db


def page(world: Any, slug: str, org: Any, query: str = "") -> Any:
    client = Client()
    client.force_login(world.personas.carol)
    response = client.get(reverse(f"report_{slug}", args=[org.pk]) + query)
    assert response.status_code == 200
    return response


def independent_counts(branch_id: int) -> dict[str, int]:
    snapshot = YearEvaluation.objects.get(branch_id=branch_id, year=2025).snapshot_id
    results = list(MemberResult.objects.filter(snapshot_id=snapshot))
    exempt = [r for r in results if r.total_hundredths is None and not r.grade]
    grades = Counter(r.grade for r in results if r not in exempt)
    return {"all": len(results), "exempt": len(exempt), **grades}


def test_table_one_counts_members_scored_exempt_and_in_each_grade(report_world) -> None:
    personas = report_world.personas
    response = page(report_world, "statistics_1", personas.committee)
    rows = {row[0]: row for row in response.context["tables"][0]["rows"]}
    assert set(rows) == {"甲支部", "乙支部", "合计"}
    for branch in (personas.branch_a, personas.branch_b):
        counts = independent_counts(branch.pk)
        grades = (counts.get(g, 0) for g in ("优秀", "良好", "合格", "不合格"))
        scored = counts["all"] - counts["exempt"]
        expected = (branch.name, counts["all"], scored, counts["exempt"], *grades)
        assert rows[branch.name] == expected
    # Written out for branch A: 7 members, 李四 exempt, 3 优秀, 2 良好, the vetoed one 不合格.
    assert rows["甲支部"] == ("甲支部", 7, 6, 1, 3, 2, 0, 1)
    assert rows["合计"] == ("合计", 9, 8, 1, 4, 3, 0, 1)
    fields = dict(response.context["report"].fields)
    assert set(fields) >= {"单位", "党（工）委（总支、支部）", "党组织负责人", "填表人"}


def test_table_two_counts_by_member_category(report_world) -> None:
    response = page(report_world, "statistics_2", report_world.personas.committee)
    rows = response.context["tables"][0]["rows"]
    assert rows[-1] == ("合计", 9, 8, 1, 4, 3, 0, 1)
    assert (
        sum(row[1] for row in rows[:-1])
        == MemberResult.objects.filter(snapshot__period="2025").count()
    )


def test_the_grade_distribution_gives_counts_and_shares(report_world) -> None:
    response = page(report_world, "grades", report_world.personas.branch_a)
    (row, total) = response.context["tables"][0]["rows"]
    assert row[:4] == ("甲支部", 6, 3, pytest.approx(50))
    assert str(row[3]) == "50.00" and total[0] == "合计"


def test_below_average_lists_members_under_their_branch_mean(report_world) -> None:
    response = page(report_world, "below_average", report_world.personas.committee)
    rows = [(r[0], r[1], str(r[3])) for r in response.context["tables"][0]["rows"]]
    # A: (100 × 3 + 97.5 + 96.25 + 0) / 6 = 82.29; B: (100 + 97.5) / 2 = 98.75.
    assert rows == [("甲支部", "-1", "82.29"), ("乙支部", "赵六", "98.75")]


def test_low_score_warnings_use_the_schemes_pass_line_plus_a_margin(report_world) -> None:
    response = page(report_world, "low_score", report_world.personas.committee)
    names = [r[1] for r in response.context["tables"][0]["rows"]]
    assert names == ["-1", '=HYPERLINK("x")']  # below 92 + 5 = 97
    response = page(report_world, "low_score", report_world.personas.committee, "?threshold=98")
    assert [r[1] for r in response.context["tables"][0]["rows"]][-1] == "赵六"


def test_the_talk_list_is_the_years_list(report_world) -> None:
    response = page(report_world, "talk", report_world.personas.committee, "?year=2025")
    rows = response.context["tables"][0]["rows"]
    assert [(r[0], r[1], str(r[2]), r[3]) for r in rows] == [("甲支部", "-1", "0.00", "不合格")]


def test_rankings_over_a_committee_tie_like_the_engine(report_world) -> None:
    response = page(report_world, "ranking", report_world.personas.committee)
    ranks = [(r[0], r[2]) for r in response.context["tables"][0]["rows"]]
    assert [rank for rank, _ in ranks] == [1, 1, 1, 1, 5, 5, 7, 8]
    assert "李四" not in {name for _, name in ranks}  # exempt: not ranked


def test_category_ranking_and_table_two_use_the_schemes_category_names(personas) -> None:
    """A hand-made s003 snapshot: 机关 (organ) and 社区 (community) members, one exempt."""
    from jifen.members.models import Member
    from jifen.scoring.models import ResultSnapshot

    branch = personas.branch_a
    snapshot = ResultSnapshot.objects.create(
        tenant_id=branch.tenant_id, organisation=branch, scheme_code="s003", scheme_version=1,
        period="2031", inputs_hash="0" * 64, member_count=5,
    )  # fmt: skip
    rows = [("甲", "organ", 9500, "优秀"), ("乙", "organ", 8500, "良好"),
            ("丙", "community", 9000, "优秀"), ("丁", "community", 5000, "不合格"),
            ("戊", "community", None, "")]  # fmt: skip
    for name, category, total, grade in rows:
        member = Member.objects.create(
            tenant_id=branch.tenant_id, branch=branch, name=name, gender="M", category=category
        )
        MemberResult.objects.create(
            snapshot=snapshot, member=member, branch=branch, total_hundredths=total, grade=grade,
            category=category, rank=None if total is None else 1,
        )  # fmt: skip
    client = Client()
    client.force_login(personas.sam)
    url = reverse("report_category_ranking", args=[branch.pk]) + "?period=2031"
    ranked = [(r[1], r[0], r[2]) for r in client.get(url).context["tables"][0]["rows"]]
    assert ranked == [("机关", 1, "甲"), ("机关", 2, "乙"), ("社区", 1, "丙"), ("社区", 2, "丁")]
    url = reverse("report_statistics_2", args=[branch.pk]) + "?period=2031"
    table = {r[0]: r for r in client.get(url).context["tables"][0]["rows"]}
    assert table["机关"] == ("机关", 2, 2, 0, 1, 1, 0, 0)
    assert table["社区"] == ("社区", 3, 2, 1, 1, 0, 0, 1)
    assert table["学校"] == ("学校", 0, 0, 0, 0, 0, 0, 0)  # every category of the scheme
    assert table["合计"] == ("合计", 5, 4, 1, 2, 1, 0, 1)
