"""Evidence over the API (multipart, checked by content, retried safely) and the member's
edit-and-resubmit of a returned declaration."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jifen.api.models import IdempotencyRecord
from jifen.workflow.models import Evidence
from web.conftest import tiny_png

pytestmark = pytest.mark.django_db


def upload(caller: Any, declaration_id: int, files: list[Any], key: str) -> Any:
    return caller.client.post(
        f"/api/declarations/{declaration_id}/evidence",
        {"files": files},
        headers={"Authorization": f"Bearer {caller.token}", "Idempotency-Key": key},
    )


def png(name: str = "证明.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


@pytest.fixture
def returned(callers: Any, world: Any) -> Any:
    callers.sam.post(f"/api/declarations/{world.pending.pk}/return", {"reason": "请补充证明"})
    return world.pending


def test_alice_adds_evidence_once_however_often_she_retries(callers: Any, returned: Any) -> None:
    first = upload(callers.alice, returned.pk, [png()], key="ev-1")
    assert first.status_code == 201
    assert first.json()[0]["content_type"] == "image/png"
    again = upload(callers.alice, returned.pk, [png()], key="ev-1")  # a new boundary
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Evidence.objects.filter(declaration=returned).count() == 1
    other = upload(callers.alice, returned.pk, [png("另一个.png")], key="ev-1")
    assert other.status_code == 422
    assert IdempotencyRecord.objects.filter(key="ev-1").count() == 1


def test_a_file_that_is_not_an_image_or_pdf_is_refused(callers: Any, returned: Any) -> None:
    fake = SimpleUploadedFile("病毒.png", b"MZ not an image", content_type="image/png")
    response = upload(callers.alice, returned.pk, [fake], key="ev-2")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Evidence.objects.filter(declaration=returned).exists()


def test_evidence_of_a_submitted_declaration_is_refused(callers: Any, world: Any) -> None:
    response = upload(callers.alice, world.pending.pk, [png()], key="ev-3")
    assert response.status_code == 422
    assert "不能再添加材料" in response.json()["detail"]


def test_only_the_declarant_uploads(callers: Any, returned: Any) -> None:
    assert upload(callers.sam, returned.pk, [png()], key="ev-4").status_code == 404
    assert upload(callers.bob, returned.pk, [png()], key="ev-5").status_code == 404


def test_evidence_is_served_to_the_declarant_and_the_reviewer(callers: Any, world: Any) -> None:
    path = f"/api/declarations/evidence/{world.evidence.pk}"
    response = callers.sam.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == tiny_png()
    assert "sandbox" in response["Content-Security-Policy"]
    assert callers.alice.get(path).status_code == 200
    assert callers.bob.get(path).status_code == 404
    assert callers.carol.get(path).status_code == 404


def test_alice_edits_and_resubmits_a_returned_declaration(callers: Any, returned: Any) -> None:
    body = {
        "item_code": "honor_municipal",
        "occurred_on": "2025-05-04",
        "description": "获市级优秀党员（附证书）",
        "honor_key": "2025-市优秀党员",
    }
    response = callers.alice.post(f"/api/declarations/{returned.pk}/resubmit", body)
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["description"] == "获市级优秀党员（附证书）"
    again = callers.alice.post(f"/api/declarations/{returned.pk}/resubmit", body)
    assert again.status_code == 422  # submitted now: no longer editable
    assert callers.sam.post(f"/api/declarations/{returned.pk}/resubmit", body).status_code == 404
