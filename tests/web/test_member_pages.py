"""The member's pages: the card reads snapshots; the declare form answers bad input in
Chinese next to the field, keeps what was typed, refuses bad uploads with the reason and
stores nothing; a double submit is one declaration; appeals only inside the window."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jifen.ledger.services import open_period
from jifen.workflow.models import Appeal, Declaration, Evidence
from jifen.workflow.services import publicise_period, summarise_period

from .conftest import png_upload, tiny_png

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def alice(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.alice_user)
    return client


def good(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "item_code": "honor_company",
        "occurred_on": "2025-02-10",
        "description": "获公司级先进个人",
        "honor_key": "2025-先进个人",
        "idempotency_key": str(uuid.uuid4()),
    }
    values.update(fields)
    return values


def field_errors(response: Any, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def test_the_card_shows_each_period_from_the_snapshot(world) -> None:
    client = Client()
    client.force_login(world.personas.alice_user)
    page = client.get(reverse("my_card")).content.decode()
    assert "2025-Q1" in page and "101.00" in page and "已备案" in page


def test_the_declare_form_offers_only_declarable_items_and_a_fresh_key(alice) -> None:
    page = alice.get(reverse("declare")).content.decode()
    assert "获得公司级荣誉" in page and 'name="idempotency_key"' in page
    assert "study_absent" not in page  # a deduction is the scorekeeper's to register
    other = alice.get(reverse("declare")).context["form"].initial["idempotency_key"]
    assert other != alice.get(reverse("declare")).context["form"].initial["idempotency_key"]


def test_bad_input_is_answered_in_chinese_next_to_the_field_and_kept(alice) -> None:
    response = alice.post(
        reverse("declare"),
        good(occurred_on="2025-13-45", description="", honor_key="", item_code="honor_national"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    [date_error] = field_errors(response, "occurred_on")
    assert date_error == "请输入正确的日期，格式为 年-月-日，如 2025-02-10"
    assert field_errors(response, "description") == ["此项为必填项"]
    assert field_errors(response, "honor_key") == ["荣誉类项目请填写荣誉名称"]
    assert 'value="2025-13-45"' in page
    assert '<option value="honor_national" selected>' in page
    # the message sits inside the field's own block, right after its input
    block = page.split('id="field-occurred_on"', 1)[1].split('id="field-', 1)[0]
    assert "请输入正确的日期" in block
    assert Declaration.objects.count() == 0


def test_an_item_that_is_not_declarable_or_a_future_date_is_refused(alice) -> None:
    response = alice.post(reverse("declare"), good(item_code="study_absent"))
    assert field_errors(response, "item_code") == ["请从列表中选择可申报的项目"]
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = alice.post(reverse("declare"), good(occurred_on=tomorrow))
    assert field_errors(response, "occurred_on") == ["发生日期不能晚于今天"]
    assert Declaration.objects.count() == 0


def test_a_file_of_the_wrong_type_is_refused_with_the_reason_and_nothing_stored(alice) -> None:
    fake = SimpleUploadedFile("photo.png", b"just some text\n", content_type="image/png")
    response = alice.post(
        reverse("declare"), {**good(description="保留的事由"), "evidence": [png_upload(), fake]}
    )
    assert response.status_code == 200
    [error] = field_errors(response, "evidence")
    assert "photo.png" in error and "内容不是允许的类型" in error
    assert "保留的事由" in response.content.decode()
    assert (Declaration.objects.count(), Evidence.objects.count(), stored_files()) == (0, 0, [])


def test_a_file_too_big_is_refused_with_the_reason_and_nothing_stored(alice, settings) -> None:
    settings.JIFEN_EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", tiny_png() + b"\x00" * 2048, content_type="image/png")
    response = alice.post(reverse("declare"), {**good(), "evidence": big})
    [error] = field_errors(response, "evidence")
    assert "big.png" in error and "大小超过" in error and "上限" in error
    assert (Declaration.objects.count(), Evidence.objects.count(), stored_files()) == (0, 0, [])


def test_a_declaration_with_a_photo_and_a_double_submit_make_one(alice, personas) -> None:
    data = good()
    first = alice.post(reverse("declare"), {**data, "evidence": png_upload()})
    assert first.status_code == 302 and first["Location"] == reverse("my_declarations")
    again = alice.post(reverse("declare"), {**data, "evidence": png_upload()})
    assert again.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.member == personas.alice and declaration.state == "submitted"
    assert declaration.evidence.count() == 1 and len(stored_files()) == 1
    page = alice.get(reverse("my_declarations")).content.decode()
    assert "获得公司级荣誉" in page and "已提交" in page and "佐证 1 个" in page


def test_a_refusal_of_the_service_is_shown_on_the_form(alice, personas) -> None:
    # A date in an archived period passes the form but not the service.
    q1 = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31),
    )  # fmt: skip
    q1.state = "archived"  # a shortcut: the workflow's path there is in test_full_cycle
    q1.save(update_fields=["state"])
    response = alice.post(reverse("declare"), good(description="补报"))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("已归档的期间 2025-Q1" in e for e in errors)
    assert "补报" in response.content.decode()
    assert Declaration.objects.count() == 0


def test_an_appeal_outside_the_window_says_why(world) -> None:
    client = Client()
    client.force_login(world.personas.alice_user)
    url = reverse("appeal_file", args=[world.period.pk])
    page = client.get(url).content.decode()
    assert "不在公示期" in page and "<textarea" not in page
    response = client.post(url, {"reason": "再议", "idempotency_key": str(uuid.uuid4())})
    assert "不能申辩" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_an_appeal_inside_the_window_is_filed_once(personas) -> None:
    q = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q2",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    summarise_period(actor=personas.sam, period=q)
    publicise_period(actor=personas.sam, period=q, days=5)  # from today
    client = Client()
    client.force_login(personas.alice_user)
    url = reverse("appeal_file", args=[q.pk])
    empty = client.post(url, {"reason": "", "idempotency_key": str(uuid.uuid4())})
    assert empty.context["form"].errors["reason"] == ["此项为必填项"]
    data = {"reason": "学习记录漏记", "idempotency_key": str(uuid.uuid4())}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Appeal.objects.get().reason == "学习记录漏记"
    assert "学习记录漏记" in client.get(url).content.decode()


def test_a_returned_declaration_is_changed_and_submitted_again(world) -> None:
    from jifen.workflow.services import return_declaration

    personas = world.personas
    return_declaration(actor=personas.sam, declaration=world.pending, reason="请补充证书")
    client = Client()
    client.force_login(personas.alice_user)
    url = reverse("declaration_edit", args=[world.pending.pk])
    page = client.get(url).content.decode()
    assert "获市级优秀党员" in page and "请补充证书" in page
    fake = SimpleUploadedFile("x.png", b"not a png", content_type="image/png")
    data = {
        **good(item_code="honor_municipal", honor_key="2025-市优秀党员", occurred_on="2025-05-04"),
        "description": "获市级优秀党员（附证书）",
    }
    refused = client.post(url, {**data, "evidence": fake})
    assert "内容不是允许的类型" in refused.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.state == "returned" and world.pending.description == "获市级优秀党员"
    assert client.post(url, {**data, "evidence": png_upload()}).status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"
    assert world.pending.description == "获市级优秀党员（附证书）"
    assert world.pending.evidence.count() == 1
    # Bob's or Sam's accounts are not Alice: the page is hers alone (see the matrix).
    assert "已提交" in client.get(url).content.decode()


def test_an_edit_refused_at_submission_leaves_nothing_half_written(world, monkeypatch) -> None:
    from jifen.web import views_member
    from jifen.workflow.services import WorkflowRefused, return_declaration

    personas = world.personas
    return_declaration(actor=personas.sam, declaration=world.pending, reason="请补充证书")
    files_before = stored_files()

    def refuse(**kwargs: Any) -> None:
        raise WorkflowRefused("申报已被提交或处理，不能再修改，请刷新")

    monkeypatch.setattr(views_member, "submit_declaration", refuse)
    client = Client()
    client.force_login(personas.alice_user)
    url = reverse("declaration_edit", args=[world.pending.pk])
    data = {
        **good(item_code="honor_municipal", honor_key="2025-市优秀党员", occurred_on="2025-05-04"),
        "description": "改过的事由",
        "evidence": png_upload(),
    }
    response = client.post(url, data)
    assert "请刷新" in response.content.decode() and "改过的事由" in response.content.decode()
    world.pending.refresh_from_db()
    assert world.pending.description == "获市级优秀党员" and world.pending.state == "returned"
    assert world.pending.evidence.count() == 0
    assert stored_files() == files_before


def test_my_declarations_offer_an_attestation_for_one_under_review(world) -> None:
    client = Client()
    client.force_login(world.personas.alice_user)
    page = client.get(reverse("my_declarations")).content.decode()
    assert reverse("attestation_request", args=[world.pending.pk]) in page
    decided = reverse("attestation_request", args=[world.approved.pk])
    assert decided not in page  # only while the declaration waits for review


def test_the_card_links_to_its_printable_version_and_the_year(world) -> None:
    client = Client()
    client.force_login(world.personas.alice_user)
    page = client.get(reverse("my_card")).content.decode()
    printable = reverse("report_card", args=[world.personas.alice.pk])
    assert printable in page and reverse("my_year") in page
    assert client.get(printable).status_code == 200
