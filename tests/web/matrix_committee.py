"""Authorisation-matrix rows for the pages of `jifen.web.urls_committee`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ARGS: dict[str, Callable[[Any], list[Any]]] = {}
ROWS: dict[str, dict[str, int | str]] = {}
