"""Attestation by the people served (群众证实): a one-time link with a QR code, or in person."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jifen.meetings.attestations import issue_link, record_in_person, token_hash
from jifen.meetings.models import Attestation
from jifen.workflow.models import Declaration, Notification
from jifen.workflow.services import create_declaration

from .conftest import TODAY, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def declaration(personas: Any) -> Declaration:
    return create_declaration(
        actor=personas.alice_user, member=personas.alice, item_code="honor_company",
        occurred_on=dt.date(2026, 2, 10), description="帮助独居老人修缮房屋",
        honor_key="2026-先进个人", idempotency_key=uuid.uuid4(), today=TODAY,
    )  # fmt: skip


def link(personas: Any, declaration: Declaration, **extra: Any) -> str:
    issued = issue_link(
        actor=personas.sam, declaration=declaration, idempotency_key=uuid.uuid4(), **extra
    )
    assert issued.token is not None
    return issued.token


def test_the_link_works_once(personas, declaration) -> None:
    token = link(personas, declaration)
    url = reverse("attest", args=[token])
    public = Client()
    assert public.get(url).status_code == 200
    answered = public.post(url, {"result": "confirmed", "name": "张大爷", "phone_tail": "1234"})
    assert answered.status_code == 200 and "感谢您的证实" in answered.content.decode()
    attestation = Attestation.objects.get()
    assert (attestation.result, attestation.attester_name, attestation.phone_tail) == (
        "confirmed", "张大爷", "1234",
    )  # fmt: skip
    again = public.post(url, {"result": "disputed"})
    assert again.status_code == 410
    assert "该证实链接已经使用过" in again.content.decode()
    assert Attestation.objects.get().result == "confirmed"
    assert public.get(reverse("attest_qr", args=[token])).status_code == 404


def test_the_reviewers_are_told_when_an_attestation_comes_back(personas, declaration) -> None:
    token = link(personas, declaration)
    Client().post(reverse("attest", args=[token]), {"result": "disputed", "comment": "没有此事"})
    told = Notification.objects.filter(message__contains="群众证实结果：不属实")
    assert list(told.values_list("recipient_id", flat=True)) == [personas.sam.pk]


def test_an_expired_link_is_refused(personas, declaration) -> None:
    token = link(personas, declaration, now=timezone.now() - dt.timedelta(days=8))
    response = Client().post(reverse("attest", args=[token]), {"result": "confirmed"})
    assert response.status_code == 410
    assert "该证实链接已过期" in response.content.decode()
    assert Attestation.objects.get().result == ""


def test_a_wrong_token_is_not_found(personas, declaration) -> None:
    token = link(personas, declaration)
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "a" * 200):
        assert Client().get(reverse("attest", args=[wrong])).status_code == 404
        assert (
            Client().post(reverse("attest", args=[wrong]), {"result": "confirmed"}).status_code
            == 404
        )


def test_only_the_tokens_hash_is_stored(personas, declaration) -> None:
    token = link(personas, declaration)
    row = Attestation.objects.values().get()
    assert row["token_hash"] == token_hash(token) and token not in str(row)


def test_the_public_page_shows_the_act_but_no_id_number_or_phone(personas, declaration) -> None:
    alice = personas.alice
    page = Client().get(reverse("attest", args=[link(personas, declaration)])).content.decode()
    assert "帮助独居老人修缮房屋" in page and alice.name in page and "甲支部" in page
    for secret in ("11010519491231002X", "13900001111", alice.id_number_masked, alice.phone_masked):
        assert secret not in page


def test_the_qr_code_is_an_svg_made_here(personas, declaration) -> None:
    token = link(personas, declaration)
    response = Client().get(reverse("attest_qr", args=[token]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")


def test_the_keeper_gets_the_link_and_its_qr_code_once(personas, declaration) -> None:
    sam = login(personas.sam)
    url = reverse("attestation_request", args=[declaration.pk])
    data = {"action": "link", "link-days": "7", "link-idempotency_key": str(uuid.uuid4())}
    page = sam.post(url, data).content.decode()
    assert "<svg" in page and "/attest/" in page
    again = sam.post(url, data).content.decode()
    assert "<svg" not in again and "该表单已提交过" in again
    assert Attestation.objects.count() == 1


def test_alice_may_ask_for_her_own_declaration_but_not_record_in_person(
    personas, declaration
) -> None:
    alice = login(personas.alice_user)
    url = reverse("attestation_request", args=[declaration.pk])
    page = alice.post(
        url, {"action": "link", "link-days": "7", "link-idempotency_key": str(uuid.uuid4())}
    ).content.decode()
    assert "<svg" in page and "登记当面证实" not in page
    with pytest.raises(ValidationError, match="只有积分员可以登记当面证实"):
        in_person(personas.alice_user, declaration)
    assert login(personas.bob).get(url).status_code == 404


def in_person(actor: Any, declaration: Declaration) -> Attestation:
    return record_in_person(
        actor=actor, declaration=declaration, name="李大姐", attested_on=dt.date(2026, 3, 1),
        result="confirmed", idempotency_key=uuid.uuid4(), today=TODAY,
    )  # fmt: skip


def test_an_in_person_attestation_is_recorded_by_the_keeper(personas, declaration) -> None:
    sam = login(personas.sam)
    url = reverse("attestation_request", args=[declaration.pk])
    key = str(uuid.uuid4())
    data = {
        "action": "in_person", "person-name": "李大姐", "person-attested_on": "2026-03-01",
        "person-result": "confirmed", "person-phone_tail": "", "person-comment": "亲眼所见",
        "person-idempotency_key": key,
    }  # fmt: skip
    assert sam.post(url, data).status_code == 302
    assert sam.post(url, data).status_code == 302  # the same form again
    attestation = Attestation.objects.get()
    assert (attestation.method, attestation.result, attestation.token_hash) == (
        "in_person", "confirmed", None,
    )  # fmt: skip
    page = sam.get(url).content.decode()
    assert "李大姐" in page and "当面证实" in page and "属实" in page
    bad = sam.post(url, {**data, "person-name": "", "person-idempotency_key": str(uuid.uuid4())})
    assert bad.context["in_person"].errors["name"] == ["此项为必填项"]


def test_a_decided_declaration_takes_no_more_attestations(personas, declaration) -> None:
    Declaration.objects.filter(pk=declaration.pk).update(state="rejected")
    declaration.refresh_from_db()
    with pytest.raises(ValidationError, match="只有待审核的申报可以请群众证实"):
        link(personas, declaration)


def test_the_review_page_shows_the_attestations(personas, declaration) -> None:
    in_person(personas.sam, declaration)
    page = login(personas.sam).get(reverse("declaration_review", args=[declaration.pk]))
    text = page.content.decode()
    assert "李大姐" in text and reverse("attestation_request", args=[declaration.pk]) in text
