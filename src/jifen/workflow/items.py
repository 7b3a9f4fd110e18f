"""The branch's scheme and the rules of its items, as the workflow checks them.

Points are checked by the engine's own rules (`jifen.engine.ledger.entry_problems`), so a
declaration or a correction the workflow accepts is one the evaluation accepts too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jifen.engine import Entry
from jifen.engine.errors import EngineError
from jifen.engine.ledger import entry_problems
from jifen.engine.scheme import Item, Scheme
from jifen.ledger.points import BadPoints, to_hundredths
from jifen.orgs.models import Organisation
from jifen.schemes.registry import chain_for, scheme_in
from jifen.workflow.machine import WorkflowRefused


def scheme_of(branch: Organisation, on: dt.date | None = None) -> Scheme:
    """The branch's scheme in force on `on` (today by default): its refinement, its
    committee's template or the preset (`jifen.schemes.registry`)."""
    chain = chain_for(branch, on=on or timezone.localdate())  # as many queries as before
    code = chain.effective_code
    if not code:
        raise WorkflowRefused(f"{branch.name} 未设置积分办法")
    try:
        return scheme_in(chain, code)
    except EngineError as error:
        raise WorkflowRefused(f"积分办法 {code} 无法读取：{error}") from error


def hundredths(points: Decimal | None) -> int | None:
    if points is None:
        return None
    try:
        return to_hundredths(points)
    except BadPoints as error:
        raise WorkflowRefused(str(error)) from error


def check_points(
    scheme: Scheme,
    *,
    item_code: str,
    occurred_on: dt.date,
    points: Decimal | None,
    quantity: int,
    honor_key: str,
) -> Item:
    """The item, or a refusal naming every rule the values break."""
    item = scheme.item(item_code)
    if item is None:
        raise WorkflowRefused(f"积分办法“{scheme.name}”中没有项目 {item_code!r}")
    hundredths(points)
    problems = entry_problems(
        scheme,
        Entry(member="-", occurred_on=occurred_on, item=item_code, points=points,
              quantity=quantity, honor_key=honor_key),
        occurred_on.year,
        None,
    )  # fmt: skip
    if problems:
        raise WorkflowRefused("；".join(problems))
    return item


def declarable_items(member: Any) -> list[Item]:
    """Items of the member's scheme that a member may declare for themself."""
    try:
        scheme = scheme_of(member.branch)
    except WorkflowRefused:
        return []
    return [
        item
        for item in scheme.items
        if item.declarable
        and item.veto is None
        and (not item.categories or member.category in item.categories)
    ]
