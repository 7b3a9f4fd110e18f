"""Notifications: written with the change they tell, read by their recipient only; e-mail
only after commit and only when a mail server is configured. Work lists are scoped."""

from __future__ import annotations

import pytest
from django.core import mail

from jifen.workflow.models import Notification
from jifen.workflow.selectors import declarations_of, declarations_to_review, unread_for
from jifen.workflow.services import (
    WorkflowForbidden,
    approve_declaration,
    mark_all_read,
    mark_read,
)
from jifen.workflow.states import NotificationKind

from .conftest import declare


def test_sam_is_told_of_a_declaration_and_alice_of_the_decision(personas) -> None:
    declaration = declare(personas)
    waiting = unread_for(personas.sam).get()
    assert waiting.kind == NotificationKind.DECLARATION_TO_REVIEW
    assert waiting.link == f"declaration:{declaration.pk}"
    assert not unread_for(personas.bob).exists()  # branch B's scorekeeper is not told
    approve_declaration(actor=personas.sam, declaration=declaration)
    decided = unread_for(personas.alice_user).get()
    assert "已通过" in decided.message


def test_a_notification_is_marked_read_by_its_recipient_only(personas) -> None:
    declare(personas)
    notice = unread_for(personas.sam).get()
    with pytest.raises(WorkflowForbidden):
        mark_read(actor=personas.bob, notification=notice)
    mark_read(actor=personas.sam, notification=notice)
    assert not unread_for(personas.sam).exists()
    declare(personas)
    assert mark_all_read(actor=personas.sam) == 1


def test_no_mail_is_sent_without_a_mail_server(personas) -> None:
    personas.sam.email = "sam@example.cn"
    personas.sam.save()
    declare(personas)
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_mail_goes_out_after_commit_when_a_server_is_configured(personas, settings) -> None:
    settings.EMAIL_HOST = "smtp.example.cn"
    personas.sam.email = "sam@example.cn"
    personas.sam.save()
    declare(personas)
    assert [message.to for message in mail.outbox] == [["sam@example.cn"]]
    assert "待审核的申报" in mail.outbox[0].subject


def test_work_lists_are_scoped_by_the_permission_module(personas) -> None:
    declaration = declare(personas)
    assert list(declarations_to_review(personas.sam)) == [declaration]
    assert not declarations_to_review(personas.bob).exists()
    assert not declarations_to_review(personas.alice_user).exists()
    assert list(declarations_of(personas.alice_user)) == [declaration]
    assert Notification.objects.count() == 1
