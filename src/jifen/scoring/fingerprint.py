"""The inputs hash of a snapshot: SHA-256 over the canonical list of what the engine was fed.

Canonical form (UTF-8 text, one record per line, fields separated by a tab):

    jifen-inputs/1  <scheme code>  <scheme version>  <period>
    M  <member id>  <category>  <status>  <managed_from>  <managed_to>
    A  <period>  <item>  <honor_key>  <total>  <count>  <highest>  <first_on>  <first_seq>
    O  <occurred_on>  <seq>  <points>  <quantity>

Members in ascending id order, each followed by its aggregates sorted by (period, item,
honor_key), each aggregate by its occurrences (max_times items only) in order. Points are
integer hundredths, dates ISO (`2026-07-01`), absent dates empty. Two evaluations with the
same hash were fed the same numbers, whatever database they ran on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from jifen.engine import Aggregate, Member, Scheme

VERSION = "jifen-inputs/1"


class InputsHash:
    """Feed members (with their aggregates) in ascending id order; `hexdigest()` at the end."""

    def __init__(self, scheme: Scheme, period: str) -> None:
        self._hash = hashlib.sha256()
        self._hundredths: dict[Decimal, str] = {}
        self._dates: dict[date, str] = {}
        self._hash.update(f"{VERSION}\t{scheme.code}\t{scheme.version}\t{period}\n".encode())

    def _h(self, value: Decimal) -> str:
        text = self._hundredths.get(value)
        if text is None:
            text = self._hundredths[value] = str(int(value.scaleb(2)))
        return text

    def _d(self, value: date | None) -> str:
        if value is None:
            return ""
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = value.isoformat()
        return text

    def add(self, member: Member, aggregates: Sequence[Aggregate]) -> None:
        h, d = self._h, self._d
        lines = [
            f"M\t{member.id}\t{member.category}\t{member.status}\t{d(member.managed_from)}\t"
            f"{d(member.managed_to)}\n"
        ]
        for a in sorted(aggregates, key=_order):
            lines.append(
                f"A\t{a.period}\t{a.item}\t{a.honor_key}\t{h(a.total)}\t{a.count}\t"
                f"{h(a.highest)}\t{d(a.first_on)}\t{a.first_seq}\n"
            )
            lines.extend(
                f"O\t{d(o.occurred_on)}\t{o.seq}\t{h(o.points)}\t{o.quantity}\n"
                for o in a.occurrences
            )
        self._hash.update("".join(lines).encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _order(aggregate: Aggregate) -> tuple[str, str, str]:
    return (aggregate.period, aggregate.item, aggregate.honor_key)
