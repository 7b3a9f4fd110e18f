"""Authorisation-matrix rows for the pages of `jifen.web.urls_exchange`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web.matrix_common import signed_in


def _refused_run_of_branch_a(world: Any) -> list[Any]:
    """A run of branch A with an error naming 甲支部 (Bob must never see it)."""
    from jifen.exchange.services import import_file

    rows = "身份证号,积分项目,发生日期\n11010519491231002X,nope,2025-03-01\n"
    run = import_file(actor=None, organisation=world.personas.branch_a, kind="entries",
                      filename="甲支部.csv", data=rows.encode("gbk"))  # fmt: skip
    return [run.pk]


ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "exchange_run": _refused_run_of_branch_a,
    "exchange_errors": _refused_run_of_branch_a,
    "exchange_template": lambda w: ["entries"],
}
KEEPERS = signed_in(403, sam=200, bob=200)
ROWS: dict[str, dict[str, int | str]] = {
    "exchange_import": KEEPERS,
    "exchange_run": signed_in(404, sam=200),
    "exchange_errors": signed_in(404, sam=200),
    "exchange_template": KEEPERS,
}
