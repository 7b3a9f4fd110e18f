"""Writing scheme versions: a committee's template, a branch's refinement (细则).

`create_version` checks the actor's Perm.MANAGE_SCHEME over the owning organisation,
validates the TOML with the engine's own loader (the message names the place, such as
`items[3].points`), numbers the version and writes it with its audit row, in one
transaction. Nothing is written when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from jifen.core.audit import record
from jifen.engine import Scheme, parse_scheme
from jifen.engine.errors import SchemeError
from jifen.orgs.models import GROUP_KINDS, MEMBER_HOLDING_KINDS, Organisation
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.orgs.services import effective_scheme_code
from jifen.schemes import registry
from jifen.schemes.models import SchemeVersion, VersionKind

CREATE = "scheme.version_create"
_VERSION_LINE = re.compile(r"^version\s*=\s*\d+\s*$", re.MULTILINE)


def kind_for(organisation: Organisation) -> VersionKind:
    if organisation.kind in MEMBER_HOLDING_KINDS:
        return VersionKind.REFINEMENT
    return VersionKind.TEMPLATE


def next_number(tenant_id: int, code: str) -> int:
    """Above every stored version of the code in the tenant and above the preset's own."""
    stored = SchemeVersion.objects.filter(tenant_id=tenant_id, code=code).aggregate(
        top=Max("version")
    )["top"]
    floor = registry.preset(code).version if registry.is_preset(code) else 0
    return max(stored or 0, floor) + 1


def numbered_text(text: str, number: int) -> str:
    """The text with its top-level `version = …` line set to `number` (how the form
    starts a new version; the stored number governs either way)."""
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(f"version = {number}", text, count=1)
    return text


def current_text(code: str, *, on: dt.date, organisation: Organisation) -> str:
    """The TOML a new version of `code` starts from: the version in force, else the preset."""
    version = registry.version_for(code, on=on, organisation=organisation)
    if version is not None:
        return version.text
    if registry.is_preset(code):
        from importlib import resources

        folder = resources.files("jifen.engine.presets")
        return folder.joinpath(f"{code}.toml").read_text(encoding="utf-8")
    return ""


def _parse(text: str) -> Scheme:
    try:
        return parse_scheme(text, "办法内容")
    except SchemeError as error:
        raise ValidationError({"text": [str(p) for p in error.problems]}) from error


@transaction.atomic
def create_version(
    *,
    actor: Any,
    organisation: Organisation,
    text: str,
    effective_from: dt.date,
    note: str = "",
    idempotency_key: uuid.UUID | None = None,
    today: dt.date | None = None,
) -> SchemeVersion:
    """A new version owned by `organisation`: a template (a committee) or a refinement
    (a branch, which must keep the code of the scheme it uses). A key already used
    returns the version it saved (a form sent twice)."""
    if idempotency_key is not None:
        saved = SchemeVersion.objects.filter(idempotency_key=idempotency_key).first()
        if saved is not None:
            return saved
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_SCHEME, organisation):
        raise PermissionDenied("无权限：只有上级党组织可以制定积分办法模板和支部细则")
    if organisation.kind in GROUP_KINDS:
        raise ValidationError("党小组/村小组不单独制定积分办法，请为其所在支部制定细则")
    scheme = _parse(text)
    kind = kind_for(organisation)
    if kind == VersionKind.REFINEMENT:
        used = effective_scheme_code(organisation)
        if scheme.code != used:
            raise ValidationError(
                {
                    "text": f"支部细则须沿用所用办法的编码 {used or '（未设置）'}，"
                    f"不能改为 {scheme.code}"
                }
            )
    today = today or timezone.localdate()
    if effective_from < dt.date(today.year, 1, 1):
        raise ValidationError(
            {
                "effective_from": f"生效日期不能早于本年度开始（{today.year}-01-01）："
                "已过去的年度不再改办法"
            }
        )
    tenant_id = organisation.tenant_id or organisation.pk
    based_on = registry.version_for(scheme.code, on=effective_from, organisation=organisation)
    number = next_number(tenant_id, scheme.code)
    try:
        with transaction.atomic():
            version = SchemeVersion.objects.create(
                tenant_id=tenant_id,
                organisation=organisation,
                kind=kind,
                code=scheme.code,
                version=number,
                name=scheme.name,
                text=text,
                based_on=based_on,
                effective_from=effective_from,
                note=note.strip(),
                created_by=actor,
                idempotency_key=idempotency_key,
            )
    except IntegrityError as error:  # another version of the code was saved meanwhile
        raise ValidationError("同时有人保存了该办法的新版本，请刷新后重试") from error
    record(
        CREATE,
        actor=actor,
        target=version,
        tenant_id=tenant_id,
        summary=f"{organisation.name} {version.get_kind_display()} {version}",
        changes={
            "code": version.code,
            "version": number,
            "based_on": based_on.version if based_on else None,
            "effective_from": effective_from.isoformat(),
        },
    )
    transaction.on_commit(registry.invalidate)
    registry.invalidate()
    return version
