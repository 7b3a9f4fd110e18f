"""The states of the workflow's machines and their transition tables.

Each table maps a state to the states it may move to (Oscar's pipeline dict). A service
checks the table first for a clear message, then moves the row with a compare-and-set
(`machine.move`) whose WHERE clause lists exactly the states the table allows to reach the
target, so the table is also what the database enforces at the moment of the change.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

Flow = Mapping[str, frozenset[str]]


class DeclarationState(models.TextChoices):
    DRAFT = "draft", "草稿"  # being written; only the declarer and the scorekeepers see it
    SUBMITTED = "submitted", "已提交"  # waiting for appraisal or review
    APPRAISED = "appraised", "已评议"  # peer appraisal recorded; still waiting for review
    APPROVED = "approved", "已通过"  # final: exactly one ledger entry written
    REJECTED = "rejected", "未通过"  # final, with the reason
    RETURNED = "returned", "已退回"  # back with the member to edit and submit again


DECLARATION_FLOW: Flow = {
    DeclarationState.DRAFT: frozenset({DeclarationState.SUBMITTED}),
    DeclarationState.SUBMITTED: frozenset(
        {
            DeclarationState.APPRAISED,
            DeclarationState.APPROVED,  # appraisal is optional
            DeclarationState.REJECTED,
            DeclarationState.RETURNED,
        }
    ),
    DeclarationState.APPRAISED: frozenset(
        {DeclarationState.APPROVED, DeclarationState.REJECTED, DeclarationState.RETURNED}
    ),
    DeclarationState.RETURNED: frozenset({DeclarationState.SUBMITTED}),
    DeclarationState.APPROVED: frozenset(),
    DeclarationState.REJECTED: frozenset(),
}

# Where the declarer may still change the declaration and its evidence.
DECLARATION_EDITABLE = (DeclarationState.DRAFT, DeclarationState.RETURNED)


class AppealState(models.TextChoices):
    FILED = "filed", "已提出"  # inside the appeal window, waiting for the scorekeeper
    INVESTIGATING = "investigating", "核查中"  # the scorekeeper took it up
    UPHELD = "upheld", "成立"  # final: the correcting entries were written
    DISMISSED = "dismissed", "不成立"  # final after a second instance; else may be escalated
    ESCALATED = "escalated", "上级复核中"  # second instance by the higher committee


APPEAL_FLOW: Flow = {
    AppealState.FILED: frozenset({AppealState.INVESTIGATING}),
    AppealState.INVESTIGATING: frozenset({AppealState.UPHELD, AppealState.DISMISSED}),
    # Only a first-instance dismissal may be escalated; services add that condition.
    AppealState.DISMISSED: frozenset({AppealState.ESCALATED}),
    AppealState.ESCALATED: frozenset({AppealState.UPHELD, AppealState.DISMISSED}),
    AppealState.UPHELD: frozenset(),
}

# Appeals that keep a period from being archived.
APPEAL_OPEN = (AppealState.FILED, AppealState.INVESTIGATING, AppealState.ESCALATED)


class FilingState(models.TextChoices):
    SUBMITTED = "submitted", "待审核"  # with the higher committee
    ACCEPTED = "accepted", "已备案"  # final
    RETURNED = "returned", "已退回"  # final for this filing; the branch files again


FILING_FLOW: Flow = {
    FilingState.SUBMITTED: frozenset({FilingState.ACCEPTED, FilingState.RETURNED}),
    FilingState.ACCEPTED: frozenset(),
    FilingState.RETURNED: frozenset(),
}


class YearState(models.TextChoices):
    OPEN = "open", "进行中"  # the year's periods are still being scored
    EVALUATED = "evaluated", "已评定"  # the year summarised into a snapshot
    GRADED = "graded", "已定等次"  # grades and rankings fixed, the lists filled
    FILED = "filed", "已上报"  # submitted to the higher committee


YEAR_FLOW: Flow = {
    YearState.OPEN: frozenset({YearState.EVALUATED}),
    YearState.EVALUATED: frozenset({YearState.GRADED}),
    YearState.GRADED: frozenset({YearState.FILED}),
    YearState.FILED: frozenset(),
}


class YearListKind(models.TextChoices):
    TALK = "talk", "约谈/谈话名单"  # lowest grade; below the branch average where no bands
    AWARD = "award", "评优候选"  # top grade, within the branch's quota
    UNQUALIFIED = "unqualified", "不合格党员处置"  # graded 不合格, vetoed or disqualified
    PROBATIONARY = "probationary", "预备党员转正依据"  # every probationary member's result


class NotificationKind(models.TextChoices):
    DECLARATION_TO_REVIEW = "declaration_to_review", "待审核的申报"  # to the scorekeepers
    DECLARATION_DECIDED = "declaration_decided", "申报审核结果"  # to the member
    RESULT_READY = "result_ready", "积分结果反馈"  # to every member after a summary
    APPEAL_WINDOW_OPEN = "appeal_window_open", "公示开始"  # to the members
    APPEAL_WINDOW_CLOSING = "appeal_window_closing", "公示今天结束"  # to the members
    APPEAL_WINDOW_CLOSED = "appeal_window_closed", "公示结束"  # to the members
    APPEAL_TO_HANDLE = "appeal_to_handle", "待处理的申辩"  # to scorekeepers or committee
    APPEAL_DECIDED = "appeal_decided", "申辩处理结果"  # to the member
    PERIOD_DUE = "period_due", "期间待汇总"  # to the scorekeepers once a period ended
    FILING = "filing", "上报备案"  # to the committee (submitted) or branch (decided)
    LOW_SCORE = "low_score", "谈话提醒"  # to the members on the talk list


def allowed_sources(flow: Flow, target: str) -> list[str]:
    """The states from which `flow` allows a move to `target`."""
    return sorted(state for state, targets in flow.items() if target in targets)
