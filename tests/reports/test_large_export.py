"""A large ranking exports with a bounded number of queries, through a write-only workbook,
and the workbook holds every row in order."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.members.models import Member
from jifen.reports import xlsx
from jifen.scoring.models import MemberResult, ResultSnapshot
from reports.xlsx_read import workbook_of

pytestmark = pytest.mark.django_db
MEMBERS = 3_000


def big_snapshot(personas: Any) -> ResultSnapshot:
    branch = personas.branch_a
    members = Member.objects.bulk_create(
        Member(tenant_id=branch.tenant_id, branch=branch, name=f"党员{i:05d}", gender="MF"[i % 2])
        for i in range(MEMBERS)
    )
    snapshot = ResultSnapshot.objects.create(
        tenant_id=branch.tenant_id, organisation=branch, scheme_code="s002", scheme_version=1,
        period="2030", inputs_hash="0" * 64, member_count=MEMBERS,
    )  # fmt: skip
    # Totals 100.00 down to 70.01 in steps of 0.01: each rank is unique and known.
    MemberResult.objects.bulk_create(
        MemberResult(
            snapshot=snapshot,
            member=m,
            branch=branch,
            total_hundredths=10_000 - i,
            grade="优秀" if i < 200 else "合格",
            rank=i + 1,
        )  # fmt: skip
        for i, m in enumerate(members)
    )
    return snapshot


def test_the_ranking_of_3000_members_exports_in_few_queries_write_only(
    personas, monkeypatch, django_assert_max_num_queries
) -> None:
    big_snapshot(personas)
    modes: list[bool] = []
    real_workbook = xlsx.Workbook

    def spy(*args: Any, **kwargs: Any) -> Any:
        modes.append(kwargs.get("write_only", False))
        return real_workbook(*args, **kwargs)

    monkeypatch.setattr(xlsx, "Workbook", spy)
    client = Client()
    client.force_login(personas.sam)
    url = reverse("report_ranking", args=[personas.branch_a.pk]) + "?period=2030&as=xlsx"
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert modes == [True]
    sheet = workbook_of(response).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == MEMBERS
    assert rows[0][:3] == (1, "—", "党员00000") and rows[-1][0] == MEMBERS
    assert rows[-1][4] == pytest.approx(70.01)


def test_the_page_of_a_large_ranking_shows_the_first_rows_and_says_so(
    personas, django_assert_max_num_queries
) -> None:
    big_snapshot(personas)
    client = Client()
    client.force_login(personas.sam)
    url = reverse("report_ranking", args=[personas.branch_a.pk]) + "?period=2030"
    with django_assert_max_num_queries(20):
        response = client.get(url)
    table = response.context["tables"][0]
    assert len(table["rows"]) == 500 and table["more"] is True
    assert "完整内容请导出 Excel" in response.content.decode()
