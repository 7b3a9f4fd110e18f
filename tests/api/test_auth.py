"""Token auth: only the SHA-256 is kept; no, a bad or a revoked token answers 401."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jifen.api.models import ApiToken
from jifen.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_request_without_a_token_is_refused_in_chinese() -> None:
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


def test_an_unknown_token_is_refused(personas: Any) -> None:
    response = Client().get("/api/me", headers={"Authorization": "Bearer jf_not-a-token"})
    assert response.status_code == 401


def test_a_token_answers_as_its_user(callers: Any) -> None:
    response = callers.sam.get("/api/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "sam"
    assert body["member"] is None
    assert [(r["role"], r["organisation_name"]) for r in body["roles"]] == [
        ("scorekeeper", "甲支部")
    ]


def test_the_member_sees_who_she_is(callers: Any) -> None:
    body = callers.alice.get("/api/me").json()
    assert body["member"]["name"] == "王爱丽"
    assert body["roles"] == []


def test_the_command_prints_the_token_once_and_keeps_only_its_digest(personas: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", "create", "carol", "--name", "手机", stdout=out, stderr=err)
    token = out.getvalue().strip()
    stored = ApiToken.objects.get(user__username="carol", name="手机")
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_sha256, stored.name}
    assert "只显示这一次" in err.getvalue()
    assert AuditEvent.objects.filter(action="api.token_create").count() == 1
    me = Client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "carol"
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None


def test_a_revoked_token_is_refused(personas: Any) -> None:
    out = io.StringIO()
    call_command("apitoken", "create", "bob", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    call_command("apitoken", "revoke", "bob", stdout=io.StringIO())
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_a_deactivated_users_token_is_refused(callers: Any, personas: Any) -> None:
    personas.sam.is_active = False
    personas.sam.save(update_fields=["is_active"])
    assert callers.sam.get("/api/me").status_code == 401


def test_the_command_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="没有启用的用户"):
        call_command("apitoken", "create", "nobody", stdout=io.StringIO())


def test_a_token_client_needs_no_csrf_cookie(personas: Any) -> None:
    from api.conftest import token_for

    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {token_for(personas.alice_user)}", "Idempotency-Key": "k"}
    response = client.post(
        "/api/notifications/read-all", data="{}", content_type="application/json", headers=headers
    )
    assert response.status_code == 200


def test_a_signed_in_browser_session_is_not_an_api_credential(personas: Any) -> None:
    """Only tokens authenticate: a page's session cookie cannot be ridden cross-site."""
    client = Client()
    client.force_login(personas.alice_user)
    assert client.get("/api/me").status_code == 401


def test_the_administrator_sees_tokens_in_the_admin_but_never_a_digest(
    personas: Any, settings: Any
) -> None:
    from api.conftest import token_for

    settings.ROOT_URLCONF = "jifen.urls"
    token_for(personas.alice_user)
    digest = ApiToken.objects.get().token_sha256
    adam, sam = Client(), Client()
    adam.force_login(personas.adam)
    sam.force_login(personas.sam)
    page = adam.get("/admin/api/apitoken/")
    assert page.status_code == 200
    assert "alice" in page.content.decode() and digest not in page.content.decode()
    detail = adam.get(f"/admin/api/apitoken/{ApiToken.objects.get().pk}/change/")
    assert digest not in detail.content.decode()
    assert sam.get("/admin/api/apitoken/").status_code == 403
