"""Stored scheme versions: numbering, validation, who may write them, and which one is in
force for an evaluation over the database."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jifen.core.models import AuditEvent
from jifen.ledger.services import EntryDraft, post_entries
from jifen.schemes.models import SchemeVersion, VersionKind
from jifen.schemes.registry import scheme_for
from jifen.schemes.services import create_version
from jifen.scoring.scope import resolve_scope
from jifen.scoring.selectors import evaluate_scope
from schemes.texts import NEW_ITEM, s002_text, with_company_honor, with_top_grade_at

pytestmark = pytest.mark.django_db
JAN = dt.date(2025, 1, 10)


def refine(personas, text: str, on: dt.date = dt.date(2025, 4, 1), **kwargs) -> SchemeVersion:
    return create_version(
        actor=personas.carol, organisation=personas.branch_a, text=text,
        effective_from=on, today=JAN, **kwargs,
    )  # fmt: skip


def test_a_refinement_is_the_next_version_effective_from_its_date(personas) -> None:
    first = refine(personas, with_company_honor(s002_text(), "3"))
    second = refine(personas, with_company_honor(s002_text(), "4"), on=dt.date(2025, 7, 1))
    assert (first.version, second.version) == (2, 3)  # the preset is version 1
    assert first.kind == VersionKind.REFINEMENT and first.code == "s002"
    assert first.based_on is None and second.based_on == first
    assert AuditEvent.objects.filter(action="scheme.version_create").count() == 2
    a = personas.branch_a
    assert scheme_for("s002", on=dt.date(2025, 3, 31), organisation=a).version == 1
    assert scheme_for("s002", on=dt.date(2025, 4, 1), organisation=a).version == 2
    assert scheme_for("s002", on=dt.date(2025, 7, 1), organisation=a).version == 3
    # Branch B has no refinement: the preset.
    assert scheme_for("s002", on=dt.date(2025, 7, 1), organisation=personas.branch_b).version == 1


def test_evaluation_before_the_date_uses_the_old_version_and_after_it_the_new(personas) -> None:
    # The ledger keeps the points of each entry; the scheme's grade bands apply when
    # evaluating: 优秀 from 98 under the preset, from 102 under the refinement.
    refine(personas, with_top_grade_at(s002_text(), "102"))
    alice = personas.alice
    post_entries(actor=None, tenant_id=alice.tenant_id, drafts=[
        EntryDraft(member_id=alice.pk, organisation_id=alice.branch_id, item_code="honor_company",
                   points=Decimal(1), occurred_on=day, honor_key=key)
        for day, key in ((dt.date(2025, 2, 1), "一季度先进"), (dt.date(2025, 5, 1), "二季度先进"))
    ])  # fmt: skip

    def alice_result(period: str) -> tuple[int, int | None, str | None]:
        scope = resolve_scope(tenant=personas.district, organisation=personas.branch_a,
                              period=period)  # fmt: skip
        rows = evaluate_scope(scope).rows
        (row,) = [r for r in rows if r.member.id == str(alice.pk)]
        return scope.scheme.version, row.total, row.grade

    assert alice_result("2025-Q1") == (1, 10100, "优秀")  # before 1 April: the preset
    assert alice_result("2025-Q2") == (2, 10100, "良好")  # from 1 April: the refinement


def test_a_template_of_the_committee_reaches_its_branches_and_a_refinement_wins(personas) -> None:
    template = create_version(
        actor=personas.carol, organisation=personas.committee,
        text=with_company_honor(s002_text(), "2"), effective_from=dt.date(2025, 1, 1), today=JAN,
    )  # fmt: skip
    assert template.kind == VersionKind.TEMPLATE
    refinement = refine(personas, with_company_honor(s002_text(), "5"))
    assert refinement.based_on == template
    on = dt.date(2025, 5, 1)
    assert scheme_for("s002", on=on, organisation=personas.branch_b).version == template.version
    assert scheme_for("s002", on=on, organisation=personas.branch_a).version == refinement.version


def test_invalid_toml_names_the_place_and_saves_nothing(personas) -> None:
    broken = s002_text().replace('dimension = "bonus"', 'dimension = "bonsu"', 1)
    with pytest.raises(ValidationError) as caught:
        refine(personas, broken)
    text = " ".join(caught.value.message_dict["text"])
    assert "items[" in text and ".dimension" in text
    with pytest.raises(ValidationError) as caught:
        refine(personas, "code = [")
    assert "TOML" in " ".join(caught.value.message_dict["text"])
    assert not SchemeVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="scheme.version_create").exists()


def test_a_refinement_keeps_the_code_of_the_scheme_the_branch_uses(personas) -> None:
    other = s002_text().replace('code = "s002"', 'code = "mine"', 1)
    with pytest.raises(ValidationError) as caught:
        refine(personas, other)
    assert "s002" in caught.value.message_dict["text"][0]
    assert not SchemeVersion.objects.exists()


def test_the_effective_date_may_not_lie_in_a_past_year(personas) -> None:
    with pytest.raises(ValidationError) as caught:
        refine(personas, s002_text(), on=dt.date(2024, 12, 1))
    assert "effective_from" in caught.value.message_dict


@pytest.mark.parametrize("who", ["bob", "sam", "alice_user", "adam"])
def test_only_the_committee_over_the_branch_may_write_a_refinement(personas, who: str) -> None:
    with pytest.raises(PermissionDenied):
        create_version(
            actor=getattr(personas, who), organisation=personas.branch_a, text=s002_text(),
            effective_from=dt.date(2025, 4, 1), today=JAN,
        )  # fmt: skip
    assert not SchemeVersion.objects.exists()


def test_the_same_form_sent_twice_saves_one_version(personas) -> None:
    key = uuid.uuid4()
    first = refine(personas, s002_text() + NEW_ITEM, idempotency_key=key)
    again = refine(personas, s002_text() + NEW_ITEM, idempotency_key=key)
    assert first.pk == again.pk and SchemeVersion.objects.count() == 1


def test_versions_are_never_changed(personas) -> None:
    version = refine(personas, s002_text())
    version.note = "改"
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        SchemeVersion.objects.update(note="改")


def test_a_subtree_with_a_refined_branch_is_not_summarised_under_one_version(personas) -> None:
    from jifen.scoring.scope import ScopeError

    refine(personas, s002_text(), on=dt.date(2025, 1, 1))
    with pytest.raises(ScopeError, match="甲支部"):
        resolve_scope(tenant=personas.district, organisation=personas.committee, period="2025-Q1")
    # Branch B alone, and branch A alone, are fine.
    assert (
        resolve_scope(
            tenant=personas.district, organisation=personas.branch_b, period="2025-Q1"
        ).scheme.version
        == 1
    )
    assert (
        resolve_scope(
            tenant=personas.district, organisation=personas.branch_a, period="2025-Q1"
        ).scheme.version
        == 2
    )


def test_a_snapshots_scheme_is_found_again_by_its_number(personas) -> None:
    from jifen.schemes.registry import scheme_numbered

    refine(personas, with_top_grade_at(s002_text(), "102"))
    tenant = personas.district.pk
    assert scheme_numbered("s002", 2, tenant_id=tenant).grades[0].min == 102
    assert scheme_numbered("s002", 1, tenant_id=tenant).grades[0].min == 98
