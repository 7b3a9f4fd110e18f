"""The lists a graded year feeds, as the scorekeeper and the committee read them: award
candidates within the quota, the unqualified with their handling, the probationary
conversion report, the talk list; Bob (branch B) is told none of it exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.core.models import AuditEvent
from jifen.workflow.models import Handling, YearListEntry
from jifen.workflow.states import YearListKind
from jifen.workflow.years import evaluate_year, grade_year

from .conftest import NEXT_YEAR, client_of, member

pytestmark = pytest.mark.django_db


def graded(personas: Any, branch: Any = None, quota: int = 20) -> Any:
    evaluation = evaluate_year(
        actor=personas.sam, branch=branch or personas.branch_a, year=2025, today=NEXT_YEAR
    )
    return grade_year(actor=personas.sam, evaluation=evaluation, award_quota=quota)


def list_url(personas: Any, kind: str) -> str:
    return reverse("year_list", args=[personas.branch_a.pk, 2025, kind])


def rows(page: str) -> str:
    """The first table's body: the list itself."""
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_unqualified_and_probationary_lists_hold_exactly_the_right_members(
    personas, year_a
) -> None:
    graded(personas)
    sam = client_of(personas.sam)
    unqualified = rows(sam.get(list_url(personas, "unqualified")).content.decode())
    assert "维克多" in unqualified and "一票否决" in unqualified
    assert all(n not in unqualified for n in ("王爱丽", "安妮", "安迪", "朵拉", "保罗"))
    report = sam.get(list_url(personas, "probationary")).content.decode()
    body = rows(report)
    assert "保罗" in body and "92.50" in body and "合格" in body and "按期转正" in body
    assert all(n not in body for n in ("王爱丽", "安妮", "安迪", "朵拉", "维克多"))
    assert 'media="print"' in report
    talk = rows(sam.get(list_url(personas, "talk")).content.decode())
    assert "维克多" in talk and "朵拉" not in talk


def test_ten_members_and_a_fifth_give_at_most_two_candidates_ties_cut_by_order(personas) -> None:
    # Ten members of branch A with no entries: all 100, 优秀, tied at rank 1.
    people = [personas.alice] + [member(personas.branch_a, f"党员{i}") for i in range(9)]
    graded(personas, quota=20)
    chosen = YearListEntry.objects.filter(kind=YearListKind.AWARD).order_by("member_id")
    assert [e.member_id for e in chosen] == [people[0].pk, people[1].pk]  # registration order
    page = client_of(personas.sam).get(list_url(personas, "award")).content.decode()
    assert "参与排名（未被一票否决）10 人，评优比例 20%，名额 2 名" in page
    left_out = page.split('id="left-out"')[1]
    assert left_out.count("与最后一名入选者同分") == 8


def test_the_quota_leaves_out_vetoed_and_lower_grades(personas, year_a) -> None:
    graded(personas, quota=100)
    page = client_of(personas.sam).get(list_url(personas, "award")).content.decode()
    body = rows(page)
    assert all(n in body for n in ("王爱丽", "安妮", "安迪"))
    assert all(n not in page for n in ("朵拉", "保罗", "维克多"))  # 良好, 合格, vetoed


def test_the_handling_of_an_unqualified_member_is_decided_and_kept(personas, year_a) -> None:
    graded(personas)
    entry = YearListEntry.objects.get(kind=YearListKind.UNQUALIFIED)
    sam, url = client_of(personas.sam), list_url(personas, "unqualified")
    refused = sam.post(url, {"entry": entry.pk, "handling": "correct", "note": "一年内改正"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "限期改正须指定帮教人" in text and "一年内改正" in text
    entry.refresh_from_db()
    assert entry.handling == ""
    done = sam.post(url, {"entry": entry.pk, "handling": "correct", "helper": "李书记"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.handling, entry.handling_helper) == (Handling.CORRECT, "李书记")
    assert AuditEvent.objects.filter(action="year.handling", target_id=str(entry.pk)).exists()
    assert "限期改正" in sam.get(url).content.decode()
    # The committee reads the decision but cannot change it.
    carol = client_of(personas.carol)
    assert "李书记" in carol.get(url).content.decode()
    assert carol.post(url, {"entry": entry.pk, "handling": "remove"}).status_code == 403
    entry.refresh_from_db()
    assert entry.handling == Handling.CORRECT


def test_bob_is_told_branch_a_has_no_year_pages(personas, year_a) -> None:
    graded(personas)
    bob = client_of(personas.bob)
    args = [personas.branch_a.pk, 2025]
    for name, extra in (
        ("year_overview", []), ("year_appraisal", []), ("year_results", []),
        ("year_list", ["unqualified"]), ("year_list", ["award"]),
    ):  # fmt: skip
        assert bob.get(reverse(name, args=args + extra)).status_code == 404, name
    entry = YearListEntry.objects.get(kind=YearListKind.UNQUALIFIED)
    response = bob.post(
        list_url(personas, "unqualified"), {"entry": entry.pk, "handling": "remove"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.handling == ""
    index = bob.get(reverse("year_index")).content.decode()
    assert "乙支部" in index and "甲支部" not in index


def test_lists_are_not_shown_before_grading(personas, year_a) -> None:
    evaluate_year(actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR)
    assert client_of(personas.sam).get(list_url(personas, "award")).status_code == 404
    assert Client().get(list_url(personas, "award")).status_code == 302  # to sign in


def test_pages_read_a_large_branch_in_a_bounded_number_of_queries(
    personas, year_a, django_assert_max_num_queries
) -> None:
    for i in range(60):
        member(personas.branch_a, f"成员{i}", status="probationary" if i % 2 else "full")
    graded(personas, quota=50)
    sam = client_of(personas.sam)
    args = [personas.branch_a.pk, 2025]
    pages = [
        reverse("year_overview", args=args),
        reverse("year_appraisal", args=args),
        reverse("year_results", args=args),
        *(reverse("year_list", args=[*args, kind]) for kind in YearListKind.values),
    ]
    for url in pages:
        with django_assert_max_num_queries(25):
            assert sam.get(url).status_code == 200, url
