"""Appeals: filed only inside the window by the member, handled by the scorekeeper, a
second instance by the committee; upheld writes the correction in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from helpers.ledger import draft
from jifen.ledger.models import LedgerEntry, PeriodState
from jifen.ledger.services import post_entry, reverse_entry
from jifen.workflow.models import Appeal
from jifen.workflow.services import (
    Correction,
    WorkflowForbidden,
    WorkflowRefused,
    dismiss_appeal,
    escalate_appeal,
    file_appeal,
    investigate_appeal,
    uphold_appeal,
)
from jifen.workflow.states import AppealState

from .conftest import PUBLICITY_END, PUBLICITY_START, counts

DURING = dt.date(2025, 4, 5)


@pytest.fixture
def deduction(personas, q1):
    """Sam deducted a point from Alice on 5 March (before the summary)."""
    return post_entry(
        actor=personas.sam, draft=draft(personas.alice, item="study_absent", points="-1", day=5)
    )


def appeal_of(personas, period, **fields) -> Appeal:
    values = {"reason": "当天请假已获批准", "idempotency_key": uuid.uuid4(), "today": DURING}
    values.update(fields)
    return file_appeal(actor=personas.alice_user, period=period, **values)


def investigating(personas, period, **fields) -> Appeal:
    return investigate_appeal(actor=personas.sam, appeal=appeal_of(personas, period, **fields))


def test_alice_appeals_inside_the_window_and_sam_is_told(personas, deduction, publicised_q1):
    appeal = appeal_of(personas, publicised_q1, entry=deduction)
    assert appeal.state == AppealState.FILED
    assert appeal.member == personas.alice and appeal.branch == personas.branch_a
    assert personas.sam.notifications.filter(link=f"appeal:{appeal.pk}").exists()


@pytest.mark.parametrize(
    "day", [PUBLICITY_START - dt.timedelta(days=1), PUBLICITY_END + dt.timedelta(days=1)]
)
def test_an_appeal_outside_the_window_is_refused(personas, publicised_q1, day) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="须在公示期 2025-04-03 至 2025-04-07 内提出"):
        appeal_of(personas, publicised_q1, today=day)
    assert counts() == before


def test_an_appeal_before_the_result_is_published_is_refused(personas, q1) -> None:
    with pytest.raises(WorkflowRefused, match="尚未汇总公布"):
        appeal_of(personas, q1)


def test_only_a_member_appeals_their_own_result(personas, publicised_q1) -> None:
    before = counts()
    with pytest.raises(WorkflowForbidden, match="党员本人"):
        file_appeal(
            actor=personas.bob, period=publicised_q1, reason="x",
            idempotency_key=uuid.uuid4(), today=DURING,
        )  # fmt: skip
    assert counts() == before


def test_an_appeal_cannot_name_someone_elses_entry(personas, publicised_q1) -> None:
    other = post_entry(actor=None, draft=draft(personas.member_b, item="study_absent", points="-1"))
    with pytest.raises(WorkflowRefused, match="不是您在该期间的记录"):
        appeal_of(personas, publicised_q1, entry=other)


def test_the_same_appeal_form_sent_twice_is_one_appeal(personas, publicised_q1) -> None:
    key = uuid.uuid4()
    first = appeal_of(personas, publicised_q1, idempotency_key=key)
    before = counts()
    assert appeal_of(personas, publicised_q1, idempotency_key=key).pk == first.pk
    assert counts() == before


def test_bob_cannot_handle_an_appeal_of_branch_a(personas, publicised_q1) -> None:
    appeal = appeal_of(personas, publicised_q1)
    with pytest.raises(WorkflowForbidden, match="无权限处理"):
        investigate_appeal(actor=personas.bob, appeal=appeal)


def test_an_appeal_is_investigated_before_it_is_decided(personas, publicised_q1) -> None:
    appeal = appeal_of(personas, publicised_q1)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已提出"):
        dismiss_appeal(actor=personas.sam, appeal=appeal, reason="不成立")
    assert counts() == before


def test_upholding_reverses_the_entry_in_an_open_period(personas, deduction, publicised_q1):
    appeal = investigating(personas, publicised_q1, entry=deduction)
    upheld = uphold_appeal(
        actor=personas.sam, appeal=appeal, reason="核实有误", reverse=True,
        today=dt.date(2025, 4, 6),
    )  # fmt: skip
    assert upheld.state == AppealState.UPHELD
    assert upheld.decided_by == personas.sam and upheld.decision_reason == "核实有误"
    assert upheld.reversal.reverses == deduction
    assert upheld.reversal.points == Decimal("1.00")
    assert personas.alice_user.notifications.filter(message__contains="申辩成立").exists()


def test_upholding_can_add_the_missing_points(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    upheld = uphold_appeal(
        actor=personas.sam, appeal=appeal, reason="漏记荣誉",
        correction=Correction("honor_company", Decimal("1"), honor_key="2025-漏记"),
        today=dt.date(2025, 4, 6),
    )  # fmt: skip
    assert upheld.correction.item_code == "honor_company"
    assert upheld.correction.approved_by_id == personas.sam.pk


def test_upholding_needs_a_correction_and_a_reason(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    before = counts()
    with pytest.raises(WorkflowRefused, match="须写入更正"):
        uphold_appeal(actor=personas.sam, appeal=appeal, reason="成立", today=DURING)
    with pytest.raises(WorkflowRefused, match="没有指明台账记录"):
        uphold_appeal(actor=personas.sam, appeal=appeal, reason="成立", reverse=True, today=DURING)
    with pytest.raises(WorkflowRefused, match="必须填写理由"):
        uphold_appeal(actor=personas.sam, appeal=appeal, reason="", reverse=True, today=DURING)
    assert counts() == before


def test_a_correction_dated_in_the_publicised_period_is_refused(
    personas, deduction, publicised_q1
) -> None:
    appeal = investigating(personas, publicised_q1, entry=deduction)
    before = counts()
    with pytest.raises(WorkflowRefused, match="更正须记入进行中的期间"):
        uphold_appeal(
            actor=personas.sam, appeal=appeal, reason="成立", reverse=True,
            occurred_on=dt.date(2025, 3, 20), today=DURING,
        )  # fmt: skip
    assert counts() == before
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.INVESTIGATING


def test_a_correction_is_checked_against_the_items_rules(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    before = counts()
    with pytest.raises(WorkflowRefused, match="honor_key"):
        uphold_appeal(
            actor=personas.sam, appeal=appeal, reason="成立",
            correction=Correction("honor_company", Decimal("1")), today=DURING,
        )  # fmt: skip
    assert counts() == before


def test_a_refused_ledger_write_rolls_the_decision_back(personas, deduction, publicised_q1):
    appeal = investigating(personas, publicised_q1, entry=deduction)
    reverse_entry(actor=personas.sam, entry=deduction, reason="已另行更正", occurred_on=DURING)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已经冲正过"):
        uphold_appeal(actor=personas.sam, appeal=appeal, reason="成立", reverse=True, today=DURING)
    assert counts() == before
    assert Appeal.objects.get(pk=appeal.pk).state == AppealState.INVESTIGATING


def test_a_dismissal_goes_to_the_committee_who_decides_for_good(personas, publicised_q1):
    appeal = investigating(personas, publicised_q1)
    dismissed = dismiss_appeal(actor=personas.sam, appeal=appeal, reason="证据不足", today=DURING)
    assert dismissed.decided_on == DURING
    with pytest.raises(WorkflowForbidden, match="本人"):
        escalate_appeal(actor=personas.sam, appeal=dismissed, reason="复核", today=DURING)
    escalated = escalate_appeal(
        actor=personas.alice_user, appeal=dismissed, reason="请上级复核", today=DURING
    )
    assert escalated.state == AppealState.ESCALATED
    assert personas.carol.notifications.filter(link=f"appeal:{appeal.pk}").exists()
    with pytest.raises(WorkflowForbidden, match="审核备案权限"):
        uphold_appeal(
            actor=personas.sam, appeal=escalated, reason="成立",
            correction=Correction("honor_company", Decimal("1"), honor_key="k"), today=DURING,
        )  # fmt: skip
    upheld = uphold_appeal(
        actor=personas.carol, appeal=escalated, reason="复核成立",
        correction=Correction("honor_company", Decimal("1"), honor_key="2025-复核"),
        today=dt.date(2025, 4, 9),
    )  # fmt: skip
    assert upheld.state == AppealState.UPHELD
    assert upheld.reviewed_by == personas.carol and upheld.review_reason == "复核成立"
    assert upheld.decision_reason == "证据不足"  # the first instance stays on record
    assert upheld.correction.approved_by_id == personas.carol.pk


def test_a_second_instance_dismissal_is_final(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    appeal = dismiss_appeal(actor=personas.sam, appeal=appeal, reason="不成立", today=DURING)
    appeal = escalate_appeal(actor=personas.alice_user, appeal=appeal, reason="复核", today=DURING)
    appeal = dismiss_appeal(actor=personas.carol, appeal=appeal, reason="维持", today=DURING)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已经过上级复核"):
        escalate_appeal(actor=personas.alice_user, appeal=appeal, reason="再议", today=DURING)
    assert counts() == before


def test_escalation_is_asked_within_five_days_of_the_dismissal(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    appeal = dismiss_appeal(actor=personas.sam, appeal=appeal, reason="不成立", today=DURING)
    with pytest.raises(WorkflowRefused, match="须在 2025-04-10 前提出"):
        escalate_appeal(
            actor=personas.alice_user, appeal=appeal, reason="复核", today=dt.date(2025, 4, 11)
        )


def test_the_committee_cannot_step_into_the_first_instance(personas, publicised_q1) -> None:
    appeal = investigating(personas, publicised_q1)
    with pytest.raises(WorkflowForbidden):
        dismiss_appeal(actor=personas.carol, appeal=appeal, reason="不成立", today=DURING)


def test_an_appeal_after_archiving_is_refused(personas, publicised_q1) -> None:
    from jifen.workflow.services import archive_period

    archive_period(actor=personas.sam, period=publicised_q1, today=dt.date(2025, 4, 8))
    publicised_q1.refresh_from_db()
    assert publicised_q1.state == PeriodState.ARCHIVED
    with pytest.raises(WorkflowRefused, match="已归档"):
        appeal_of(personas, publicised_q1, today=DURING)
    assert LedgerEntry.objects.count() == 0
