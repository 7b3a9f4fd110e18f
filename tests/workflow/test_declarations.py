"""Declarations: who may create, submit, appraise, approve, reject and return them, and
what each refusal says. A refusal writes nothing (row counts unchanged)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry, PeriodState, Source
from jifen.ledger.services import advance_period
from jifen.members.services import create_member
from jifen.workflow import events
from jifen.workflow.models import Declaration
from jifen.workflow.services import (
    WorkflowForbidden,
    WorkflowRefused,
    appraise_declaration,
    approve_declaration,
    create_declaration,
    entry_uid,
    reject_declaration,
    return_declaration,
    submit_declaration,
    update_declaration,
)
from jifen.workflow.states import DeclarationState

from .conftest import counts, declare, png_upload


def test_alice_declares_an_honor_and_it_waits_for_review(personas) -> None:
    declaration = declare(personas)
    assert declaration.state == DeclarationState.SUBMITTED
    assert declaration.submitted_at is not None
    assert declaration.scheme_code == "s002"
    assert AuditEvent.objects.filter(action=events.DECLARATION_CREATE).count() == 1


def test_resubmitting_the_same_form_returns_the_first_declaration(personas) -> None:
    key = uuid.uuid4()
    first = declare(personas, idempotency_key=key, evidence=[png_upload()])
    before = counts()
    again = declare(personas, idempotency_key=key, evidence=[png_upload()])
    assert again.pk == first.pk
    assert counts() == before


def test_the_same_key_on_a_different_declaration_is_refused(personas) -> None:
    key = uuid.uuid4()
    declare(personas, idempotency_key=key)
    before = counts()
    with pytest.raises(WorkflowRefused, match="另一份申报"):
        declare(personas, idempotency_key=key, item_code="honor_municipal")
    assert counts() == before


def test_a_member_cannot_declare_an_item_the_scheme_does_not_open_to_declaration(
    personas,
) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="不接受个人申报"):
        declare(personas, item_code="study_other", requested_points=Decimal("-1"), honor_key="")
    assert counts() == before


def test_nobody_declares_a_veto_item(personas) -> None:
    with pytest.raises(WorkflowRefused, match="一票否决"):
        declare(personas, actor=personas.sam, item_code="veto_safety", honor_key="")


def test_the_scorekeeper_declares_any_other_item_on_a_members_behalf(personas) -> None:
    declaration = declare(
        personas, actor=personas.sam, item_code="study_other",
        requested_points=Decimal("-2"), honor_key="", description="缺交学习笔记",
    )  # fmt: skip
    assert declaration.requested_points == Decimal("-2.00")
    assert declaration.created_by == personas.sam


def test_bob_cannot_declare_for_a_member_of_branch_a(personas) -> None:
    before = counts()
    with pytest.raises(WorkflowForbidden, match="无权限为党员"):
        declare(personas, actor=personas.bob)
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"requested_points": Decimal("2")}, "固定分值"),
        ({"honor_key": ""}, "honor_key"),
        ({"quantity": 2}, "数量须为 1"),
        ({"occurred_on": dt.date(2999, 1, 1)}, "晚于今天"),
        ({"item_code": "no_such_item"}, "没有项目"),
        ({"description": "  "}, "事由"),
        ({"requested_points": Decimal("1.005")}, "两位小数"),
    ],
)
def test_a_declaration_that_breaks_the_items_rules_is_refused_with_the_reason(
    personas, fields, reason
) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match=reason):
        declare(personas, **fields)
    assert counts() == before


def test_points_of_a_discretionary_item_are_required_and_keep_the_items_sign(personas) -> None:
    common = {"actor": personas.sam, "item_code": "study_other", "honor_key": ""}
    with pytest.raises(WorkflowRefused, match="须填写分值"):
        declare(personas, **common)
    with pytest.raises(WorkflowRefused, match="负数"):
        declare(personas, requested_points=Decimal("3"), **common)


def test_a_draft_is_kept_until_alice_submits_it(personas) -> None:
    declaration = declare(personas, submit=False)
    assert declaration.state == DeclarationState.DRAFT
    submitted = submit_declaration(actor=personas.alice_user, declaration=declaration)
    assert submitted.state == DeclarationState.SUBMITTED


def test_sam_approves_and_exactly_one_ledger_entry_is_written(personas) -> None:
    declaration = declare(personas, evidence=[png_upload()])
    approved = approve_declaration(actor=personas.sam, declaration=declaration, note="属实")
    entry = approved.ledger_entry
    assert approved.state == DeclarationState.APPROVED
    assert entry is not None
    assert entry.uid == entry_uid(declaration.pk)
    assert entry.source == Source.DECLARATION
    assert entry.approved_by_id == personas.sam.pk
    assert entry.points == Decimal("1.00")
    assert entry.honor_key == "2025-先进个人"
    assert entry.evidence_sha256 == declaration.evidence.get().sha256
    assert LedgerEntry.objects.count() == 1


def test_sam_sets_the_points_of_a_discretionary_item_within_its_rules(personas) -> None:
    declaration = declare(
        personas, actor=personas.sam, item_code="study_other",
        requested_points=Decimal("-2"), honor_key="",
    )  # fmt: skip
    with pytest.raises(WorkflowRefused, match="负数"):
        approve_declaration(actor=personas.sam, declaration=declaration, points=Decimal("1"))
    approved = approve_declaration(
        actor=personas.sam, declaration=declaration, points=Decimal("-1.5")
    )
    assert approved.points == Decimal("-1.50")
    assert approved.ledger_entry.points == Decimal("-1.50")


def test_approving_twice_is_refused_and_writes_nothing(personas) -> None:
    declaration = declare(personas)
    approve_declaration(actor=personas.sam, declaration=declaration)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已通过"):
        approve_declaration(actor=personas.sam, declaration=declaration)
    assert counts() == before


def test_a_stale_copy_pressing_approve_again_is_refused_by_the_compare_and_set(personas) -> None:
    declaration = declare(personas)
    stale = Declaration.objects.get(pk=declaration.pk)
    approve_declaration(actor=personas.sam, declaration=declaration)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已通过"):
        approve_declaration(actor=personas.sam, declaration=stale)
    assert counts() == before


@pytest.mark.parametrize("who", ["bob", "alice_user", "carol", "adam"])
def test_only_a_scorekeeper_of_the_branch_may_approve(personas, who) -> None:
    declaration = declare(personas)
    before = counts()
    with pytest.raises(WorkflowForbidden, match="无权限审核"):
        approve_declaration(actor=getattr(personas, who), declaration=declaration)
    assert counts() == before
    assert Declaration.objects.get(pk=declaration.pk).state == DeclarationState.SUBMITTED


def test_a_scorekeeper_cannot_approve_their_own_declaration(personas) -> None:
    sam_member = create_member(
        actor=None, branch=personas.branch_a, name="苏山", gender="M", user=personas.sam
    )
    declaration = declare(personas, actor=personas.sam, member=sam_member)
    before = counts()
    with pytest.raises(WorkflowForbidden, match="本人的申报"):
        approve_declaration(actor=personas.sam, declaration=declaration)
    assert counts() == before


def test_approving_into_an_archived_period_is_refused_with_the_reason(personas, q1) -> None:
    declaration = declare(personas)
    for state in (PeriodState.SUMMARISED, PeriodState.PUBLICISED, PeriodState.ARCHIVED):
        advance_period(actor=None, period=q1, to=state)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已归档的期间 2025-Q1"):
        approve_declaration(actor=personas.sam, declaration=declaration)
    assert counts() == before


def test_rita_appraises_and_sam_approves_after_the_appraisal(personas, rita) -> None:
    declaration = declare(personas)
    appraised = appraise_declaration(actor=rita, declaration=declaration, opinion="同意")
    assert appraised.state == DeclarationState.APPRAISED
    assert appraised.appraised_by == rita
    approved = approve_declaration(actor=personas.sam, declaration=appraised)
    assert approved.state == DeclarationState.APPROVED


def test_appraisal_needs_the_appraise_permission_and_an_opinion(personas, rita) -> None:
    declaration = declare(personas)
    with pytest.raises(WorkflowForbidden, match="无权限评议"):
        appraise_declaration(actor=personas.sam, declaration=declaration, opinion="同意")
    with pytest.raises(WorkflowRefused, match="评议意见"):
        appraise_declaration(actor=rita, declaration=declaration, opinion=" ")
    appraise_declaration(actor=rita, declaration=declaration, opinion="同意")
    with pytest.raises(WorkflowRefused, match="已评议"):
        appraise_declaration(actor=rita, declaration=declaration, opinion="再次同意")


def test_rejecting_needs_a_reason_and_tells_alice(personas) -> None:
    declaration = declare(personas)
    with pytest.raises(WorkflowRefused, match="必须填写原因"):
        reject_declaration(actor=personas.sam, declaration=declaration, reason="")
    rejected = reject_declaration(actor=personas.sam, declaration=declaration, reason="无佐证")
    assert rejected.state == DeclarationState.REJECTED
    assert rejected.decision_reason == "无佐证"
    assert personas.alice_user.notifications.filter(message__contains="无佐证").exists()
    with pytest.raises(WorkflowRefused, match="未通过"):
        submit_declaration(actor=personas.alice_user, declaration=rejected)


def test_a_returned_declaration_is_edited_and_submitted_again(personas) -> None:
    declaration = declare(personas)
    with pytest.raises(WorkflowRefused, match="必须填写原因"):
        return_declaration(actor=personas.sam, declaration=declaration, reason=" ")
    returned = return_declaration(actor=personas.sam, declaration=declaration, reason="请补充")
    assert returned.state == DeclarationState.RETURNED
    edited = update_declaration(
        actor=personas.alice_user, declaration=returned, description="获公司级先进个人（附证书）"
    )
    assert edited.description.endswith("（附证书）")
    again = submit_declaration(actor=personas.alice_user, declaration=edited)
    assert again.state == DeclarationState.SUBMITTED
    approve_declaration(actor=personas.sam, declaration=again)


def test_a_submitted_declaration_can_no_longer_be_edited(personas) -> None:
    declaration = declare(personas)
    before = counts()
    with pytest.raises(WorkflowRefused, match="不能再修改"):
        update_declaration(actor=personas.alice_user, declaration=declaration, description="改")
    assert counts() == before


def test_only_the_declarer_submits_and_edits(personas) -> None:
    declaration = declare(personas, submit=False)
    with pytest.raises(WorkflowForbidden):
        submit_declaration(actor=personas.bob, declaration=declaration)
    with pytest.raises(WorkflowForbidden):
        update_declaration(actor=personas.carol, declaration=declaration, description="改")


def test_a_declaration_about_another_member_is_not_alices_to_create(personas) -> None:
    with pytest.raises(WorkflowForbidden):
        create_declaration(
            actor=personas.alice_user, member=personas.member_b, item_code="honor_company",
            occurred_on=dt.date(2025, 2, 1), description="x", honor_key="k",
            idempotency_key=uuid.uuid4(),
        )  # fmt: skip
