"""Recomputing the chain: `jifen verify` and the checkpoints handed to the committee.

`verify_tenant` walks a tenant's entries in seq order and names the first entry that does
not hold: a gap in seq (a deleted row), a stored prev_hash that is not the previous
entry's hash (rows swapped or inserted), a hash that the key does not reproduce (a changed
value, or history rewritten without the key), a reversal that does not mirror its
original. Then the tail: the head pointer and every checkpoint (stored, and any exported
file given) must still be found in the chain, or the tail was cut.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Sum

from jifen.core.audit import Action, record
from jifen.core.keys import LEDGER_KEY, get_key
from jifen.ledger import chain
from jifen.ledger.models import ChainHead, Checkpoint, LedgerEntry
from jifen.ledger.points import from_hundredths
from jifen.orgs.models import Organisation


@dataclass(frozen=True)
class Problem:
    tenant_id: int
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"租户 {self.tenant_id} 第 {self.seq} 条: {self.reason}"


@dataclass(frozen=True)
class Pin:
    """A head the chain must still contain: from a Checkpoint row or an exported file."""

    seq: int
    entry_hash: str
    origin: str


FIELDS = (
    "seq", "uid", "member_id", "organisation_id", "item_code", "points_hundredths",
    "quantity", "occurred_on", "honor_key", "source", "evidence_sha256", "reverses__uid",
    "recorded_by_id", "approved_by_id", "recorded_at", "prev_hash", "entry_hash",
    "reverses_id", "reverses__member_id", "reverses__points_hundredths",
    "reverses__reverses_id", "reverses__seq",
)  # fmt: skip


def verify_tenant(tenant_id: int, pins: Iterable[Pin] = ()) -> Problem | None:
    """The first problem in the tenant's chain, or None when it holds."""
    key = get_key(LEDGER_KEY)
    expected_seq, prev = 1, chain.GENESIS
    hashes_at: dict[int, str] = {}
    wanted = {pin.seq for pin in pins}
    rows = (
        LedgerEntry.objects.filter(tenant_id=tenant_id)
        .order_by("seq")
        .values_list(*FIELDS)
        .iterator(chunk_size=5000)
    )
    for row in rows:
        (seq, uid, member_id, org_id, item, hundredths, quantity, occurred_on, honor_key,
         source, evidence, reverses_uid, recorded_by_id, approved_by_id, recorded_at,
         prev_hash, stored_hash, reverses_id, rev_member, rev_points, rev_rev,
         rev_seq) = row  # fmt: skip
        if seq != expected_seq:
            return Problem(tenant_id, expected_seq, "记录缺失 (seq gap: entry missing)")
        if prev_hash != prev:
            return Problem(tenant_id, seq, "前一条哈希不符 (entries reordered or inserted)")
        fields = chain.ChainFields(
            tenant_id, seq, uid, member_id, org_id, item, hundredths, quantity, occurred_on,
            honor_key, source, evidence, reverses_uid, recorded_by_id, approved_by_id,
            recorded_at,
        )  # fmt: skip
        if chain.entry_hash(key, fields, prev) != stored_hash:
            return Problem(tenant_id, seq, "哈希不符，内容被改动 (entry altered)")
        if reverses_id is not None and (
            rev_seq is None
            or rev_seq >= seq
            or rev_rev is not None
            or rev_member != member_id
            or rev_points != -hundredths
        ):
            return Problem(tenant_id, seq, "冲正记录与原记录不对应 (bad reversal)")
        if seq in wanted:
            hashes_at[seq] = stored_hash
        prev = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    dangling = (
        LedgerEntry.objects.filter(tenant_id=tenant_id)
        .exclude(organisation_id__in=Organisation.objects.filter(tenant_id=tenant_id).values("pk"))
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if dangling is not None:
        return Problem(tenant_id, dangling, "记分组织不存在或不属于该租户 (unknown organisation)")
    head = ChainHead.objects.filter(tenant_id=tenant_id).first()
    all_pins = list(pins)
    if head is not None:
        all_pins.append(Pin(head.seq, head.entry_hash, "链头 (chain head)"))
    for pin in sorted(all_pins, key=lambda p: p.seq):
        if pin.seq > last_seq:
            return Problem(
                tenant_id, last_seq + 1, f"记录缺失：{pin.origin} 记录到第 {pin.seq} 条 (tail cut)"
            )
        found = hashes_at.get(pin.seq) if pin.seq in wanted else _hash_at(tenant_id, pin.seq)
        if found != pin.entry_hash:
            return Problem(tenant_id, pin.seq, f"与{pin.origin}不符 (checkpoint mismatch)")
    return None


def _hash_at(tenant_id: int, seq: int) -> str | None:
    return (
        LedgerEntry.objects.filter(tenant_id=tenant_id, seq=seq)
        .values_list("entry_hash", flat=True)
        .first()
    )


def stored_pins(tenant_id: int) -> list[Pin]:
    return [
        Pin(seq, digest, f"检查点 {label}")
        for seq, digest, label in Checkpoint.objects.filter(tenant_id=tenant_id).values_list(
            "seq", "entry_hash", "label"
        )
    ]


# --- checkpoints --------------------------------------------------------------------------


@transaction.atomic
def make_checkpoint(*, actor: Any, tenant: Organisation, label: str) -> Checkpoint:
    """Pin the chain's current head, with the count and sum of the entries it covers."""
    head = ChainHead.objects.select_for_update().filter(tenant=tenant).first()
    if head is None or head.seq == 0:
        raise ValueError(f"{tenant.name} 的台账还没有记录")
    totals = LedgerEntry.objects.filter(tenant=tenant, seq__lte=head.seq).aggregate(
        n=Sum(1), s=Sum(F("points_hundredths") * F("quantity"))
    )
    checkpoint = Checkpoint.objects.create(
        tenant=tenant,
        label=label,
        seq=head.seq,
        entry_hash=head.entry_hash,
        entry_count=totals["n"] or 0,
        points_sum_hundredths=totals["s"] or 0,
    )
    record(
        Action.LEDGER_CHECKPOINT,
        actor=actor,
        target=checkpoint,
        tenant_id=tenant.pk,
        summary=f"{label} 截至第 {head.seq} 条",
    )
    return checkpoint


def checkpoint_document(checkpoint: Checkpoint, tenant: Organisation) -> dict[str, Any]:
    return {
        "format": "jifen-checkpoint/v1",
        "tenant": tenant.code,
        "tenant_name": tenant.name,
        "label": checkpoint.label,
        "seq": checkpoint.seq,
        "entry_hash": checkpoint.entry_hash,
        "entry_count": checkpoint.entry_count,
        "points_sum": str(from_hundredths(checkpoint.points_sum_hundredths)),
        "created_at": checkpoint.created_at.astimezone(dt.UTC).isoformat(),
    }


class BadCheckpointFile(ValueError):
    pass


def read_checkpoint_file(path: Path) -> tuple[str, Pin]:
    """(tenant code, pin) from an exported checkpoint file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadCheckpointFile(f"{path}: 无法读取检查点文件 ({error})") from error
    if not isinstance(document, dict) or document.get("format") != "jifen-checkpoint/v1":
        raise BadCheckpointFile(f"{path}: 不是 Jifen 检查点文件 (format jifen-checkpoint/v1)")
    try:
        seq, digest, tenant = int(document["seq"]), str(document["entry_hash"]), document["tenant"]
    except (KeyError, TypeError, ValueError) as error:
        raise BadCheckpointFile(f"{path}: 缺少或错误的字段 {error}") from error
    if len(digest) != 64 or seq < 1:
        raise BadCheckpointFile(f"{path}: seq 或 entry_hash 无效")
    return str(tenant), Pin(seq, digest, f"检查点文件 {path.name} ({document.get('label', '')})")
