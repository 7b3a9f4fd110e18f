"""The roster (花名册) from .xlsx and .csv: members created or updated through the member
services, every conflict reported per row, nothing written when any row is bad."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from exchange.files import ROSTER_HEADER, csv_bytes, id_number, xlsx
from jifen.core import crypto
from jifen.exchange.services import AlreadyImported, import_file
from jifen.members.models import PHONE_CONTEXT, Member
from jifen.members.services import id_number_lookup_key

pytestmark = pytest.mark.django_db


def roster() -> list[list[object]]:
    return [
        ROSTER_HEADER,
        ["示例：张三", "男", "11010519491231002X", "", "D-1-A", "正式党员", "2010-07-01"],
        ["\u3000张 三 ", "男", id_number(1), "１３９ ００００ ２２２２", "D-1-A", "预备党员",
         "2024/7/1"],
        ["李四", "女", id_number(2).lower(), "", "甲支部", "", 40360],
        ["王五", "M", id_number(3), "", "d-1-a", "积极分子", "2019年7月1日"],
    ]  # fmt: skip


def run_import(personas, data: bytes, name: str, actor=None):
    return import_file(actor=actor or personas.sam, organisation=personas.branch_a,
                       kind="roster", filename=name, data=data)  # fmt: skip


@pytest.mark.parametrize("encoding", ["xlsx", "gbk", "utf-8-sig"])
def test_a_roster_is_imported_from_xlsx_gbk_csv_and_utf8_csv_with_bom(personas, encoding) -> None:
    rows = roster()
    rows[4][4] = "D-1-A"  # a code in lower case is not the code
    data = xlsx(rows) if encoding == "xlsx" else csv_bytes(rows, encoding)
    run = run_import(personas, data, "花名册." + ("xlsx" if encoding == "xlsx" else "csv"))
    assert run.state == "succeeded", run.errors
    assert (run.created_count, run.updated_count, run.rows_written) == (3, 0, 3)
    zhang = Member.objects.get(id_number_index=id_number_lookup_key(id_number(1)))
    assert zhang.name == "张 三" and zhang.branch == personas.branch_a
    assert zhang.status == "probationary" and zhang.join_date == dt.date(2024, 7, 1)
    assert crypto.decrypt(zhang.phone_cipher, context=PHONE_CONTEXT) == "13900002222"
    assert zhang.birth_date == dt.date(1980, 1, 1)  # from the ID number
    li = Member.objects.get(id_number_index=id_number_lookup_key(id_number(2)))
    assert li.gender == "F" and li.status == "full"
    assert li.join_date == dt.date(2010, 7, 1)  # an Excel serial number, as a cell or as text
    assert Member.objects.get(name="王五").status == "activist"
    assert id_number(1) not in str(run.errors) and not Member.objects.filter(name="示例：张三")


def test_reimporting_a_changed_roster_updates_the_members_it_names(personas) -> None:
    rows = roster()
    rows[4][4] = "D-1-A"
    assert run_import(personas, xlsx(rows), "a.xlsx").state == "succeeded"
    rows[2][5] = "正式党员"  # 张三 converted
    rows[3][3] = "13811112222"
    run = run_import(personas, xlsx(rows), "b.xlsx")
    assert run.state == "succeeded", run.errors
    assert (run.created_count, run.updated_count) == (0, 2)
    assert Member.objects.get(name="张 三").status == "full"
    assert Member.objects.count() == 2 + 3


def test_conflicts_and_bad_cells_are_reported_per_row_and_nothing_is_written(personas) -> None:
    rows = [
        ROSTER_HEADER,
        ["好人", "男", id_number(10), "", "D-1-A", "", ""],
        ["重复", "男", id_number(10), "", "D-1-A", "", ""],
        [
            "王爱丽",
            "女",
            "11010519491231002X",
            "",
            "D-1-A",
            "",
            "",
        ],  # Alice: no change
        ["冒名", "女", "11010519491231002X".lower(), "", "D-1-A", "", ""],
        ["", "未知", "123", "12345", "乙支部", "党员", "昨天"],
        ["李乙", "男", id_number(11), "", "D-1-B", "", ""],
    ]
    before = Member.objects.count()
    run = run_import(personas, csv_bytes(rows, "gbk"), "a.csv")
    assert run.state == "refused"
    got = {(e["row"], e["column"]) for e in run.errors}
    assert got == {
        (3, "身份证号"), (5, "身份证号"), (6, "姓名"), (6, "性别"), (6, "身份证号"),
        (6, "手机号"), (6, "所在支部"), (6, "党员状态"), (6, "入党日期"), (7, "所在支部"),
    }  # fmt: skip
    assert Member.objects.count() == before


def test_a_member_of_another_branch_is_a_conflict_not_a_transfer(personas) -> None:
    from jifen.members.services import create_member

    create_member(actor=None, branch=personas.branch_b, name="赵六", gender="M",
                  id_number=id_number(20))  # fmt: skip
    rows = [ROSTER_HEADER, ["赵六", "男", id_number(20), "", "D-1-A", "", ""]]
    run = run_import(personas, xlsx(rows), "a.xlsx")
    reason = "该身份证号的党员已在系统中登记，但不在您管理的组织内"
    assert run.errors == [{"row": 2, "column": "身份证号", "reason": reason}]
    assert "乙支部" not in str(run.errors)  # Sam is not told where


def test_bob_cannot_import_a_roster_into_branch_a(personas) -> None:
    with pytest.raises(PermissionDenied):
        run_import(personas, xlsx(roster()), "a.xlsx", actor=personas.bob)
    rows = [ROSTER_HEADER, ["新人", "男", id_number(30), "", "D-1-A", "", ""]]
    run = import_file(actor=personas.bob, organisation=personas.branch_b, kind="roster",
                      filename="a.xlsx", data=xlsx(rows))  # fmt: skip
    assert run.state == "refused" and run.errors[0]["column"] == "所在支部"
    assert not Member.objects.filter(name="新人").exists()


def test_the_same_roster_file_is_not_imported_twice(personas) -> None:
    rows = roster()
    rows[4][4] = "D-1-A"
    data = xlsx(rows)
    run_import(personas, data, "a.xlsx")
    with pytest.raises(AlreadyImported):
        run_import(personas, data, "a.xlsx")


def test_a_group_is_found_by_name_inside_the_branch_and_names_shared_need_a_code(
    personas,
) -> None:
    from jifen.orgs.services import create_organisation

    group = create_organisation(actor=None, name="第一党小组", code="D-1-A-1",
                                kind="party_group", parent=personas.branch_a)  # fmt: skip
    create_organisation(actor=None, name="第一党小组", code="D-1-B-1", kind="party_group",
                        parent=personas.branch_b)  # fmt: skip
    header = [*ROSTER_HEADER, "所在小组"]
    rows = [header, ["新人", "男", id_number(40), "", "甲支部", "", "", "第一党小组"]]
    run = run_import(personas, xlsx(rows), "a.xlsx")
    assert run.state == "succeeded", run.errors
    assert Member.objects.get(name="新人").group == group
    rows = [header, ["又一人", "男", id_number(41), "", "D-1-A", "", "", "第二党小组"]]
    run = run_import(personas, xlsx(rows), "b.xlsx")
    assert run.errors[0]["column"] == "所在小组"


def test_a_refusal_in_the_middle_of_writing_undoes_the_rows_before_it(
    personas, monkeypatch
) -> None:
    from django.core.exceptions import ValidationError

    from jifen.exchange import roster as roster_module

    real, calls = roster_module.create_member, []

    def second_refused(**fields):
        calls.append(fields["name"])
        if len(calls) == 2:
            raise ValidationError({"name": "模拟的拒绝"})
        return real(**fields)

    monkeypatch.setattr(roster_module, "create_member", second_refused)
    rows = [ROSTER_HEADER] + [
        [f"人{i}", "男", id_number(50 + i), "", "D-1-A", "", ""] for i in range(3)
    ]
    before = Member.objects.count()
    run = run_import(personas, xlsx(rows), "a.xlsx")
    assert run.state == "refused" and "第 3 行" in run.errors[0]["reason"]
    assert "模拟的拒绝" in run.errors[0]["reason"]
    assert Member.objects.count() == before  # the first row's member is gone again
