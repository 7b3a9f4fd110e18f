"""Builders for the scoring tests: branches under a scheme, members, entries in the ledger.

Every builder writes through the project's services (organisations, members, the ledger),
as an operator would; the tests then read results over the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from jifen.engine import Entry
from jifen.ledger.models import LedgerEntry
from jifen.ledger.services import EntryDraft, post_entries, reverse_entry
from jifen.members.models import Exemption, ExemptionState
from jifen.members.services import change_member, create_member
from jifen.orgs.services import create_organisation


@dataclass(frozen=True)
class Posted:
    """An entry as the test posted it, with the ledger seq it got."""

    member: Any
    item: str
    points: Decimal
    occurred_on: dt.date
    quantity: int
    honor_key: str
    seq: int

    def as_engine_entry(self) -> Entry:
        return Entry(
            member=str(self.member.pk),
            occurred_on=self.occurred_on,
            item=self.item,
            points=self.points,
            quantity=self.quantity,
            honor_key=self.honor_key,
            row=self.seq,
        )


class World:
    """Branches, members and entries of the personas' district (tenant)."""

    _codes = itertools.count(1)

    def __init__(self, personas: Any) -> None:
        self.personas = personas
        self.tenant = personas.district

    def branch(self, scheme_code: str, *, parent: Any = None) -> Any:
        number = next(self._codes)
        return create_organisation(
            actor=None,
            name=f"测试支部{number}",
            code=f"T-{number}",
            kind="branch",
            parent=parent or self.personas.committee,
            scheme_code=scheme_code,
        )

    def member(
        self,
        branch: Any,
        *,
        category: str = "",
        managed_from: dt.date | None = None,
        managed_to: dt.date | None = None,
    ) -> Any:
        number = next(self._codes)
        member = create_member(
            actor=None,
            branch=branch,
            name=f"党员{number}",
            gender="MF"[number % 2],
            category=category,
            managed_from=managed_from,
        )
        if managed_to is not None:
            member = change_member(actor=None, member=member, managed_to=managed_to)
        return member

    def exempt(self, member: Any, starts_on: dt.date, ends_on: dt.date | None = None) -> None:
        Exemption.objects.create(
            tenant=self.tenant,
            member=member,
            reason="年老体弱",
            starts_on=starts_on,
            ends_on=ends_on,
            state=ExemptionState.FILED,
        )

    def post(self, rows: Sequence[tuple[Any, str, Decimal, dt.date, int, str]]) -> list[Posted]:
        """Post (member, item, points, occurred_on, quantity, honor_key) rows in one batch."""
        drafts = [
            EntryDraft(
                member_id=member.pk,
                organisation_id=member.branch_id,
                item_code=item,
                points=points,
                occurred_on=day,
                quantity=quantity,
                honor_key=honor_key,
            )
            for member, item, points, day, quantity, honor_key in rows
        ]
        batch = post_entries(actor=None, tenant_id=self.tenant.pk, drafts=drafts)
        return [
            Posted(member, item, points, day, quantity, honor_key, batch.first_seq + index)
            for index, (member, item, points, day, quantity, honor_key) in enumerate(rows)
        ]

    def reverse(self, posted: Posted, *, on: dt.date | None = None) -> None:
        entry = LedgerEntry.objects.get(tenant=self.tenant, seq=posted.seq)
        reverse_entry(actor=None, entry=entry, reason="登记有误", occurred_on=on)


@pytest.fixture
def world(personas: Any) -> World:
    return World(personas)
