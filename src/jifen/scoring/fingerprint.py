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

The fast path (`jifen.engine.fast`, schemes without item limits) is fed sums, not
aggregates, and `SumsHash` hashes exactly what it reads, in the same spirit:

    jifen-sums/1  <scheme code>  <scheme version>  <period>
    C  <k>  <target>  <assessed max or empty>  <item,item,…>      (the columns, in order)
    M  <member id>  <category>  <status>  <managed_from>  <managed_to>
    S  <period index>  <c_0>  …  <c_{n-1}>
    H  <period index>  <honor_key>  <item>  <highest>
    V  <period index>  <item>  <occurred_on>  <seq>

Members in ascending id order (the engine's `Member.id`, as for `InputsHash`), each with
its sums by period index (−1: the year of annual-only items), its honor maxima by
(period, honor_key, item) and its veto entries by (period, occurred_on, seq, item). Every
value is an integer or text as both databases return it (dates made ISO), so the hash is
the same on SQLite and PostgreSQL. Which path a scheme takes is fixed by the scheme, so
a given scope always hashes the same way; the two formats start with different tags.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from jifen.engine import Aggregate, Member, Scheme
from jifen.engine.fast import Layout

VERSION = "jifen-inputs/1"
SUMS_VERSION = "jifen-sums/1"


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


class SumsHash:
    """The fast path's inputs hash: the header, then the text (`SumsLines`) of the scope's
    members in ascending id order, added in consecutive runs (`add_text`) — a part of the
    scope evaluated in a worker process sends its text, and the parent adds the parts in
    order, which gives the digest of one run."""

    def __init__(self, scheme: Scheme, period: str, shape: Layout) -> None:
        self._hash = hashlib.sha256()
        lines = [f"{SUMS_VERSION}\t{scheme.code}\t{scheme.version}\t{period}\n"]
        for k, column in enumerate(shape.columns):
            most = "" if column.max is None else str(column.max)
            lines.append(f"C\t{k}\t{column.target}\t{most}\t{','.join(column.items)}\n")
        self._hash.update("".join(lines).encode())

    def add_text(self, text: str) -> None:
        self._hash.update(text.encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class SumsLines:
    """One member's lines of the `jifen-sums/1` text."""

    def __init__(self, shape: Layout) -> None:
        # One %-format per row shape: the member's pk (row[0]) is left out of each row.
        self._sums = "S" + "\t%d" * (len(shape.columns) + 1) + "\n"

    def __call__(
        self,
        member: Member,
        sums: Sequence[Sequence[Any]],
        honors: Sequence[Sequence[Any]],
        vetoes: Sequence[Sequence[Any]],
    ) -> str:
        d = _iso
        lines = [
            f"M\t{member.id}\t{member.category}\t{member.status}\t{d(member.managed_from)}\t"
            f"{d(member.managed_to)}\n"
        ]
        form = self._sums
        for row in sorted(sums, key=_second) if len(sums) > 1 else sums:
            lines.append(form % tuple(row[1:]))
        for _, period, key, item, highest in sorted(honors, key=_honor_order):
            lines.append(f"H\t{period}\t{key}\t{item}\t{highest}\n")
        for _, period, item, day, seq in sorted(vetoes, key=_veto_order):
            lines.append(f"V\t{period}\t{item}\t{d(day)}\t{seq}\n")
        return "".join(lines)


def _iso(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _second(row: Sequence[Any]) -> Any:
    return row[1]


def _honor_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return (row[1], row[2], row[3])


def _veto_order(row: Sequence[Any]) -> tuple[Any, ...]:
    return (row[1], row[3], row[4], row[2])
