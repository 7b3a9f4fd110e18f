"""ID numbers and phones are encrypted at rest, masked everywhere, found by exact match."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jifen.core import crypto
from jifen.members.models import ID_CONTEXT, Member
from jifen.members.services import create_member, id_number_lookup_key

pytestmark = pytest.mark.django_db
ID_PATTERN = re.compile(r"\d{17}[\dX]")
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")


def test_no_id_number_or_phone_is_stored_in_clear(personas) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member")
        dump = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM core_auditevent")
        dump += repr(cursor.fetchall())
    assert "11010519491231002X" not in dump
    assert not ID_PATTERN.search(dump.replace("*", ""))
    assert "13900001111" not in dump and not PHONE_PATTERN.search(dump)
    assert personas.alice.id_number_masked == "1101**********002X"
    assert personas.alice.phone_masked == "139****1111"


def test_the_number_is_found_by_exact_match_and_decrypts(personas) -> None:
    key = id_number_lookup_key("11010519491231002x")
    assert list(Member.objects.filter(id_number_index=key)) == [personas.alice]
    assert crypto.decrypt(personas.alice.id_number_cipher, context=ID_CONTEXT) == (
        "11010519491231002X"
    )


def test_an_altered_ciphertext_does_not_decrypt(personas) -> None:
    token = personas.alice.id_number_cipher
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(flipped, context=ID_CONTEXT)
    with pytest.raises(crypto.DecryptionError):  # copied into another column
        crypto.decrypt(token, context="member.phone")


def test_a_wrong_id_number_writes_nothing(personas) -> None:
    before = Member.objects.count()
    with pytest.raises(ValidationError, match="校验位错误"):
        create_member(actor=personas.sam, branch=personas.branch_a, name="错号", gender="M",
                      id_number="110105194912310021")  # fmt: skip
    with pytest.raises(ValidationError, match="已存在"):
        create_member(actor=personas.sam, branch=personas.branch_a, name="重号", gender="M",
                      id_number="11010519491231002X")  # fmt: skip
    with pytest.raises(ValidationError, match="手机号"):
        create_member(actor=personas.sam, branch=personas.branch_a, name="错手机", gender="M",
                      phone="12345")  # fmt: skip
    assert Member.objects.count() == before


def test_a_missing_key_is_named(personas, monkeypatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from jifen.core import keys

    monkeypatch.delenv("JIFEN_FIELD_KEY")
    keys.clear_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match="JIFEN_FIELD_KEY"):
            create_member(actor=None, branch=personas.branch_a, name="无钥", gender="M",
                          id_number="11010519491231002X")  # fmt: skip
    finally:
        keys.clear_cache()
