"""A member sees their own graded years: score, grade, rank and the lists they are on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jifen.workflow.years import evaluate_year, grade_year

from .conftest import NEXT_YEAR, client_of

pytestmark = pytest.mark.django_db


def test_alice_sees_her_graded_year_and_nobody_elses(personas, year_a) -> None:
    alice = client_of(personas.alice_user)
    assert "还没有定等次的年度结果" in alice.get(reverse("my_year")).content.decode()
    evaluation = evaluate_year(
        actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR
    )
    assert "还没有定等次" in alice.get(reverse("my_year")).content.decode()  # not yet graded
    grade_year(actor=personas.sam, evaluation=evaluation)
    page = alice.get(reverse("my_year")).content.decode()
    body = page.split("<tbody>")[1]
    assert "2025" in body and "100.00" in body and "优秀" in body and "评优候选" in body
    assert "维克多" not in page and "保罗" not in page


def test_accounts_that_are_not_members_have_no_year_card(personas) -> None:
    assert client_of(personas.sam).get(reverse("my_year")).status_code == 403
