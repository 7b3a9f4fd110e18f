"""The committee's scheme pages: a refinement for branch A from the current text, its
differences shown, bad TOML answered next to the field, nobody else may write one."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from committee.conftest import signed_in
from jifen.schemes.diff import structured_diff
from jifen.schemes.models import SchemeVersion
from jifen.schemes.registry import parse_stored, preset
from jifen.schemes.services import create_version
from schemes.texts import NEW_ITEM, s002_text, with_company_honor

pytestmark = pytest.mark.django_db
NEW = reverse("scheme_new")


def form(personas, text: str, **extra) -> dict:
    return {
        "organisation": personas.branch_a.pk, "effective_from": timezone.localdate().isoformat(),
        "note": "年初细则", "text": text, "idempotency_key": str(uuid.uuid4()), **extra,
    }  # fmt: skip


def test_the_form_starts_from_the_text_in_force_numbered_as_the_next_version(personas) -> None:
    page = signed_in(personas.carol).get(NEW, {"organisation": personas.branch_a.pk})
    text = page.context["form"].initial["text"]
    assert 'code = "s002"' in text and "version = 2" in text


def test_a_refinement_saved_through_the_page_shows_its_differences(personas) -> None:
    client = signed_in(personas.carol)
    text = with_company_honor(s002_text(), "3") + NEW_ITEM
    response = client.post(NEW, form(personas, text))
    version = SchemeVersion.objects.get()
    assert response.status_code == 302 and version.version == 2 and version.kind == "refinement"
    assert version.effective_from == timezone.localdate() and version.text == text
    diff = client.get(reverse("scheme_diff", args=[version.pk]))
    structured = diff.context["structured"]
    added = [r for r in structured.items if r.status == "added"]
    changed = {r.code: r for r in structured.items if r.status == "changed"}
    assert [r.code for r in added] == ["river_patrol"]
    (points,) = changed["honor_company"].changes
    assert (points.label, points.old, points.new) == ("分值", "1", "3")
    page = diff.content.decode()
    assert "参加河道巡查" in page and 'class="diff-add"' in page and "+points = 3" in page
    listing = client.get(reverse("scheme_list")).content.decode()
    assert "甲支部" in listing and "第2版" in listing


def test_the_structured_diff_names_grades_and_removed_items(personas) -> None:
    text = s002_text().replace("min = 98", "min = 97", 1)
    old = preset("s002")
    version = create_version(
        actor=personas.carol, organisation=personas.committee, text=text,
        effective_from=timezone.localdate(),
    )  # fmt: skip
    diff = structured_diff(old, parse_stored(version))
    assert [(r.name, r.changes[0].old, r.changes[0].new) for r in diff.grades] == [
        ("优秀", "98", "97")
    ]
    back = structured_diff(parse_stored(version), old)
    assert not back.items and back.grades[0].changes[0].new == "98"


def test_bad_toml_is_answered_next_to_the_field_and_nothing_is_saved(personas) -> None:
    client = signed_in(personas.carol)
    broken = s002_text().replace("points = 1\n", "points = 1.234\n", 1)
    response = client.post(NEW, form(personas, broken))
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert any("items[" in e and "points" in e for e in errors), errors
    page = response.content.decode()
    assert 'id="field-text"' in page and "has-error" in page and "points = 1.234" in page
    syntax = client.post(NEW, form(personas, "code = ["))
    assert "TOML" in " ".join(syntax.context["form"].errors["text"])
    assert not SchemeVersion.objects.exists()


def test_a_date_in_a_past_year_is_refused_next_to_the_field(personas) -> None:
    past = dt.date(timezone.localdate().year - 1, 6, 1).isoformat()
    response = signed_in(personas.carol).post(NEW, form(personas, s002_text(), effective_from=past))
    assert "effective_from" in response.context["form"].errors
    assert not SchemeVersion.objects.exists()


@pytest.mark.parametrize("who", ["bob", "alice_user", "sam"])
def test_bob_alice_and_the_scorekeeper_cannot_write_a_refinement_for_a(personas, who) -> None:
    response = signed_in(getattr(personas, who)).post(NEW, form(personas, s002_text()))
    assert response.status_code == 403
    assert not SchemeVersion.objects.exists()


def test_the_same_form_sent_twice_saves_one_version(personas) -> None:
    client = signed_in(personas.carol)
    data = form(personas, s002_text() + NEW_ITEM)
    first, second = client.post(NEW, data), client.post(NEW, data)
    assert first["Location"] == second["Location"]
    assert SchemeVersion.objects.count() == 1


def test_the_scheme_list_costs_the_same_queries_for_more_organisations(
    personas, django_assert_max_num_queries
) -> None:
    from jifen.orgs.services import create_organisation

    client = signed_in(personas.carol)
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("scheme_list"))
    for n in range(15):
        branch = create_organisation(
            actor=None, name=f"新{n}支部", code=f"D-1-X{n}", kind="branch",
            parent=personas.committee, scheme_code="s002",
        )  # fmt: skip
        create_version(
            actor=personas.carol, organisation=branch, text=s002_text(),
            effective_from=timezone.localdate(),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("scheme_list"))
    assert page.content.decode().count("第") >= 15


def test_a_committee_without_a_code_starts_its_template_from_its_branches_scheme(
    personas,
) -> None:
    page = signed_in(personas.carol).get(NEW, {"organisation": personas.committee.pk})
    assert 'code = "s002"' in page.context["form"].initial["text"]
    data = form(personas, page.context["form"].initial["text"], organisation=personas.committee.pk)
    assert signed_in(personas.carol).post(NEW, data).status_code == 302
    assert SchemeVersion.objects.get().kind == "template"
