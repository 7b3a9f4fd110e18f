"""Branches under the personas' committee, each with saved snapshots (written directly:
the dashboard reads snapshots, however they were made)."""

from __future__ import annotations

import random
from typing import Any

from jifen.members.services import create_member
from jifen.orgs.services import create_organisation
from jifen.scoring.models import MemberResult, ResultSnapshot

GRADES = ("优秀", "良好", "合格", "不合格", "")


def snapshot(branch: Any, period: str, rows: list[tuple[Any, int | None, str]]) -> ResultSnapshot:
    saved = ResultSnapshot.objects.create(
        tenant_id=branch.tenant_id, organisation=branch, scheme_code="s002", scheme_version=1,
        period=period, inputs_hash="0" * 64, member_count=len(rows),
    )  # fmt: skip
    MemberResult.objects.bulk_create(
        MemberResult(snapshot=saved, member=m, branch=branch, total_hundredths=t, grade=g)
        for m, t, g in rows
    )
    return saved


Rows = list[tuple[Any, int | None, str]]


def grow(
    personas: Any, branches: int, members: int = 2, seed: int = 1
) -> list[tuple[Any, dict[str, Rows]]]:
    """`branches` new branches under the committee, each with `members` members and a
    snapshot for 2025-Q1 and 2025-Q2 (plus a superseded earlier Q2 one, to be ignored).
    Returns each branch with the rows of its final snapshots, by period."""
    draw = random.Random(seed)
    made = []
    for b in range(branches):
        branch = create_organisation(
            actor=None, name=f"第{b + 1}支部", code=f"D-1-N{seed}-{b:03d}", kind="branch",
            parent=personas.committee, scheme_code="s002",
        )  # fmt: skip
        people = [
            create_member(actor=None, branch=branch, name=f"党员{b}-{i}", gender="M")
            for i in range(members)
        ]
        snapshot(branch, "2025-Q2", [(m, 1, "不合格") for m in people])  # superseded below
        final: dict[str, Rows] = {}
        for period in ("2025-Q1", "2025-Q2"):
            rows: Rows = []
            for m in people:
                grade = draw.choice(GRADES)
                total = None if grade == "" else draw.randrange(8000, 10500)
                rows.append((m, total, grade))
            snapshot(branch, period, rows)
            final[period] = rows
        made.append((branch, final))
    return made
