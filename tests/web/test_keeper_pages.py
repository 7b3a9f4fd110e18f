"""The scorekeeper's and the committee's pages: review, the period flow, appeals, filing.
Every refusal is shown with its reason; a list costs the same queries however long."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jifen.ledger.models import LedgerEntry, PeriodState
from jifen.ledger.services import open_period
from jifen.workflow.models import Appeal, Declaration, FilingReview
from jifen.workflow.services import file_appeal, publicise_period, summarise_period

from .conftest import declare

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_rejection_needs_a_reason_in_chinese_next_to_the_field(world) -> None:
    sam = login(world.personas.sam)
    url = reverse("declaration_review", args=[world.pending.pk])
    response = sam.post(url, {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    assert response.context["reject"].errors["reason"] == ["此项为必填项"]
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"


def test_approving_writes_one_entry_and_a_second_press_says_why(world) -> None:
    sam = login(world.personas.sam)
    url = reverse("declaration_review", args=[world.pending.pk])
    before = LedgerEntry.objects.count()
    assert sam.post(url, {"action": "approve", "approve-note": "属实"}).status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.state == "approved" and world.pending.points_hundredths == 300
    again = sam.post(url, {"action": "approve"})
    assert again.status_code == 200 and "无需审核" in again.content.decode()
    assert LedgerEntry.objects.count() == before + 1


def test_points_outside_the_item_are_refused_with_the_engines_reason(world) -> None:
    sam = login(world.personas.sam)
    url = reverse("declaration_review", args=[world.pending.pk])
    response = sam.post(url, {"action": "approve", "approve-points": "9"})
    assert response.status_code == 200
    assert response.context["approve"].non_field_errors()
    assert 'value="9"' in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"


def test_returning_with_a_reason_tells_the_member(world) -> None:
    sam = login(world.personas.sam)
    url = reverse("declaration_review", args=[world.pending.pk])
    sam.post(url, {"action": "return", "return-reason": "请补充证书照片"})
    world.pending.refresh_from_db()
    assert world.pending.state == "returned"
    page = login(world.personas.alice_user).get(reverse("my_declarations")).content.decode()
    assert "请补充证书照片" in page and "已退回" in page


@pytest.fixture
def q2(personas: Any) -> Any:
    return open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q2",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip


def test_the_period_flow_through_its_buttons_with_refusals_explained(personas, q2) -> None:
    sam = login(personas.sam)
    url = reverse("period_detail", args=[q2.pk])
    page = sam.post(url, {"action": "summarise"}, follow=True).content.decode()
    assert "已汇总" in page
    bad = sam.post(url, {"action": "publicise", "days": "0"})
    assert bad.context["publicity"].errors["days"] == ["公示天数至少为 1 天"]
    page = sam.post(url, {"action": "publicise", "days": "5"}, follow=True).content.decode()
    assert "开始公示" in page
    refused = sam.post(url, {"action": "archive"}, follow=True).content.decode()
    assert "期满后才能归档" in refused
    q2.refresh_from_db()
    assert q2.state == PeriodState.PUBLICISED
    assert Client().get(reverse("publicity_board", args=[q2.pk])).status_code == 200


def test_an_appeal_is_investigated_then_dismissed_with_a_reason(personas, q2) -> None:
    summarise_period(actor=personas.sam, period=q2)
    publicise_period(actor=personas.sam, period=q2)
    appeal = file_appeal(
        actor=personas.alice_user, period=q2, reason="漏记", idempotency_key=uuid.uuid4()
    )
    sam = login(personas.sam)
    url = reverse("appeal_handle", args=[appeal.pk])
    sam.post(url, {"action": "investigate"})
    empty = sam.post(url, {"action": "dismiss", "dismiss-reason": ""})
    assert empty.context["dismiss"].errors["reason"] == ["此项为必填项"]
    half = sam.post(url, {"action": "uphold", "uphold-reason": "属实", "uphold-points": "1"})
    assert half.context["uphold"].errors["points"] == ["补记积分须同时选择项目并填写分值"]
    nothing = sam.post(url, {"action": "uphold", "uphold-reason": "属实"})
    assert any("须写入更正" in e for e in nothing.context["uphold"].non_field_errors())
    assert sam.post(url, {"action": "dismiss", "dismiss-reason": "记录无误"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "dismissed" and appeal.decision_reason == "记录无误"


def test_the_committee_returns_with_a_reason_then_accepts(world) -> None:
    carol = login(world.personas.carol)
    url = reverse("filing_review", args=[world.filing.pk])
    page = carol.get(url).content.decode()
    assert "甲支部" in page and "101.00" in page
    empty = carol.post(url, {"action": "return", "return-reason": ""})
    assert empty.context["send_back"].errors["reason"] == ["此项为必填项"]
    assert carol.post(url, {"action": "accept"}).status_code == 302
    world.filing.refresh_from_db()
    assert world.filing.state == "accepted"
    again = carol.post(url, {"action": "accept"}, follow=True).content.decode()
    assert "上报当前为“已备案”" in again and "同意备案" not in again
    assert FilingReview.objects.filter(state="accepted").count() == 1


def test_the_notification_badge_counts_unread_and_clears(world) -> None:
    alice = login(world.personas.alice_user)
    page = alice.get(reverse("home")).content.decode()
    assert 'class="badge"' in page
    alice.post(reverse("notifications"))
    assert 'class="badge"' not in alice.get(reverse("home")).content.decode()


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_lists_cost_the_same_queries_however_long(world) -> None:
    personas = world.personas
    sam, alice = login(personas.sam), login(personas.alice_user)
    pages = [(sam, reverse("workbench")), (alice, reverse("my_declarations"))]
    board = reverse("publicity_board", args=[world.period.pk])
    pages += [(alice, reverse("my_card")), (Client(), board)]
    before = [queries(client, url) for client, url in pages]
    for day in range(1, 6):
        declare(
            personas, item_code="honor_provincial", occurred_on=dt.date(2025, 5, day),
            honor_key=f"省级-{day}", evidence=[],
        )  # fmt: skip
    assert Declaration.objects.filter(state="submitted").count() == 6
    assert [queries(client, url) for client, url in pages] == before
    assert Appeal.objects.count() == 1


def test_an_appeal_naming_an_entry_is_upheld_by_reversing_it(personas, q2) -> None:
    from helpers.ledger import draft
    from jifen.ledger.services import post_entry

    deduction = post_entry(
        actor=personas.sam,
        draft=draft(personas.alice, item="study_absent", points="-1", month=5, day=5),
    )
    summarise_period(actor=personas.sam, period=q2)
    publicise_period(actor=personas.sam, period=q2)
    alice = login(personas.alice_user)
    url = reverse("appeal_file", args=[q2.pk])
    page = alice.get(url).content.decode()
    assert "2025-05-05" in page and "-1.00 分" in page
    sent = alice.post(
        url, {"entry": str(deduction.pk), "reason": "已请假", "idempotency_key": str(uuid.uuid4())}
    )
    assert sent.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.entry == deduction
    sam = login(personas.sam)
    handle = reverse("appeal_handle", args=[appeal.pk])
    sam.post(handle, {"action": "investigate"})
    uphold = {"action": "uphold", "uphold-reason": "请假属实", "uphold-reverse": "on"}
    done = sam.post(handle, uphold)
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "upheld" and appeal.reversal is not None
    assert appeal.reversal.reverses_id == deduction.pk


def test_boards_cards_and_reports_cost_the_same_queries_for_more_members(personas) -> None:
    from jifen.members.services import create_member
    from jifen.workflow.models import PeriodRecord

    def quarter(label: str, month: int) -> Any:
        period = open_period(
            actor=None, organisation=personas.branch_a, label=label,
            starts_on=dt.date(2025, month, 1), ends_on=dt.date(2025, month + 2, 28),
        )  # fmt: skip
        summarise_period(actor=personas.sam, period=period)
        publicise_period(actor=personas.sam, period=period)
        return period

    alice = login(personas.alice_user)
    small = quarter("2025-Q1", 1)
    card_with_one = queries(alice, reverse("my_card"))
    for n in range(5):
        create_member(actor=None, branch=personas.branch_a, name=f"党员{n}", gender="M")
    large = quarter("2025-Q2", 4)
    sizes = [
        PeriodRecord.objects.get(period=p).snapshot.member_count  # type: ignore[union-attr]
        for p in (small, large)
    ]
    assert sizes == [1, 6]
    sam, public = login(personas.sam), Client()
    for client, name in [(public, "publicity_board"), (sam, "period_detail")]:
        counts = [queries(client, reverse(name, args=[p.pk])) for p in (small, large)]
        assert counts[0] == counts[1], name
    assert queries(alice, reverse("my_card")) == card_with_one  # two periods now


def test_a_dismissed_appeal_goes_to_the_committee_on_the_members_request(personas, q2) -> None:
    summarise_period(actor=personas.sam, period=q2)
    publicise_period(actor=personas.sam, period=q2)
    appeal = file_appeal(
        actor=personas.alice_user, period=q2, reason="漏记", idempotency_key=uuid.uuid4()
    )
    sam = login(personas.sam)
    handle = reverse("appeal_handle", args=[appeal.pk])
    sam.post(handle, {"action": "investigate"})
    sam.post(handle, {"action": "dismiss", "dismiss-reason": "无记录"})
    alice = login(personas.alice_user)
    url = reverse("appeal_file", args=[q2.pk])
    empty = alice.post(url, {"action": "escalate", "appeal": appeal.pk, "escalate-reason": ""})
    assert empty.context["escalation"].errors["reason"] == ["此项为必填项"]
    data = {"action": "escalate", "appeal": appeal.pk, "escalate-reason": "有照片为证"}
    assert alice.post(url, data).status_code == 302
    carol = login(personas.carol)
    assert "申请复核的申辩" in carol.get(reverse("filing_list")).content.decode()
    assert carol.get(handle).status_code == 200
    done = carol.post(handle, {"action": "dismiss", "dismiss-reason": "复核维持"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "dismissed" and appeal.review_reason == "复核维持"
    assert "上级复核意见：复核维持" in alice.get(url).content.decode()


def test_evidence_is_served_under_its_checked_type_to_the_reviewer(world) -> None:
    response = login(world.personas.sam).get(reverse("evidence_file", args=[world.evidence.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
