"""Exemptions through the pages: the scorekeeper requests, the branch approves first, the
committee files; bad input in Chinese next to the field; a form sent twice saves once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from committee.conftest import signed_in
from jifen.members.models import Exemption, ExemptionState
from jifen.members.services import request_exemption

pytestmark = pytest.mark.django_db
NEW = reverse("exemption_request")


def decide(client, exemption, decision: str, note: str = ""):
    url = reverse("exemption_decide", args=[exemption.pk])
    return client.post(url, {"action": "decide", "decision": decision, "note": note})


def requested(personas) -> Exemption:
    return request_exemption(
        actor=personas.sam, member=personas.alice, reason="长期患病", starts_on=dt.date(2025, 1, 1)
    )


def test_the_scorekeeper_requests_for_a_member_of_the_branch(personas) -> None:
    client = signed_in(personas.sam)
    data = {"member": personas.alice.pk, "reason": "长期在外务工", "starts_on": "2025-03-01",
            "ends_on": "", "token": str(uuid.uuid4())}  # fmt: skip
    assert client.post(NEW, data).status_code == 302
    again = client.post(NEW, data)  # the same form sent twice
    assert again.status_code == 302
    exemption = Exemption.objects.get()
    assert exemption.member == personas.alice and exemption.state == ExemptionState.REQUESTED
    assert exemption.requested_by == personas.sam


def test_bad_input_is_answered_in_chinese_next_to_the_fields(personas) -> None:
    data = {"member": personas.member_b.pk, "reason": "", "starts_on": "2025-03-01",
            "ends_on": "2025-02-01", "token": str(uuid.uuid4())}  # fmt: skip
    response = signed_in(personas.sam).post(NEW, data)
    errors = response.context["form"].errors
    assert errors["member"] == ["请从本支部党员中选择"]  # Bob's member is not Sam's
    assert errors["reason"] == ["此项为必填项"]
    assert errors["ends_on"] == ["截止日期不能早于起始日期"]
    assert 'value="2025-03-01"' in response.content.decode()  # what was typed is kept
    assert not Exemption.objects.exists()


def test_the_branch_approves_first_then_the_committee_files(personas) -> None:
    exemption = requested(personas)
    carol, sam = signed_in(personas.carol), signed_in(personas.sam)
    # The committee cannot go first: the page says why and nothing changes.
    early = decide(carol, exemption, "approve")
    assert early.status_code == 200 and "须先由支部审批同意" in early.content.decode()
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.REQUESTED
    assert exemption in signed_in(personas.sam).get(reverse("exemption_list")).context["at_branch"]
    assert decide(sam, exemption, "approve").status_code == 302
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.BRANCH_APPROVED
    # The branch cannot file it itself.
    again = decide(sam, exemption, "approve")
    assert "等待上级党组织备案" in again.content.decode()
    assert list(carol.get(reverse("exemption_list")).context["at_committee"]) == [exemption]
    assert decide(carol, exemption, "approve").status_code == 302
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.FILED
    assert [a.level for a in exemption.approvals.order_by("id")] == ["branch", "committee"]


def test_a_rejection_needs_a_reason(personas) -> None:
    exemption = requested(personas)
    sam = signed_in(personas.sam)
    response = decide(sam, exemption, "reject")
    assert response.context["form"].errors["note"] == ["不同意时请写明理由"]
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.REQUESTED
    assert decide(sam, exemption, "reject", "仍可参加组织生活").status_code == 302
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.REJECTED
    assert exemption.approvals.get().note == "仍可参加组织生活"


def test_bob_can_neither_see_nor_decide_branch_as_exemptions(personas) -> None:
    exemption = requested(personas)
    bob = signed_in(personas.bob)
    assert decide(bob, exemption, "approve").status_code == 404
    assert exemption not in bob.get(reverse("exemption_list")).context["recent"]
    exemption.refresh_from_db()
    assert exemption.state == ExemptionState.REQUESTED


def test_the_list_costs_the_same_queries_for_more_exemptions(
    personas, django_assert_max_num_queries
) -> None:
    from jifen.members.services import create_member

    requested(personas)
    carol = signed_in(personas.carol)
    with django_assert_max_num_queries(30) as few:
        carol.get(reverse("exemption_list"))
    for n in range(10):
        member = create_member(actor=None, branch=personas.branch_a, name=f"成员{n}", gender="M")
        request_exemption(actor=personas.sam, member=member, reason="病",
                          starts_on=dt.date(2025, 1, 1))  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = carol.get(reverse("exemption_list"))
    assert page.content.decode().count("成员") >= 10
