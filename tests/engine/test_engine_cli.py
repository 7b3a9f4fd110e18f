"""The command line contract of domain.md: `evaluate`, `explain`, `schemes`.

Bad input of any kind exits with status 2, writes nothing on stdout, and names the file,
the row and the reason on stderr.
"""

from __future__ import annotations

import json

import pytest

ENTRIES = "member,occurred_on,item,points,quantity,honor_key,note"
MEMBERS = "member,name,category,status,managed_from,managed_to"


def test_evaluate_prints_the_json_contract(run_cli, write_csv) -> None:
    entries = write_csv(
        "e.csv",
        ENTRIES,
        "m2,2026-02-01,honor_municipal,,,劳模,市级劳模",
        "m2,2026-03-01,study_absent,,3,,",
        "m1,2026-05-01,veto_safety,,,,",
        "m3,2026-04-02,perf_delay_temp,,,,",
        bom=True,
    )
    members = write_csv(
        "m.csv",
        MEMBERS,
        "m1,张三,,,,",
        "m2,李四,,,,",
        "m3,王五,,,2026-04-01,",
        "m4,赵六,,exempt,,",
        "m5,钱七,,,,",
    )
    run = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--members", members,
                  "--period", "2026-Q2")  # fmt: skip
    assert (run.status, run.err) == (0, "")
    document = json.loads(run.out)
    assert (document["scheme"], document["period"]) == ("s002", "2026-Q2")
    # Q2: m2 100 (its Q1 entries are outside), m5 100, m3 100 − 5 = 95, m1 vetoed to 0;
    # ordered by rank then member id, the exempt member last.
    assert [(r["member"], r["total"], r["rank"]) for r in document["results"]] == [
        ("m2", "100.00", 1), ("m5", "100.00", 1), ("m3", "95.00", 3), ("m1", "0.00", 4),
        ("m4", None, None),
    ]  # fmt: skip
    m3 = document["results"][2]
    assert m3 == {
        "member": "m3", "total": "95.00", "grade": "良好", "veto": None,
        "dimensions": {"study": "10.00", "service": "20.00", "duty": "20.00",
                       "performance": "25.00", "integrity": "10.00", "promise": "10.00"},
        "bonus": "0.00", "deductions": "0.00", "rank": 3, "category_rank": 3,
    }  # fmt: skip
    assert document["results"][3]["veto"] == "veto_safety"
    assert document["results"][3]["grade"] == "不合格"
    m4 = document["results"][4]
    assert (m4["total"], m4["grade"], m4["rank"]) == (None, None, None)


def test_without_members_the_members_are_those_in_the_entries(run_cli, write_csv) -> None:
    entries = write_csv("e.csv", ENTRIES, "b,2026-03-01,volunteer,,,,", "a,2026-03-01,praise,,,,")
    run = run_cli("evaluate", "--scheme", "s001", "--entries", entries, "--period", "2026")
    results = json.loads(run.out)["results"]
    # Both 12 + 1 = 13: they share rank 1, ordered by id; one category, so category_rank = rank.
    assert [(r["member"], r["total"], r["rank"], r["category_rank"]) for r in results] == [
        ("a", "13.00", 1, 1),
        ("b", "13.00", 1, 1),
    ]
    assert results[0]["grade"] is None and results[0]["dimensions"] == {}


def test_a_scheme_file_can_be_given_instead_of_a_code(run_cli, write_csv, tmp_path) -> None:
    scheme = tmp_path / "mine.toml"
    scheme.write_text(
        'code = "mine"\nname = "自定"\nscoring_period = "year"\n[annual]\nmode = "same"\n'
        '[[items]]\ncode = "act"\nname = "活动"\ndimension = "bonus"\npoints = 1.5\n',
        encoding="utf-8",
    )
    entries = write_csv("e.csv", ENTRIES, "m1,2026-03-01,act,,2,,")
    run = run_cli("evaluate", "--scheme", scheme, "--entries", entries, "--period", "2026")
    assert json.loads(run.out)["results"][0]["total"] == "3.00"


def test_the_table_format_has_chinese_headers_and_aligned_columns(run_cli, write_csv) -> None:
    entries = write_csv(
        "e.csv", ENTRIES, "m1,2026-03-01,base_absent,,,,", "m2,2026-03-01,veto_serious,,,,"
    )
    members = write_csv("m.csv", MEMBERS, "m1,张三,机关,,,", "m2,李四,社区,,,")
    run = run_cli("evaluate", "--scheme", "s003", "--entries", entries, "--members", members,
                  "--period", "2026", "--format", "table")  # fmt: skip
    assert run.status == 0
    lines = run.out.splitlines()
    assert lines[0].startswith("s003 区级党员积分管理")
    assert lines[1].split() == [
        "排名", "党员", "姓名", "类别", "总分", "等次", "一票否决", "基础积分", "加分", "扣分",
        "类别排名",
    ]  # fmt: skip
    assert lines[2].split() == ["1", "m2", "李四", "社区", "100.00", "不合格", "veto_serious",
                                "100.00", "0.00", "0.00", "1"]  # fmt: skip
    assert "98.00" in lines[3] and "优秀" in lines[3] and "机关" in lines[3]


def test_explain_prints_the_chinese_derivation(run_cli, write_csv) -> None:
    entries = write_csv(
        "e.csv",
        ENTRIES,
        "m1,2026-02-10,honor_municipal,,,劳模,",
        "m1,2026-08-01,honor_national,,,劳模,",
        "m1,2026-05-01,perf_delay_key,,3,,拖延",
    )
    run = run_cli("explain", "--scheme", "s002", "--entries", entries, "--period", "2026",
                  "--member", "m1")  # fmt: skip
    assert (run.status, run.err) == (0, "")
    text = run.out
    assert "积分说明：党员 m1" in text
    assert "升级后只加差额 5.00 分：8.00 → 5.00" in text
    assert "扣完为止，最低 0 分：-15.00 → 0.00" in text
    # Q1 100 + 3 = 103; Q2 performance 30 − 45 → 0: 70; Q3 100 + (8 − 3) = 105; Q4 100.
    # (103 + 70 + 105 + 100) / 4 = 378 / 4 = 94.5: 合格 (92 ≤ 94.5 < 95).
    assert "(103.00 + 70.00 + 105.00 + 100.00) ÷ 4 = 94.50" in text
    assert "总分：94.50　等次：合格" in text
    json_run = run_cli("explain", "--scheme", "s002", "--entries", entries, "--period", "2026",
                       "--member", "m1", "--format", "json")  # fmt: skip
    document = json.loads(json_run.out)
    assert document["total"] == "94.50"
    assert [p["key"] for p in document["periods"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_schemes_lists_the_presets(run_cli) -> None:
    run = run_cli("schemes")
    assert run.status == 0
    lines = run.out.splitlines()
    assert lines[0].split() == ["编码", "名称", "积分周期", "年度计算"]
    assert lines[5].split()[:3] == ["s002", "六项量化百分制", "季度"]
    assert "weighted_mean" in lines[5]
    listing = json.loads(run_cli("schemes", "--format", "json").out)
    assert listing[1] == {
        "code": "s000b", "name": "日常行为七成 + 年度评议三成",
        "scoring_period": "month", "annual": "composite",
    }  # fmt: skip


# ------------------------------------------------------------------ bad input

GOOD_ROW = "m1,2026-03-01,study_absent,,,,"


def _assert_bad(run, *expected: str) -> None:
    assert run.status == 2
    assert run.out == ""
    for text in expected:
        assert text in run.err, run.err


@pytest.mark.parametrize(
    ("rows", "where", "reason"),
    [
        (["m1,2026-03-01,no_such_item,,,,"], "第2行 (row 2)", "unknown item"),
        ([GOOD_ROW, "m1,2026-13-01,study_absent,,,,"], "第3行 (row 3)", "not a date"),
        (["m1,2026/03/01,study_absent,,,,"], "第2行 (row 2)", "not a date"),
        (["m1,,study_absent,,,,"], "第2行 (row 2)", "date is empty"),
        (["m1,2025-12-31,study_absent,,,,"], "第2行 (row 2)", "date outside the period's year"),
        (["m1,2026-03-01,study_other,-0.555,,,"], "第2行 (row 2)", "more than two decimal"),
        (["m1,2026-03-01,study_other,,,,"], "第2行 (row 2)", "points required"),
        (["m1,2026-03-01,study_absent,-3,,,"], "第2行 (row 2)", "must be empty or its value"),
        (["m1,2026-03-01,study_other,abc,,,"], "第2行 (row 2)", "not a number"),
        (["m1,2026-03-01,honor_national,,,,"], "第2行 (row 2)", "honor without honor_key"),
        (["m1,2026-03-01,honor_national,,2,k,"], "第2行 (row 2)", "quantity must be 1"),
        (["m1,2026-03-01,study_absent,,0,,"], "第2行 (row 2)", "quantity must be ≥ 1"),
        (["m1,2026-03-01,study_absent,,1.5,,"], "第2行 (row 2)", "whole number"),
        (["m1,2026-03-01,study_absent,,,,,extra"], "第2行 (row 2)", "more fields than columns"),
        ([",2026-03-01,study_absent,,,,"], "第2行 (row 2)", "member is empty"),
        ([GOOD_ROW, "", "m1,2026-03-01,nope,,,,"], "第4行 (row 4)", "unknown item"),
    ],
)
def test_a_bad_entries_row_exits_2_naming_file_row_and_reason(
    run_cli, write_csv, rows, where, reason
) -> None:
    entries = write_csv("entries.csv", ENTRIES, *rows)
    run = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--period", "2026")
    _assert_bad(run, str(entries), where, reason)


def test_range_points_outside_the_range_exit_2(run_cli, write_csv) -> None:
    entries = write_csv("entries.csv", ENTRIES, "m1,2026-03-01,misconduct,-13,,,")
    run = run_cli("evaluate", "--scheme", "s001", "--entries", entries, "--period", "2026")
    _assert_bad(run, f"{entries}: 第2行 (row 2)", "[-12, -2]", "outside the item's range")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (ENTRIES + ",colour", "unknown column"),
        ("member,occurred_on,points", "missing column 'item'"),
        ("member,occurred_on,item,item", "duplicate column"),
    ],
)
def test_a_bad_header_exits_2(run_cli, write_csv, header, reason) -> None:
    entries = write_csv("entries.csv", header, "m1,2026-03-01,study_absent")
    run = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--period", "2026")
    _assert_bad(run, f"{entries}: 第1行 (row 1)", reason)


def test_unreadable_files_exit_2(run_cli, tmp_path) -> None:
    missing = tmp_path / "missing.csv"
    _assert_bad(
        run_cli("evaluate", "--scheme", "s002", "--entries", missing, "--period", "2026"),
        str(missing),
        "cannot read",
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes((ENTRIES + "\nm1,2026-03-01,study_absent,,,,\xe9\n").encode("latin-1"))
    _assert_bad(
        run_cli("evaluate", "--scheme", "s002", "--entries", latin, "--period", "2026"),
        str(latin),
        "not UTF-8",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    _assert_bad(
        run_cli("evaluate", "--scheme", "s002", "--entries", empty, "--period", "2026"),
        str(empty),
        "empty file",
    )


@pytest.mark.parametrize(
    ("rows", "where", "reason"),
    [
        (["m1,张三,,retired,,"], "第2行 (row 2)", "unknown status"),
        (["m1,张三,E,,,"], "第2行 (row 2)", "unknown category"),
        (["m1,张三,,,,", "m1,张三,,,,"], "第3行 (row 3)", "duplicate member"),
        (["m1,张三,,,2026-02-30,"], "第2行 (row 2)", "not a date"),
        (["m1,张三,,,2026-05-01,2026-04-01"], "第2行 (row 2)", "managed_to before managed_from"),
    ],
)
def test_a_bad_members_row_exits_2(run_cli, write_csv, rows, where, reason) -> None:
    entries = write_csv("entries.csv", ENTRIES, "m1,2026-03-01,absent_unexcused,,,,")
    members = write_csv("members.csv", MEMBERS, *rows)
    run = run_cli("evaluate", "--scheme", "s004", "--entries", entries, "--members", members,
                  "--period", "2026")  # fmt: skip
    _assert_bad(run, f"{members}: {where}", reason)


def test_an_entry_for_a_member_not_in_the_members_file_exits_2(run_cli, write_csv) -> None:
    entries = write_csv("entries.csv", ENTRIES, GOOD_ROW, "m9,2026-03-01,study_absent,,,,")
    members = write_csv("members.csv", MEMBERS, "m1,张三,,,,")
    run = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--members", members,
                  "--period", "2026")  # fmt: skip
    _assert_bad(run, f"{entries}: 第3行 (row 3)", "member not in the member list")


def test_a_bad_scheme_exits_2_naming_the_file_and_place(run_cli, write_csv, tmp_path) -> None:
    entries = write_csv("entries.csv", ENTRIES, GOOD_ROW)
    scheme = tmp_path / "bad.toml"
    scheme.write_text(
        'code = "bad"\nname = "坏"\nscoring_period = "year"\n[annual]\nmode = "same"\n'
        '[[items]]\ncode = "act"\nname = "活动"\ndimension = "nowhere"\npoints = 1\n',
        encoding="utf-8",
    )
    run = run_cli("evaluate", "--scheme", scheme, "--entries", entries, "--period", "2026")
    _assert_bad(run, f"{scheme}: items[0].dimension", "unknown dimension")
    unknown = run_cli("evaluate", "--scheme", "s999", "--entries", entries, "--period", "2026")
    _assert_bad(unknown, "s999", "neither a preset code nor a scheme file")


def test_a_bad_period_and_bad_arguments_exit_2(run_cli, write_csv) -> None:
    entries = write_csv("entries.csv", ENTRIES, GOOD_ROW)
    run = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--period", "2026-Q5")
    _assert_bad(run, "--period", "2026-Q5")
    _assert_bad(run_cli("evaluate", "--scheme", "s002"), "required")
    _assert_bad(run_cli("frobnicate"), "invalid choice")
    fmt = run_cli("evaluate", "--scheme", "s002", "--entries", entries, "--period", "2026",
                  "--format", "xml")  # fmt: skip
    _assert_bad(fmt, "invalid choice")


def test_explain_for_an_unknown_member_exits_2(run_cli, write_csv) -> None:
    entries = write_csv("entries.csv", ENTRIES, GOOD_ROW)
    run = run_cli("explain", "--scheme", "s002", "--entries", entries, "--period", "2026",
                  "--member", "nobody")  # fmt: skip
    _assert_bad(run, "nobody", "member not in the results")


def test_help_goes_to_stdout_with_status_0(run_cli) -> None:
    run = run_cli("evaluate", "--help")
    assert run.status == 0 and "--period" in run.out and run.err == ""
