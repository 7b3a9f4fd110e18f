"""The demo's periods go through the workflow's own period flow (`jifen.workflow.periods`).

Run after every ledger entry of the demo year is posted: archiving locks a period against
new entries. Each period's steps are dated as a scorekeeper would have pressed them — the
summary and the publicity the day after the period ends, the archive and the filing the day
after the window closed — so boards, notices, filings and the workbench show real states.

- Every ended period but the latest of a branch (the previous year's too, `lastyear.py`):
  summarised → publicised → archived → filed with the higher committee, which accepts most
  filings. The first demo-year period of 团结村 and of 青山钢构 stays archived and not yet
  filed (the keeper's 待上报), 团结村's second month is returned with a reason (退回, to be
  filed again), and the latest filing of 团结村 and 白沙洲村 waits for demo-committee.
- The latest ended period of a branch, if it ended in the demo year: summarised and
  publicised, its window open today (boards and the notice show it, members can appeal) —
  except 青山钢构, whose latest ended quarter is left open: demo-company-keeper's workbench
  shows it as 待汇总.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jifen.demo.activity import DemoYear
from jifen.ledger.models import Period
from jifen.orgs.models import Organisation
from jifen.workflow.models import FilingReview
from jifen.workflow.periods import (
    accept_filing,
    archive_period,
    file_period,
    publicise_period,
    publicity_days,
    return_filing,
    summarise_period,
)

LEFT_DUE = "steel"  # its latest ended period stays open (待汇总)
NOT_FILED = ("village", "steel")  # their first period: archived, not filed yet (待上报)
WAITING = ("village", "baisha")  # their latest filing waits for the committee
RETURNED = "village"  # its first filing is returned (退回) and waits to be filed again
RETURN_REASON = "公示材料缺少支部委员会会议记录，请补充后重新上报"
DAY = dt.timedelta(days=1)


@dataclass
class FlowLoad:
    summarised: int = 0
    publicised: int = 0
    archived: int = 0
    filed: int = 0
    accepted: int = 0
    waiting: int = 0
    returned: int = 0


def window_start(ends_on: dt.date, today: dt.date, days: int) -> dt.date:
    """The publicity of a latest period starts the day after it ended, or late enough that
    its window (`days` days counting the first) is still open today, midway."""
    return max(ends_on + DAY, today - dt.timedelta(days=(days - 1) // 2))


def run_period_flow(
    *, branches: dict[str, Organisation], year: DemoYear, today: dt.date
) -> FlowLoad:
    load = FlowLoad()
    days = publicity_days()
    for key, branch in branches.items():
        # The previous year's periods too (`demo/lastyear.py`): that year is graded.
        ended = list(
            Period.objects.filter(organisation=branch, ends_on__lte=year.last).order_by("starts_on")
        )
        if not ended:
            continue
        latest: Period | None = ended[-1]
        if latest is not None and latest.ends_on < year.first:
            latest = None  # only last year's periods ended: that year is graded and filed
        older = ended if latest is None else ended[:-1]
        filings: list[FilingReview] = []  # the demo year's, for the committee's answers
        for period in older:
            opens = period.ends_on + DAY
            summarise_period(actor=None, period=period, today=opens)
            publicise_period(actor=None, period=period, days=days, today=opens)
            archive_period(actor=None, period=period, today=opens + dt.timedelta(days=days))
            load.summarised, load.publicised, load.archived = (
                load.summarised + 1, load.publicised + 1, load.archived + 1,
            )  # fmt: skip
            if period.starts_on == year.first and key in NOT_FILED:
                continue
            filing = file_period(actor=None, period=period)
            load.filed += 1
            if period.starts_on >= year.first:
                filings.append(filing)
            else:
                accept_filing(actor=None, filing=filing)
                load.accepted += 1
        _answer(key, filings, load)
        if latest is None or key == LEFT_DUE:
            continue
        opens = window_start(latest.ends_on, today, days)
        summarise_period(actor=None, period=latest, today=opens)
        publicise_period(actor=None, period=latest, days=days, today=opens)
        load.summarised += 1
        load.publicised += 1
    return load


def _answer(key: str, filings: list[FilingReview], load: FlowLoad) -> None:
    """The committee's answers, oldest filing first (a waiting one is always the latest)."""
    for index, filing in enumerate(filings):
        if key in WAITING and index == len(filings) - 1:
            load.waiting += 1
        elif key == RETURNED and index == 0:
            return_filing(actor=None, filing=filing, reason=RETURN_REASON)
            load.returned += 1
        else:
            accept_filing(actor=None, filing=filing)
            load.accepted += 1
