"""Refusals and the compare-and-set every transition goes through.

Design overview
- A refused action raises `WorkflowRefused` (a ValidationError) whose Chinese message says
  why: the state, the window, the person. A refusal for want of permission raises
  `WorkflowForbidden`, which is both a `WorkflowRefused` and a `PermissionDenied`, so a
  page can answer it with 403 and a form with its message.
- `check` reads the transition table against the state the caller saw, for the message.
- `move` is the change itself: `UPDATE … SET state = new WHERE pk = … AND state IN (the
  states the table allows to reach new)`. Exactly one of any number of concurrent presses
  sees one row changed; the others see none and are refused. On PostgreSQL a concurrent
  UPDATE waits for the winner's row lock and then re-reads the row; on SQLite the
  IMMEDIATE transaction serialises writers. No check-then-act.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from jifen.workflow.states import Flow, allowed_sources


class WorkflowRefused(ValidationError):
    """A workflow action refused; the message says why, in Chinese."""


class WorkflowForbidden(WorkflowRefused, PermissionDenied):
    """Refused because the actor may not do it."""


def message(error: ValidationError) -> str:
    """The first message of a ValidationError, for the refusals we re-raise."""
    return error.messages[0] if error.messages else str(error)


def label(choices: type[models.TextChoices], state: str | None) -> str:
    if state is None:
        return "不存在"
    try:
        return str(choices(state).label)
    except ValueError:
        return state


def check(
    flow: Flow, choices: type[models.TextChoices], *, what: str, current: str, to: str
) -> None:
    """Refuse, with the states named, a move the table does not allow."""
    if to not in flow.get(current, frozenset()):
        raise WorkflowRefused(
            f"{what}当前为“{label(choices, current)}”，不能改为“{label(choices, to)}”"
        )


def move(
    model: type[models.Model],
    choices: type[models.TextChoices],
    flow: Flow,
    *,
    pk: Any,
    to: str,
    what: str,
    also: models.Q | None = None,
    **fields: Any,
) -> None:
    """Compare-and-set the row's state to `to` (with `fields`), or refuse."""
    rows = model._default_manager.filter(pk=pk, state__in=allowed_sources(flow, to))
    if also is not None:
        rows = rows.filter(also)
    if rows.update(state=to, **fields) == 1:
        return
    current = model._default_manager.filter(pk=pk).values_list("state", flat=True).first()
    raise WorkflowRefused(
        f"{what}当前为“{label(choices, current)}”，不能改为“{label(choices, to)}”"
        "（可能已被他人处理，请刷新后再试）"
    )
