"""Every change and every view of personal data leaves an audit row: who, what, when,
from where."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from helpers.accounts import PASSWORD
from helpers.ledger import post
from jifen.core.audit import Action
from jifen.core.models import AuditEvent
from jifen.members.services import change_member

pytestmark = pytest.mark.django_db


def test_changes_are_audited_with_old_and_new_values(personas) -> None:
    change_member(actor=personas.sam, member=personas.alice, category="B", phone="13700002222")
    event = AuditEvent.objects.filter(action=Action.MEMBER_CHANGE).get()
    assert event.actor == personas.sam and event.tenant_id == personas.district.pk
    assert event.changes["new"]["category"] == "B"
    assert event.changes["new"]["phone"] == "137****2222"  # masked in the log too
    post(personas.alice, 3)
    assert AuditEvent.objects.filter(action=Action.LEDGER_POST).count() == 1


def test_viewing_a_member_page_is_audited_with_the_address(personas) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-browser")
    client.force_login(personas.sam)
    client.get(reverse("member_detail", args=[personas.alice.pk]))
    event = AuditEvent.objects.filter(action=Action.MEMBER_VIEW).get()
    assert (event.actor, event.target_id) == (personas.sam, str(personas.alice.pk))
    assert event.ip_address == "10.1.2.3" and event.user_agent == "pytest-browser"


def test_logins_and_failures_are_audited(personas) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    client.post(reverse("login"), {"username": "sam", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == [Action.LOGIN_FAILED, Action.LOGIN]
