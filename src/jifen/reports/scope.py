"""Which saved results a report of an organisation reads, and the header fields.

A report of an organisation for a period reads the latest snapshot of that organisation
for the period if there is one (a summary over the whole subtree), otherwise the latest
snapshot of each organisation below it (the branches' own period summaries). Nothing is
evaluated here: results are the snapshots' rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils import timezone

from jifen.engine import load_scheme
from jifen.engine.errors import EngineError
from jifen.engine.scheme import Scheme
from jifen.orgs.models import Organisation
from jifen.scoring.models import ResultSnapshot


def subtree_ids(organisation: Organisation) -> list[int]:
    return list(organisation.descendants(include_self=True).values_list("pk", flat=True))


def tenant_of(organisation: Organisation) -> int:
    return organisation.tenant_id or organisation.pk


def _snapshots(organisation: Organisation, subtree: list[int]) -> Any:
    return ResultSnapshot.objects.filter(
        tenant_id=tenant_of(organisation), organisation_id__in=subtree
    )


def periods_of(organisation: Organisation, subtree: list[int]) -> list[str]:
    """Labels of the periods with saved results in the subtree, the newest summary first."""
    rows = (
        _snapshots(organisation, subtree)
        .values("period")
        .annotate(last=Max("id"))
        .order_by("-last")
        .values_list("period", flat=True)
    )
    return list(rows)


def snapshot_ids(organisation: Organisation, subtree: list[int], period: str) -> list[int]:
    """The snapshots a report of `organisation` for `period` reads (see the module doc)."""
    latest = dict(
        _snapshots(organisation, subtree)
        .filter(period=period)
        .values("organisation_id")
        .annotate(last=Max("id"))
        .values_list("organisation_id", "last")
    )
    if organisation.pk in latest:
        return [latest[organisation.pk]]
    return sorted(latest.values())


def schemes_of(snapshot_ids: list[int]) -> list[Scheme]:
    """The schemes of the snapshots, in order of first use; unknown codes are skipped."""
    codes = (
        ResultSnapshot.objects.filter(pk__in=snapshot_ids)
        .order_by("id")
        .values_list("scheme_code", flat=True)
    )
    return load_schemes(dict.fromkeys(codes))


def load_schemes(codes: Any) -> list[Scheme]:
    schemes = []
    for code in codes:
        try:
            schemes.append(load_scheme(code))
        except EngineError:
            continue
    return schemes


def grade_names(schemes: list[Scheme]) -> list[str]:
    """Grade names from the best band down, across the schemes, each once."""
    names: dict[str, None] = {}
    for scheme in schemes:
        names.update(dict.fromkeys(g.name for g in scheme.grades))
    return list(names)


def item_names(schemes: list[Scheme]) -> dict[str, str]:
    names: dict[str, str] = {}
    for scheme in schemes:
        for item in scheme.items:
            names.setdefault(item.code, item.name)
    return names


def org_fields(organisation: Organisation, user: Any, today: dt.date) -> list[tuple[str, str]]:
    """The header fields of seed 003's tables: 单位, 党(工)委(总支、支部), 负责人, 填表人."""
    tenant = organisation.tenant if organisation.tenant_id else organisation
    preparer = (user.get_full_name() or user.get_username()) if user is not None else ""
    return [
        ("单位", tenant.name if tenant is not None else ""),
        ("党（工）委（总支、支部）", organisation.name),
        ("党组织负责人", organisation.leader_name),
        ("填表人", preparer),
        ("日期", today.isoformat()),
    ]


class OrgScope:
    """An organisation, its subtree, the chosen period and the snapshots read for it."""

    def __init__(
        self, organisation: Organisation, *, period: str = "", user: Any = None,
        today: dt.date | None = None,
    ) -> None:  # fmt: skip
        self.organisation = organisation
        self.user = user
        self.today = today or timezone.localdate()
        self.subtree = subtree_ids(organisation)
        self.periods = periods_of(organisation, self.subtree)
        self.period = period if period else (self.periods[0] if self.periods else "")
        self.snapshots = (
            snapshot_ids(organisation, self.subtree, self.period) if self.period else []
        )
        self._schemes: list[Scheme] | None = None

    @property
    def schemes(self) -> list[Scheme]:
        if self._schemes is None:
            self._schemes = schemes_of(self.snapshots)
        return self._schemes

    def fields(self, *extra: tuple[str, str]) -> list[tuple[str, str]]:
        return [*org_fields(self.organisation, self.user, self.today), *extra]


def category_names(schemes: list[Scheme]) -> dict[str, str]:
    names: dict[str, str] = {}
    for scheme in schemes:
        for category in scheme.categories:
            names.setdefault(category.code, category.name)
    return names
