"""Every write of the workflow, in one import: views, the API and commands call these.

Each function takes keyword-only arguments and an explicit `actor` (None: the operator at
the command line), runs one transaction that holds its change, its audit row and its
notifications, and refuses with `WorkflowRefused` (a ValidationError; `WorkflowForbidden`
when for want of permission) whose Chinese message says why. The functions live in
modules by machine: `declarations`, `appeals`, `periods`, `years`, `notifications`.
"""

from __future__ import annotations

from jifen.workflow.appeals import (
    Correction,
    dismiss_appeal,
    escalate_appeal,
    file_appeal,
    investigate_appeal,
    uphold_appeal,
)
from jifen.workflow.declarations import (
    appraise_declaration,
    approve_declaration,
    attach_evidence,
    create_declaration,
    entry_uid,
    reject_declaration,
    return_declaration,
    submit_declaration,
    update_declaration,
)
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused
from jifen.workflow.notifications import mark_all_read, mark_read
from jifen.workflow.periods import (
    accept_filing,
    archive_period,
    file_period,
    publicise_period,
    return_filing,
    send_reminders,
    summarise_period,
)
from jifen.workflow.years import evaluate_year, file_year, grade_year

__all__ = [
    "Correction",
    "WorkflowForbidden",
    "WorkflowRefused",
    "accept_filing",
    "appraise_declaration",
    "approve_declaration",
    "archive_period",
    "attach_evidence",
    "create_declaration",
    "dismiss_appeal",
    "entry_uid",
    "escalate_appeal",
    "evaluate_year",
    "file_appeal",
    "file_period",
    "file_year",
    "grade_year",
    "investigate_appeal",
    "mark_all_read",
    "mark_read",
    "publicise_period",
    "reject_declaration",
    "return_declaration",
    "return_filing",
    "send_reminders",
    "submit_declaration",
    "summarise_period",
    "update_declaration",
    "uphold_appeal",
]
