"""`jifen import-entries` and `jifen import-roster`: exit 2 with the errors on stderr,
nothing written on bad input."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from exchange.files import ENTRY_HEADER, ROSTER_HEADER, csv_bytes, id_number, xlsx
from jifen.ledger.models import LedgerEntry
from jifen.members.models import Member

pytestmark = pytest.mark.django_db
GOOD = ["11010519491231002X", "", "study_absent", "2025-03-01", "", "", "", ""]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_entries_writes_a_good_file(personas, tmp_path) -> None:
    path = tmp_path / "entries.csv"
    path.write_bytes(csv_bytes([ENTRY_HEADER, GOOD, GOOD], "gbk"))
    status, out, _ = run("import-entries", str(path), "--organisation", "D-1-A", "--actor", "sam")
    assert status == 0 and "导入成功：2 行" in out
    assert LedgerEntry.objects.filter(source="import", recorded_by=personas.sam).count() == 2


def test_import_entries_exits_2_naming_the_bad_row(personas, tmp_path) -> None:
    path = tmp_path / "entries.xlsx"
    path.write_bytes(xlsx([ENTRY_HEADER, GOOD, [*GOOD[:2], "nope", *GOOD[3:]]]))
    status, out, err = run("import-entries", str(path), "--organisation", "D-1-A")
    assert status == 2 and out == ""
    assert "第 3 行 积分项目" in err and "nope" in err
    assert not LedgerEntry.objects.exists()


def test_import_entries_refuses_bob_and_unknown_things(personas, tmp_path) -> None:
    path = tmp_path / "entries.csv"
    path.write_bytes(csv_bytes([ENTRY_HEADER, GOOD]))
    assert run("import-entries", str(path), "--organisation", "D-1-A", "--actor", "bob")[0] == 2
    assert "找不到党组织" in run("import-entries", str(path), "--organisation", "X")[2]
    assert "找不到文件" in run("import-entries", str(tmp_path / "no.csv"), "--organisation", "D")[2]
    assert not LedgerEntry.objects.exists()


def test_import_roster_creates_members_and_refuses_a_file_twice(personas, tmp_path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx([ROSTER_HEADER, ["新人", "男", id_number(5), "", "D-1-A", "", ""]]))
    status, out, _ = run("import-roster", str(path), "--organisation", "D-1")
    assert status == 0 and "新增 1 名" in out
    status, _, err = run("import-roster", str(path), "--organisation", "D-1")
    assert status == 2 and "不再重复导入" in err
    assert Member.objects.filter(name="新人").count() == 1
