"""Small builders shared by the ledger tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jifen.ledger.services import EntryDraft, PostedBatch, post_entries


def draft(member: Any, *, item: str = "volunteer", points: str = "1", day: int = 1,
          month: int = 3, year: int = 2025, **extra: Any) -> EntryDraft:  # fmt: skip
    return EntryDraft(
        member_id=member.pk,
        organisation_id=member.branch_id,
        item_code=item,
        points=Decimal(points),
        occurred_on=dt.date(year, month, day),
        **extra,
    )


def post(member: Any, count: int = 1, **kwargs: Any) -> PostedBatch:
    return post_entries(
        actor=None,
        tenant_id=member.tenant_id,
        drafts=[draft(member, day=1 + i % 28, **kwargs) for i in range(count)],
    )
