"""Direct registration: one item for many members in one batch, once per form."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry
from jifen.meetings.registration import register_entries

from .conftest import TODAY, add_members, archived_period, login

pytestmark = pytest.mark.django_db


def form_data(members: list[Any], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item_code": "study_notes",  # s002: fixed −1
        "occurred_on": "2026-03-10",
        "points": "",
        "quantity": "1",
        "honor_key": "",
        "reason": "三月学习笔记未交",
        "members": [m.pk for m in members],
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def test_registering_three_members_writes_three_entries_once(personas) -> None:
    others = add_members(personas.branch_a, 2)
    chosen = [personas.alice, *others]
    sam = login(personas.sam)
    data = form_data(chosen)
    response = sam.post(reverse("register_entries"), data)
    assert response.status_code == 302
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert [e.member_id for e in entries] == sorted(m.pk for m in chosen)
    assert {(e.source, e.recorded_by_id, e.item_code, e.points) for e in entries} == {
        ("registration", personas.sam.pk, "study_notes", Decimal("-1"))
    }
    assert entries[0].note == "三月学习笔记未交"
    assert AuditEvent.objects.filter(action="ledger.post").count() == 1

    again = sam.post(reverse("register_entries"), data, follow=True)
    assert "未重复登记" in again.content.decode()
    assert LedgerEntry.objects.count() == 3


def test_points_outside_the_items_range_are_refused_next_to_the_field(
    personas, branch_s001
) -> None:
    members = add_members(branch_s001, 2)
    sam = login(personas.sam)
    url = f"{reverse('register_entries')}?branch={branch_s001.pk}"
    response = sam.post(url, form_data(members, item_code="misconduct", points="-20"))
    assert response.status_code == 200
    assert response.context["form"].errors["points"] == ["分值应在 -12～-2 分之间"]
    assert response.context["form"]["reason"].value() == "三月学习笔记未交"  # kept
    assert not LedgerEntry.objects.exists()

    fine = sam.post(url, form_data(members, item_code="misconduct", points="-4"))
    assert fine.status_code == 302
    assert list(LedgerEntry.objects.values_list("points_hundredths", flat=True)) == [-400, -400]


def test_a_fixed_item_takes_its_points_and_refuses_others(personas) -> None:
    sam = login(personas.sam)
    response = sam.post(reverse("register_entries"), form_data([personas.alice], points="-3"))
    assert response.context["form"].errors["points"] == ["该项目分值固定为 -1 分，无需填写"]
    assert not LedgerEntry.objects.exists()


def test_a_closed_period_is_refused_with_its_name_and_nothing_is_written(personas) -> None:
    archived_period(personas.branch_a, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    sam = login(personas.sam)
    response = sam.post(reverse("register_entries"), form_data([personas.alice]))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["发生日期 2026-03-10 属于已归档的期间 2026-Q1，不能再记入积分"]
    assert not LedgerEntry.objects.exists()


def test_a_member_of_another_branch_is_refused_and_nothing_is_written(personas) -> None:
    sam = login(personas.sam)
    response = sam.post(reverse("register_entries"), form_data([personas.alice, personas.member_b]))
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == ["所选党员不属于本支部，请刷新后重新选择"]
    assert not LedgerEntry.objects.exists()
    # The service refuses it too, for callers other than the page.
    with pytest.raises(ValidationError, match="1 人不属于甲支部"):
        register(personas, member_ids=[personas.alice.pk, personas.member_b.pk])
    assert not LedgerEntry.objects.exists()


def register(personas: Any, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": personas.sam, "branch": personas.branch_a, "member_ids": [personas.alice.pk],
        "item_code": "study_notes", "occurred_on": dt.date(2026, 3, 10), "points": None,
        "reason": "未交笔记", "idempotency_key": uuid.uuid4(), "today": TODAY,
    }  # fmt: skip
    values.update(overrides)
    return register_entries(**values)


def test_bob_cannot_register_for_alice(personas) -> None:
    bob = login(personas.bob)
    page = bob.get(reverse("register_entries")).content.decode()
    assert personas.alice.name not in page and personas.member_b.name in page
    response = bob.post(reverse("register_entries"), form_data([personas.alice]))
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    with pytest.raises(ValidationError, match="无权限为 甲支部 登记积分"):
        register(personas, actor=personas.bob)
    assert not LedgerEntry.objects.exists()


def test_a_veto_is_registered_for_one_member_at_a_time(personas) -> None:
    others = add_members(personas.branch_a, 1)
    with pytest.raises(ValidationError, match="一票否决项目，只能逐人登记"):
        register(personas, item_code="veto_safety", member_ids=[personas.alice.pk, others[0].pk])
    assert not LedgerEntry.objects.exists()
    done = register(personas, item_code="veto_safety")
    assert done.count == 1 and LedgerEntry.objects.get().item_code == "veto_safety"


def test_a_discretionary_deduction_needs_a_negative_value(personas) -> None:
    sam = login(personas.sam)
    response = sam.post(
        reverse("register_entries"),
        form_data([personas.alice], item_code="study_other", points="2"),
    )
    assert response.context["form"].errors["points"] == ["该项目为扣分项目，分值应小于 0（如 -2）"]
    assert not LedgerEntry.objects.exists()


def test_the_member_list_costs_the_same_queries_however_long(
    personas, django_assert_max_num_queries
) -> None:
    add_members(personas.branch_a, 150)
    sam = login(personas.sam)
    with django_assert_max_num_queries(20):
        response = sam.get(reverse("register_entries"))
    assert response.content.decode().count('name="members"') == 151
