"""Entries from .xlsx and .csv: all or nothing, every bad row named, the ledger verified."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchange.files import ENTRY_HEADER, csv_bytes, id_number, xlsx
from jifen.core.models import AuditEvent
from jifen.exchange.entries import validate_entries
from jifen.exchange.models import ImportRun
from jifen.exchange.problems import Problems
from jifen.exchange.readers import read_sheet
from jifen.exchange.services import AlreadyImported, import_file
from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.members.services import create_member

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 15)
ALICE_ID = "11010519491231002X"


def a_year(ids: list[str]) -> list[list[object]]:
    """Twelve months of entries for each member, dates and points typed every which way."""
    rows: list[list[object]] = [ENTRY_HEADER]
    for month in range(1, 13):
        for n, number in enumerate(ids):
            rows.append([number, "", "study_absent", f"2025/{month}/3", "", "", "", "缺席主题党日"])
            rows.append([f" {number} ", "", "缺席三会一课、培训或主题教育实践活动（每次）",
                         f"2025年{month}月１０日", "－１", "２", "", ""])  # fmt: skip
            if month == 6 and n == 0:
                rows.append([number, "", "study_other", "20250615", "-2.5分", "", "", "笔记缺"])
                rows.append([number, "", "honor_company", "2025.6.20", "", "", "2025-先进", ""])
    return rows


def members(personas, count: int) -> list[str]:
    ids = [id_number(i) for i in range(1, count + 1)]
    for i, number in enumerate(ids):
        create_member(actor=None, branch=personas.branch_a, name=f"党员{i}", gender="M",
                      id_number=number)  # fmt: skip
    return ids


@pytest.mark.parametrize("as_file", ["xlsx", "gbk"])
def test_a_year_of_entries_is_imported_and_the_ledger_verifies(personas, as_file) -> None:
    ids = [ALICE_ID, *members(personas, 3)]
    rows = a_year(ids)
    data, name = (
        (xlsx(rows), "积分.xlsx") if as_file == "xlsx" else (csv_bytes(rows, "gbk"), "积分.csv")
    )
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename=name, data=data, today=TODAY)  # fmt: skip
    assert run.state == "succeeded", run.errors
    assert run.rows_written == len(rows) - 1 == 12 * 2 * 4 + 2
    entries = LedgerEntry.objects.filter(source="import")
    assert entries.count() == run.rows_written
    alice = entries.filter(member=personas.alice)
    assert alice.filter(item_code="study_absent", quantity=2).count() == 12
    assert alice.get(item_code="study_other").points == Decimal("-2.50")
    assert alice.get(item_code="honor_company").honor_key == "2025-先进"
    assert {e.occurred_on.month for e in alice} == set(range(1, 13))
    assert verify_tenant(personas.district.pk) is None
    assert AuditEvent.objects.filter(action="exchange.import", target_id=str(run.pk)).exists()


def test_one_bad_row_among_ten_thousand_writes_nothing_and_names_the_row(personas) -> None:
    ids = [ALICE_ID, *members(personas, 4)]
    rows: list[list[object]] = [ENTRY_HEADER]
    for i in range(10_000):
        rows.append(
            [ids[i % 5], "", "study_absent", f"2025-{1 + i % 12}-{1 + i % 28}", "", "", "", ""]
        )
    rows[6_001][4] = "+3"  # a fixed −1 item with +3: row 6,002 as Excel shows it
    before = LedgerEntry.objects.count()
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename="big.xlsx", data=xlsx(rows), today=TODAY)  # fmt: skip
    assert run.state == "refused"
    assert LedgerEntry.objects.count() == before
    assert run.error_count == 1
    assert run.errors[0]["row"] == 6_002 and run.errors[0]["column"] == "分值"
    assert "-1" in run.errors[0]["reason"]


def test_every_bad_row_is_reported_with_row_column_and_reason(personas) -> None:
    rows = [
        ENTRY_HEADER,
        [ALICE_ID, "王爱丽", "study_absent", "2025-03-01", "", "", "", ""],  # good
        [ALICE_ID, "别人", "study_absent", "2025-03-01", "", "", "", ""],
        ["110105194912310021", "", "study_absent", "2025-03-01", "", "", "", ""],
        [id_number(999), "", "study_absent", "2025-03-01", "", "", "", ""],
        [ALICE_ID, "", "no_such_item", "2025-03-01", "", "", "", ""],
        [ALICE_ID, "", "study_absent", "2025-02-30", "", "", "", ""],
        [ALICE_ID, "", "study_other", "2025-03-01", "", "", "", ""],
        [ALICE_ID, "", "study_other", "2025-03-01", "+2", "", "", ""],
        [ALICE_ID, "", "honor_company", "2025-03-01", "", "", "", ""],
        [ALICE_ID, "", "study_absent", "2027-01-01", "", "0", "", ""],
    ]
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename="bad.csv", data=csv_bytes(rows), today=TODAY)  # fmt: skip
    got = {(e["row"], e["column"]) for e in run.errors}
    assert got == {
        (3, "姓名"), (4, "身份证号"), (5, "身份证号"), (6, "积分项目"), (7, "发生日期"),
        (8, "分值"), (9, "分值"), (10, "荣誉名称"), (11, "发生日期"), (11, "次数"),
    }  # fmt: skip
    assert all(e["reason"] and "(" not in e["reason"] for e in run.errors)
    assert not LedgerEntry.objects.exists()


def test_a_file_already_imported_is_refused_the_second_time(personas) -> None:
    rows = [ENTRY_HEADER, [ALICE_ID, "", "study_absent", "2025-03-01", "", "", "", ""]]
    data = xlsx(rows)
    kwargs = {"actor": personas.sam, "organisation": personas.branch_a, "kind": "entries",
              "filename": "a.xlsx", "data": data, "today": TODAY}  # fmt: skip
    assert import_file(**kwargs).state == "succeeded"
    with pytest.raises(AlreadyImported) as caught:
        import_file(**{**kwargs, "filename": "copy.xlsx"})
    assert "不再重复导入" in caught.value.messages[0]
    assert LedgerEntry.objects.count() == 1
    assert ImportRun.objects.count() == 1


def test_bob_cannot_import_into_branch_a_nor_reach_alice_from_branch_b(personas) -> None:
    rows = [ENTRY_HEADER, [ALICE_ID, "", "study_absent", "2025-03-01", "", "", "", ""]]
    with pytest.raises(PermissionDenied):
        import_file(actor=personas.bob, organisation=personas.branch_a, kind="entries",
                    filename="a.xlsx", data=xlsx(rows), today=TODAY)  # fmt: skip
    run = import_file(actor=personas.bob, organisation=personas.branch_b, kind="entries",
                      filename="a.xlsx", data=xlsx(rows), today=TODAY)  # fmt: skip
    assert run.state == "refused" and run.errors[0]["column"] == "身份证号"
    assert not LedgerEntry.objects.exists()


def test_carol_on_the_committee_may_not_record_entries(personas) -> None:
    rows = [ENTRY_HEADER, [ALICE_ID, "", "study_absent", "2025-03-01", "", "", "", ""]]
    with pytest.raises(PermissionDenied):
        import_file(actor=personas.carol, organisation=personas.committee, kind="entries",
                    filename="a.xlsx", data=xlsx(rows), today=TODAY)  # fmt: skip


def test_an_archived_period_takes_no_imported_entry(personas) -> None:
    from jifen.ledger.services import advance_period, open_period

    q1 = open_period(actor=None, organisation=personas.branch_a, label="2025-Q1",
                     starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))  # fmt: skip
    for state in ("summarised", "publicised", "archived"):
        q1 = advance_period(actor=None, period=q1, to=state)
    rows = [ENTRY_HEADER, [ALICE_ID, "", "study_absent", "2025-03-01", "", "", "", ""]]
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename="a.csv", data=csv_bytes(rows), today=TODAY)  # fmt: skip
    assert run.state == "refused" and "已归档" in run.errors[0]["reason"]


def validation_queries(personas, ids: list[str], count: int) -> int:
    rows = [ENTRY_HEADER] + [
        [ids[i % len(ids)], "", "study_absent", "2025-04-01", "", "", "", ""] for i in range(count)
    ]
    sheet = read_sheet("a.csv", csv_bytes(rows))
    problems = Problems()
    with CaptureQueriesContext(connection) as queries:
        drafts = validate_entries(
            actor=personas.sam, organisation=personas.branch_a,
            sheet=sheet, sha256="x", today=TODAY, problems=problems,
        )  # fmt: skip
    assert not problems and len(drafts) == count
    return len(queries)


def test_validating_rows_costs_the_same_queries_for_ten_or_four_hundred_rows(
    personas, django_assert_max_num_queries
) -> None:
    ids = members(personas, 400)
    few = validation_queries(personas, ids[:10], 10)
    many = validation_queries(personas, ids, 400)
    assert many == few
    rows = [ENTRY_HEADER] + [[n, "", "study_absent", "2025-04-01", "", "", "", ""] for n in ids]
    sheet = read_sheet("a.csv", csv_bytes(rows))
    with django_assert_max_num_queries(few):
        validate_entries(actor=personas.sam, organisation=personas.branch_a, sheet=sheet,
                         sha256="x", today=TODAY, problems=Problems())  # fmt: skip


def test_the_same_file_into_a_parent_organisation_is_refused_without_naming_the_first(
    personas,
) -> None:
    rows = [ENTRY_HEADER, [ALICE_ID, "", "study_absent", "2025-03-01", "", "", "", ""]]
    data = csv_bytes(rows)
    import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                filename="a.csv", data=data, today=TODAY)  # fmt: skip
    with pytest.raises(AlreadyImported) as caught:
        import_file(actor=None, organisation=personas.committee, kind="entries",
                    filename="a.csv", data=data, today=TODAY)  # fmt: skip
    assert "甲支部" not in caught.value.messages[0]
    assert LedgerEntry.objects.count() == 1


def test_an_id_number_excel_turned_into_a_number_is_explained(personas) -> None:
    rows = [
        ENTRY_HEADER,
        [110105194912310020, "", "study_absent", "2025-03-01", "", "", "", ""],  # a number cell
        ["1.10105E+17", "", "study_absent", "2025-03-01", "", "", "", ""],  # as a .csv keeps it
    ]
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename="a.xlsx", data=xlsx(rows), today=TODAY)  # fmt: skip
    assert [(e["row"], e["column"]) for e in run.errors] == [(2, "身份证号"), (3, "身份证号")]
    assert all("文本" in e["reason"] for e in run.errors)
