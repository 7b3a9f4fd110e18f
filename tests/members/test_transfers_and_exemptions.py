from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpers.ledger import post
from jifen.ledger.models import LedgerEntry
from jifen.members.models import ExemptionState
from jifen.members.services import decide_exemption, request_exemption, transfer_member

pytestmark = pytest.mark.django_db


def test_a_transfer_keeps_history_and_past_entries_stay_with_the_old_branch(personas) -> None:
    post(personas.alice, 2)
    # Carol's committee covers both branches; a branch scorekeeper alone cannot move
    # someone into a branch that is not theirs.
    with pytest.raises(PermissionDenied):
        transfer_member(actor=personas.sam, member=personas.alice, to_branch=personas.branch_b,
                        on=dt.date(2025, 6, 1), reason="工作调动")  # fmt: skip
    from jifen.orgs.services import grant_role

    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=personas.branch_b)
    transfer = transfer_member(actor=personas.sam, member=personas.alice,
                               to_branch=personas.branch_b, on=dt.date(2025, 6, 1),
                               reason="工作调动")  # fmt: skip
    personas.alice.refresh_from_db()
    assert personas.alice.branch == personas.branch_b
    assert transfer.from_branch == personas.branch_a
    assert set(
        LedgerEntry.objects.filter(member=personas.alice).values_list("organisation", flat=True)
    ) == {personas.branch_a.pk}
    with pytest.raises(ValidationError, match="相同"):
        transfer_member(actor=None, member=personas.alice, to_branch=personas.branch_b,
                        on=dt.date(2025, 7, 1), reason="再转")  # fmt: skip


def test_exemption_needs_the_branch_then_the_committee(personas) -> None:
    exemption = request_exemption(
        actor=personas.sam, member=personas.alice, reason="年满70岁，本人申请",
        starts_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # the sibling branch's scorekeeper
        decide_exemption(actor=personas.bob, exemption=exemption, level="branch", approve=True)
    with pytest.raises(ValidationError, match="不能进行此审批"):  # committee before branch
        decide_exemption(actor=personas.carol, exemption=exemption, level="committee",
                         approve=True)  # fmt: skip
    decide_exemption(actor=personas.sam, exemption=exemption, level="branch", approve=True)
    with pytest.raises(PermissionDenied):  # the branch cannot file with itself
        decide_exemption(actor=personas.sam, exemption=exemption, level="committee",
                         approve=True)  # fmt: skip
    exemption = decide_exemption(actor=personas.carol, exemption=exemption, level="committee",
                                 approve=True, note="同意备案")  # fmt: skip
    assert exemption.state == ExemptionState.FILED
    assert [a.level for a in exemption.approvals.order_by("decided_at")] == ["branch", "committee"]


def test_the_old_branch_may_still_record_acts_from_before_the_transfer(personas) -> None:
    from helpers.ledger import post
    from jifen.ledger.services import LedgerRefused
    from jifen.orgs.services import grant_role

    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=personas.branch_b)
    transfer_member(actor=personas.sam, member=personas.alice, to_branch=personas.branch_b,
                    on=dt.date(2025, 6, 1), reason="工作调动")  # fmt: skip
    personas.alice.branch_id = personas.branch_a.pk  # a draft naming the old branch
    post(personas.alice, 1, month=5)
    with pytest.raises(LedgerRefused, match="不属于组织"):
        post(personas.alice, 1, month=7)
