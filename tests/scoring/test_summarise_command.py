"""`jifen summarise`: a short summary on success; a Chinese message, exit 2, nothing written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from jifen.core.models import AuditEvent
from jifen.scoring.models import ResultSnapshot


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("summarise", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_summarise_prints_members_grades_and_the_snapshot(world: Any, personas: Any) -> None:
    world.post([(personas.alice, "veto_safety", Decimal(0), dt.date(2025, 8, 1), 1, "")])
    status, out, err = run("--tenant", "D", "--period", "2025")
    snapshot = ResultSnapshot.objects.get()
    assert (status, err) == (0, "")
    assert "党员 2 名，参与排名 2 名" in out
    assert "等次：优秀 1，不合格 1" in out
    assert f"快照 #{snapshot.pk}  输入摘要 {snapshot.inputs_hash}" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "NOPE", "--period", "2025"], "没有代码为 'NOPE' 的租户"),
        (["--tenant", "D", "--organisation", "X", "--period", "2025"], "没有代码为 'X' 的党组织"),
        (["--tenant", "D", "--period", "2025", "--scheme", "s009"], "没有使用积分办法 's009'"),
        (["--tenant", "D", "--period", "2025-13"], "期间 '2025-13' 无效"),
    ],
)
def test_bad_input_says_why_exits_2_and_writes_nothing(
    personas: Any, args: list[str], message: str
) -> None:
    audit_rows = AuditEvent.objects.count()
    status, out, err = run(*args)
    assert status == 2 and out == ""
    assert err.startswith("汇总失败：") and message in err
    assert not ResultSnapshot.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db
def test_entries_the_scheme_does_not_know_are_refused_with_their_ledger_row(
    world: Any, personas: Any
) -> None:
    world.post([(personas.alice, "volunteer", Decimal(1), dt.date(2025, 3, 1), 1, "")])
    status, out, err = run("--tenant", "D", "--organisation", "D-1-A", "--period", "2025")
    assert status == 2 and out == ""
    assert "未知的积分项目 'volunteer'" in err
    assert not ResultSnapshot.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_a_bad_number_of_workers_is_refused_before_anything_is_read(
    personas: Any, workers: str
) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="进程数应为正整数"):
        run("--tenant", "D", "--period", "2025", "--workers", workers)
    assert not ResultSnapshot.objects.exists()


@pytest.mark.django_db
def test_workers_are_accepted_and_a_small_scope_stays_in_one_process(personas: Any) -> None:
    status, out, err = run("--tenant", "D", "--period", "2025", "--workers", "3")
    assert (status, err) == (0, "")
    assert ResultSnapshot.objects.count() == 1
