"""Audit actions of the workflow. The string is stored in the audit log: never rename one.

`jifen.core.audit.Action` belongs to the core app, so the workflow keeps its own here and
passes them to `jifen.core.audit.record` like any other action string.
"""

from __future__ import annotations

# Declarations (申报)
DECLARATION_CREATE = "declaration.create"  # created, as a draft or already submitted
DECLARATION_UPDATE = "declaration.update"  # a draft or returned declaration edited
DECLARATION_SUBMIT = "declaration.submit"  # draft or returned → submitted
DECLARATION_APPRAISE = "declaration.appraise"  # peer appraisal recorded (评议)
DECLARATION_APPROVE = "declaration.approve"  # approved, the ledger entry written
DECLARATION_REJECT = "declaration.reject"  # rejected with a reason
DECLARATION_RETURN = "declaration.return"  # sent back to the member with a reason
EVIDENCE_ATTACH = "declaration.evidence"  # a file of evidence stored

# Appeals (申辩/异议)
APPEAL_FILE = "appeal.file"  # filed by the member inside the window
APPEAL_INVESTIGATE = "appeal.investigate"  # the scorekeeper took it up (核查)
APPEAL_UPHOLD = "appeal.uphold"  # upheld, the correcting entries written
APPEAL_DISMISS = "appeal.dismiss"  # dismissed with a reason
APPEAL_ESCALATE = "appeal.escalate"  # second instance asked of the higher committee

# Periods (汇总 → 公示 → 存档 → 上报备案)
PERIOD_SUMMARISE = "period.summarise"  # snapshot saved, members told
PERIOD_PUBLICISE = "period.publicise"  # publicity and appeal window opened
PERIOD_ARCHIVE = "period.archive"  # locked
PERIOD_FILE = "period.file"  # submitted to the higher committee (again after a return)
FILING_ACCEPT = "filing.accept"  # the committee accepted the filing (备案)
FILING_RETURN = "filing.return"  # the committee returned it with a reason

# Years (年度评定)
YEAR_EVALUATE = "year.evaluate"  # the year summarised
YEAR_GRADE = "year.grade"  # grades fixed, the lists filled
YEAR_FILE = "year.file"  # submitted to the higher committee

# Notifications
REMINDERS_SENT = "notification.reminders"  # the periodic reminders (period due, window closed)
