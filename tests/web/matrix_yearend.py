"""Authorisation-matrix rows for the pages of `jifen.web.urls_yearend`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).
The year pages are branch A's 2025, evaluated and graded by Sam: Sam runs them, Carol (the
committee over A) reads them, everybody else gets 404. The printable notice is public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from web.matrix_common import everyone, signed_in

YEAR = 2025


def graded_year(world: Any) -> list[Any]:
    """Branch A's 2025, evaluated and graded (once per world)."""
    from jifen.workflow.models import YearEvaluation
    from jifen.workflow.years import evaluate_year, grade_year

    branch = world.personas.branch_a
    if not YearEvaluation.objects.filter(branch=branch, year=YEAR).exists():
        evaluation = evaluate_year(
            actor=world.personas.sam, branch=branch, year=YEAR, today=dt.date(YEAR + 1, 1, 5)
        )
        grade_year(actor=world.personas.sam, evaluation=evaluation)
    return [branch.pk, YEAR]


ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "publicity_notice": lambda w: [w.period.pk],
    "year_overview": graded_year,
    "year_appraisal": graded_year,
    "year_results": graded_year,
    "year_list": lambda w: [*graded_year(w), "probationary"],
}
BRANCH_A_YEAR = signed_in(404, sam=200, carol=200)
ROWS: dict[str, dict[str, int | str]] = {
    "publicity_notice": everyone(200),
    "year_index": signed_in(403, sam=200, bob=200, carol=200),
    "year_overview": BRANCH_A_YEAR,
    "year_appraisal": BRANCH_A_YEAR,
    "year_results": BRANCH_A_YEAR,
    "year_list": BRANCH_A_YEAR,
    "my_year": signed_in(403, alice=200),
}
PUBLIC = {"publicity_notice"}
