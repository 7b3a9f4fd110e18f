"""The keyed hash chain over ledger entries.

entry_hash = HMAC-SHA256(JIFEN_LEDGER_KEY, canonical(entry, prev_hash)), where canonical
is compact JSON of a fixed list of fields: ids, the item, integer points, dates and the
previous hash — no names, no ID numbers, no notes, so the chain and its checkpoints can
be handed on without personal data, and a person's data can be erased without breaking
it. The key lives outside the database, so someone who can write the database alone
cannot re-hash a rewritten history. Changing this function changes every hash: the
golden-vector test (tests/ledger/test_chain_golden.py) fails loudly if it ever does.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
from typing import NamedTuple
from uuid import UUID

VERSION = "jifen-ledger/v1"
GENESIS = "0" * 64


class ChainFields(NamedTuple):
    """Exactly what the hash covers, in order."""

    tenant_id: int
    seq: int
    uid: UUID
    member_id: int
    organisation_id: int
    item_code: str
    points_hundredths: int
    quantity: int
    occurred_on: dt.date
    honor_key: str
    source: str
    evidence_sha256: str
    reverses_uid: UUID | None
    recorded_by_id: int | None
    approved_by_id: int | None
    recorded_at: dt.datetime


# One encoder for every call: json.dumps with non-default options builds a new
# JSONEncoder each time, which was a fifth of the cost of hashing an entry.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@functools.lru_cache(maxsize=64)  # a batch shares one recorded_at: format it once
def timestamp(moment: dt.datetime) -> str:
    """UTC to the microsecond, as both databases give it back."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: ChainFields, prev_hash: str) -> bytes:
    payload = [
        VERSION,
        fields.tenant_id,
        fields.seq,
        fields.uid.hex,
        fields.member_id,
        fields.organisation_id,
        fields.item_code,
        fields.points_hundredths,
        fields.quantity,
        fields.occurred_on.isoformat(),
        fields.honor_key,
        fields.source,
        fields.evidence_sha256,
        fields.reverses_uid.hex if fields.reverses_uid else "",
        fields.recorded_by_id or 0,
        fields.approved_by_id or 0,
        timestamp(fields.recorded_at),
        prev_hash,
    ]
    return _encode(payload).encode()


def entry_hash(key: bytes, fields: ChainFields, prev_hash: str) -> str:
    # hmac.digest is OpenSSL's one-shot HMAC: same bytes as hmac.new(...).hexdigest().
    return hmac.digest(key, canonical(fields, prev_hash), "sha256").hex()
