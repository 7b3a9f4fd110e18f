"""The summary the demo prints: what a tenant holds, and the logins, in Chinese and English.

Counts are read back from the database (set-based, one query each), so the summary shows
what was written, not what was meant to be.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from django.db.models import Count

from jifen.demo.builder import LoginRow
from jifen.ledger.models import LedgerEntry, Period, PeriodState
from jifen.members.models import Exemption, ExemptionState, Member, MemberStatus, MemberTransfer
from jifen.orgs.models import Organisation, OrgKind


def width(text: str) -> int:
    """Columns a terminal gives `text`: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    columns = [max(width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    rule = "+" + "+".join("-" * (c + 2) for c in columns) + "+"

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(pad(str(c), w) for c, w in zip(cells, columns, strict=True)) + " |"

    return "\n".join([rule, line(headers), rule, *(line(r) for r in rows), rule])


def _by(counts: dict[str, int], labels: Mapping[str, object]) -> str:
    """`counts` in the order of the choices (区委 before 党支部), unknown values last."""
    order = [*labels, *(k for k in counts if k not in labels)]
    return "，".join(f"{labels.get(k, k)} {counts[k]:,}" for k in order if counts.get(k))


def tenant_rows(tenant: Organisation) -> list[list[str]]:
    orgs = dict(
        Organisation.objects.filter(tenant=tenant)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    members = Member.objects.filter(tenant=tenant)
    statuses = dict(members.values_list("status").annotate(n=Count("id")).order_by("status"))
    floating = members.filter(is_floating=True).count()
    entries = LedgerEntry.objects.filter(tenant=tenant)
    entry_count = entries.count()
    reversals = entries.filter(reverses__isnull=False).count()
    periods = dict(
        Period.objects.filter(tenant=tenant)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by("state")
    )
    exemption_states = dict(
        Exemption.objects.filter(tenant=tenant)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by("state")
    )
    transfers = MemberTransfer.objects.filter(tenant=tenant).count()
    member_total = sum(statuses.values())
    per_member = f"，人均 {entry_count / member_total:.1f} 条" if member_total else ""
    member_detail = _by(statuses, dict(MemberStatus.choices))
    if floating:
        member_detail += f"；流动党员 {floating}"
    return [
        ["组织 organisations", f"{sum(orgs.values()):,}", _by(orgs, dict(OrgKind.choices))],
        ["党员 members", f"{member_total:,}", member_detail],
        ["台账记录 ledger entries", f"{entry_count:,}", f"冲正 reversals {reversals}{per_member}"],
        ["积分期间 periods", f"{sum(periods.values()):,}", _by(periods, dict(PeriodState.choices))],
        ["组织关系转接 transfers", f"{transfers}", ""],
        [
            "不纳入积分管理 exemptions",
            f"{sum(exemption_states.values())}",
            _by(exemption_states, dict(ExemptionState.choices)),
        ],
        *_new_parts(tenant),
    ]


def _new_parts(tenant: Organisation) -> list[list[str]]:
    """Meetings, scheme versions and year ends (one query each)."""
    from jifen.meetings.models import Attendance, Meeting
    from jifen.schemes.models import SchemeVersion
    from jifen.workflow.models import YearEvaluation
    from jifen.workflow.states import YearState

    meetings = Meeting.objects.filter(tenant=tenant)
    unposted = meetings.filter(posted_at__isnull=True).count()
    attendance = Attendance.objects.filter(tenant=tenant).count()
    versions = SchemeVersion.objects.filter(tenant=tenant).count()
    years = dict(
        YearEvaluation.objects.filter(tenant=tenant)
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    graded = YearEvaluation.objects.filter(tenant=tenant, state=YearState.GRADED).count()
    return [
        [
            "会议 meetings",
            f"{meetings.count():,}",
            f"考勤 {attendance:,} 人次，待登记积分 {unposted}",
        ],
        ["积分办法版本 scheme versions", f"{versions}", "街道模板与支部细则" if versions else ""],
        [
            "年度评定 year ends",
            f"{sum(years.values())}",
            "，".join(f"{y} 年 {n} 个支部" for y, n in years.items())
            + (f"（已定等 {graded}）" if graded else ""),
        ],
    ]


def summary(tenant: Organisation, logins: Sequence[LoginRow]) -> str:
    parts = [
        f"{tenant.name} ({tenant.code})",
        table(["项目 item", "数量 count", "说明 detail"], tenant_rows(tenant)),
    ]
    if logins:
        parts += [
            "登录账号 logins（演示密码，仅供演示 / demo passwords, for demonstration only）:",
            table(
                ["用户名 username", "密码 password", "角色 role", "组织 organisation"],
                [[r.username, r.password, r.role, r.organisation] for r in logins],
            ),
        ]
    return "\n".join(parts)
