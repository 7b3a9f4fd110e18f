"""The items a form offers, as the pages offer them."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_alice_sees_the_items_she_may_declare(callers: Any) -> None:
    items = callers.alice.get("/api/items/declarable").json()
    codes = {i["code"] for i in items}
    assert "honor_company" in codes
    assert not any(i["veto"] for i in items)
    assert callers.sam.get("/api/items/declarable").json() == []  # not a member


def test_sam_sees_every_item_of_his_branch(callers: Any, personas: Any) -> None:
    items = callers.sam.get("/api/items/registrable", branch_id=personas.branch_a.pk).json()
    by_code = {i["code"]: i for i in items}
    assert by_code["service_activity"]["points"] == "-1.00"
    assert by_code["veto_discipline"]["veto"]
    assert (
        callers.bob.get("/api/items/registrable", branch_id=personas.branch_a.pk).status_code == 404
    )
