"""The OpenAPI document: valid OpenAPI 3, every operation named and summarised in
Chinese, creates marked with their idempotency key; the docs page works offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]


def test_the_document_is_valid_openapi_3(document: dict[str, Any]) -> None:
    from schemathesis.openapi import from_dict

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "积分 Jifen API"
    schema = from_dict(document)
    assert len(list(schema.get_all_operations())) == len(operations(document))
    for result in schema.get_all_operations():
        assert result.ok()  # every operation's schema could be read


def test_every_operation_has_an_id_and_a_chinese_summary(document: dict[str, Any]) -> None:
    seen = set()
    for path, method, op in operations(document):
        assert op.get("operationId"), f"{method} {path}"
        assert CHINESE.search(op.get("summary", "")), f"{method} {path}"
        seen.add(op["operationId"])
    assert len(seen) == len(operations(document))


def test_every_post_requires_an_idempotency_key(document: dict[str, Any]) -> None:
    posts = [(path, op) for path, method, op in operations(document) if method == "post"]
    assert len(posts) >= 15
    for path, op in posts:
        headers = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "header"}
        assert headers["Idempotency-Key"]["required"] is True, path


def test_points_are_never_numbers(document: dict[str, Any]) -> None:
    for name, component in document["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if field in {"points", "total", "bonus", "deductions", "requested_points"}:
                kinds = {s.get("type") for s in spec.get("anyOf", [spec])}
                assert "number" not in kinds or name.endswith("In"), (name, field)


def test_only_the_board_is_public(document: dict[str, Any]) -> None:
    for path, _method, op in operations(document):
        public = path.startswith("/api/board/")
        assert ("security" not in op) == public, path


def test_the_docs_page_loads_only_local_files(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert '"validatorUrl": null' in html
    assert "/api/openapi.json" in html


def test_the_project_mounts_the_api_at_api(settings: Any) -> None:
    """The real URL configuration, not the test's: the document is at /api/openapi.json."""
    from django.urls import resolve

    settings.ROOT_URLCONF = "jifen.urls"
    match = resolve("/api/openapi.json")
    assert match.namespace == "api"


def test_refusals_are_described_with_their_shape(document: dict[str, Any]) -> None:
    assert document["components"]["schemas"]["Refusal"]["required"] == ["detail"]
    for path, method, op in operations(document):
        assert {"404", "422"} <= set(op["responses"]), f"{method} {path}"
        if method == "post":
            assert "400" in op["responses"], path
