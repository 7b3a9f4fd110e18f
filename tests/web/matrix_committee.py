"""Authorisation-matrix rows for the pages of `jifen.web.urls_committee`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).

Schemes are the committee's (Perm.MANAGE_SCHEME): Carol only. Exemptions: the branch's
scorekeeper requests and approves first, the committee files; Bob sees none of branch A.
The dashboard: whoever holds Perm.VIEW_STATISTICS, over their own subtree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources
from typing import Any

from django.utils import timezone

from web.matrix_common import signed_in


def _refinement_of_a(world: Any) -> list[Any]:
    from jifen.schemes.services import create_version

    text = resources.files("jifen.engine.presets").joinpath("s002.toml").read_text("utf-8")
    version = create_version(
        actor=world.personas.carol, organisation=world.personas.branch_a,
        text=text.replace('name = "六项量化百分制"', 'name = "甲支部细则"', 1),
        effective_from=timezone.localdate(),
    )  # fmt: skip
    return [version.pk]


def _exemption_of_alice(world: Any) -> list[Any]:
    from jifen.members.services import request_exemption

    exemption = request_exemption(
        actor=world.personas.sam, member=world.personas.alice, reason="长期患病",
        starts_on=dt.date(2025, 1, 1),
    )  # fmt: skip
    return [exemption.pk]


ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "scheme_version": _refinement_of_a,
    "scheme_diff": _refinement_of_a,
    "exemption_decide": _exemption_of_alice,
}
ROWS: dict[str, dict[str, int | str]] = {
    "scheme_list": signed_in(403, carol=200),
    "scheme_new": signed_in(403, carol=200),
    "scheme_version": signed_in(404, carol=200),
    "scheme_diff": signed_in(404, carol=200),
    "exemption_list": signed_in(403, sam=200, bob=200, carol=200),
    "exemption_request": signed_in(403, sam=200, bob=200),
    "exemption_decide": signed_in(404, sam=200, carol=200),
    "dashboard": signed_in(403, sam=200, bob=200, carol=200),
}
