"""Shared test set-up: fixed keys, a flush that lifts the append-only triggers, personas.

The personas (healthchecks style):
- Alice is a member of branch A (she has a login).
- Sam is the scorekeeper of branch A; Bob is the scorekeeper of sibling branch B.
- Carol sits on the committee over A and B.
- Adam administers the installation (organisations, users) for the district.
- The public is an anonymous visitor.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Keys before Django loads: fixed, so hashes in tests are reproducible.
os.environ.setdefault("JIFEN_FIELD_KEY", "dGVzdC1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy0wMDA")
os.environ.setdefault("JIFEN_INDEX_KEY", "dGVzdC1pbmRleC1rZXktMzItYnl0ZXMtbG9uZy0wMDA")
os.environ.setdefault("JIFEN_LEDGER_KEY", "dGVzdC1sZWRnZXIta2V5LTMyLWJ5dGVzLWxvbmctMDA")

import pytest  # noqa: E402
from django.db.backends.base.operations import BaseDatabaseOperations  # noqa: E402

from jifen.core.dbguards import GUARDED_TABLES, suspended  # noqa: E402

_original_flush = BaseDatabaseOperations.execute_sql_flush


def _flush_with_guards_lifted(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
    # Transactional tests end with a flush (DELETE/TRUNCATE of every table), which the
    # append-only triggers rightly refuse; only the test database is flushed like this.
    with suspended(GUARDED_TABLES, self.connection):
        _original_flush(self, sql_list)


BaseDatabaseOperations.execute_sql_flush = _flush_with_guards_lifted  # type: ignore[method-assign]


@dataclass
class Personas:
    district: Any
    committee: Any
    branch_a: Any
    branch_b: Any
    alice: Any  # a Member of branch A
    alice_user: Any
    sam: Any  # scorekeeper of A
    bob: Any  # scorekeeper of B
    carol: Any  # committee over A and B
    adam: Any  # administrator
    member_b: Any  # a member of branch B


from helpers.accounts import PASSWORD  # noqa: E402


def make_user(username: str, *, staff: bool = False) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=PASSWORD, is_staff=staff)


def build_personas() -> Personas:
    from jifen.members.services import create_member
    from jifen.orgs.services import create_organisation, grant_role

    district = create_organisation(actor=None, name="测试区委", code="D", kind="district")
    committee = create_organisation(
        actor=None, name="街道党工委", code="D-1", kind="working_committee", parent=district
    )
    branch_a = create_organisation(
        actor=None, name="甲支部", code="D-1-A", kind="branch", parent=committee,
        sector="company", scheme_code="s002",
    )  # fmt: skip
    branch_b = create_organisation(
        actor=None, name="乙支部", code="D-1-B", kind="branch", parent=committee,
        sector="company", scheme_code="s002",
    )  # fmt: skip
    alice_user = make_user("alice")
    alice = create_member(
        actor=None, branch=branch_a, name="王爱丽", gender="F",
        id_number="11010519491231002X", phone="13900001111", user=alice_user,
    )  # fmt: skip
    member_b = create_member(actor=None, branch=branch_b, name="李乙", gender="M")
    sam, bob, carol = (
        make_user("sam", staff=True),
        make_user("bob", staff=True),
        make_user("carol", staff=True),
    )
    adam = make_user("adam", staff=True)
    grant_role(actor=None, user=sam, role="scorekeeper", organisation=branch_a)
    grant_role(actor=None, user=bob, role="scorekeeper", organisation=branch_b)
    grant_role(actor=None, user=carol, role="committee", organisation=committee)
    grant_role(actor=None, user=adam, role="administrator", organisation=district)
    return Personas(
        district, committee, branch_a, branch_b, alice, alice_user, sam, bob, carol, adam,
        member_b,
    )  # fmt: skip


@pytest.fixture(autouse=True, scope="session")
def _test_settings() -> Iterator[None]:
    from django.test.utils import override_settings

    overrides = override_settings(
        # PBKDF2's deliberate slowness is for attackers, not for a suite of many logins.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # No collectstatic before tests: serve static names as they are.
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    )
    overrides.enable()
    yield
    overrides.disable()


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()
