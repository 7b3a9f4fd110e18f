"""Shared vocabulary of the authorisation matrix (test_authz_matrix and matrix_*.py)."""

from __future__ import annotations

PERSONAS = ("anonymous", "alice", "sam", "bob", "carol", "adam")
LOGIN = "login"  # 302 to the login page
AWAY = "302"  # a redirect elsewhere (the login page sends signed-in users home)


def everyone(status: int | str) -> dict[str, int | str]:
    return dict.fromkeys(PERSONAS, status)


def signed_in(status: int | str, **exceptions: int | str) -> dict[str, int | str]:
    return {"anonymous": LOGIN, **dict.fromkeys(PERSONAS[1:], status), **exceptions}
