"""A fixed three-entry ledger hashes to a head committed here. If this fails, the
canonical serialisation changed and every existing chain would stop verifying: that
needs a new chain version, not a new expected value."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from jifen.ledger import chain

KEY = bytes(range(32))
COMMITTED_HEAD = "6cac898f9a0451d08107cf727c6ef08066805af3cd3ef596b09e43068e0d69fe"


def golden_entries() -> list[chain.ChainFields]:
    at = dt.datetime(2026, 3, 31, 8, 30, 15, 123456, tzinfo=dt.UTC)
    return [
        chain.ChainFields(1, 1, UUID(int=1), 101, 11, "volunteer", 100, 1,
                          dt.date(2026, 3, 2), "", "registration", "", None, 7, None, at),
        chain.ChainFields(1, 2, UUID(int=2), 102, 11, "honor_provincial", 500, 1,
                          dt.date(2026, 3, 9), "先进个人-2026", "declaration", "ab" * 32,
                          None, 7, 8, at),
        chain.ChainFields(1, 3, UUID(int=3), 101, 11, "volunteer", -100, 1,
                          dt.date(2026, 3, 2), "", "correction", "", UUID(int=1), 7, None, at),
    ]  # fmt: skip


def head_of(entries: list[chain.ChainFields], key: bytes = KEY) -> str:
    prev = chain.GENESIS
    for fields in entries:
        prev = chain.entry_hash(key, fields, prev)
    return prev


def test_the_golden_ledger_hashes_to_the_committed_head() -> None:
    assert head_of(golden_entries()) == COMMITTED_HEAD


def test_the_canonical_form_holds_no_personal_text() -> None:
    text = chain.canonical(golden_entries()[1], chain.GENESIS).decode()
    assert text.startswith('["jifen-ledger/v1",1,2,')
    assert "先进个人-2026" in text  # the honor's identity, not a person's


def test_any_field_changes_the_head() -> None:
    base = golden_entries()
    for index in range(len(base[0])):
        changed = list(base)
        value = changed[0][index]
        replacement: object
        if value is None:
            name = chain.ChainFields._fields[index]
            replacement = UUID(int=99) if name == "reverses_uid" else 99
        elif isinstance(value, int):
            replacement = value + 1
        elif isinstance(value, str):
            replacement = value + "x"
        elif isinstance(value, UUID):
            replacement = UUID(int=value.int + 1)
        elif isinstance(value, dt.datetime):
            replacement = value + dt.timedelta(microseconds=1)
        else:
            replacement = value + dt.timedelta(days=1)
        changed[0] = changed[0]._replace(**{chain.ChainFields._fields[index]: replacement})
        assert head_of(changed) != head_of(base), chain.ChainFields._fields[index]


def test_another_key_gives_another_head() -> None:
    assert head_of(golden_entries(), bytes(32)) != head_of(golden_entries())
