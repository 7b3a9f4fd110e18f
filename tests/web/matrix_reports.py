"""Authorisation-matrix rows for the pages of `jifen.web.urls_reports`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).
A report of branch A needs VIEW_STATISTICS there (Sam, Carol); Alice's card is hers and
Sam's and Carol's to read; everybody else gets 404, which tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jifen.reports.catalogue import REPORTS
from web.matrix_common import signed_in

ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "report_card": lambda w: [w.personas.alice.pk],
    **{f"report_{slug}": (lambda w: [w.personas.branch_a.pk]) for slug in REPORTS},
}
ROWS: dict[str, dict[str, int | str]] = {
    "reports_index": signed_in(200),
    "report_card": signed_in(404, alice=200, sam=200, carol=200),
    **{f"report_{slug}": signed_in(404, sam=200, carol=200) for slug in REPORTS},
}
