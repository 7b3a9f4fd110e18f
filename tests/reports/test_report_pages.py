"""Each report as a page, a print view and a workbook laid out as a person would lay it out:
title merged over the table, header fields, merged group headers, widths, frozen header;
the workbook's values are the page's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.reports.catalogue import REPORTS
from reports.xlsx_read import as_cell, data_rows, workbook_of

pytestmark = pytest.mark.django_db


def carol(world: Any) -> Client:
    client = Client()
    client.force_login(world.personas.carol)
    return client


def org_url(world: Any, slug: str, query: str = "") -> str:
    return reverse(f"report_{slug}", args=[world.personas.committee.pk]) + query


QUERIES = {"ledger": "?period=2025", "registration": "?period=2025-Q1", "talk": "?year=2025"}


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_each_report_is_a_page_a_print_view_and_the_same_workbook(report_world, slug) -> None:
    client = carol(report_world)
    query = QUERIES.get(slug, "")
    page = client.get(org_url(report_world, slug, query))
    assert page.status_code == 200
    report = page.context["report"]
    html = page.content.decode()
    assert report.title in html and "打印" in html and "导出 Excel" in html
    printed = client.get(org_url(report_world, slug, (query or "?") + "&as=print"))
    assert printed.status_code == 200 and printed.context["print"] is True
    printed_html = printed.content.decode()
    assert "print.css" in printed_html and "导出 Excel" not in printed_html
    # The title and header fields sit in <thead>, which the browser repeats on every page.
    head = printed_html.split("<thead>")[1].split("</thead>")[0]
    assert report.title in head and "填表人：carol" in head

    workbook = workbook_of(client.get(org_url(report_world, slug, (query or "?") + "&as=xlsx")))
    sheet = workbook.worksheets[0]
    table = page.context["tables"][0]
    columns = table["table"].columns
    last = chr(ord("A") + len(columns) - 1)
    assert sheet["A1"].value == report.title + ("" if table["table"].title == report.title
                                                 else f" · {table['table'].title}")  # fmt: skip
    assert f"A1:{last}1" in {str(r) for r in sheet.merged_cells.ranges}
    assert "填表人：carol" in sheet["A2"].value
    header_rows = 2 if table["table"].groups else 1
    assert sheet.freeze_panes == f"A{3 + header_rows}"
    assert sheet.column_dimensions["A"].width == columns[0].width
    rows = table["rows"]
    assert rows, "the world gives every report some rows"
    expected = [tuple(as_cell(v) for v in row) for row in rows]
    assert data_rows(sheet, 3 + header_rows, len(rows)) == expected


def test_group_headers_are_merged_over_their_columns(report_world) -> None:
    client = carol(report_world)
    sheet = workbook_of(client.get(org_url(report_world, "statistics_1", "?as=xlsx"))).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # 党组织…不纳入积分管理 span both header lines; 评定等次 spans the four grades.
    assert {"A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3"} <= merged
    assert sheet["E3"].value == "评定等次"
    assert [sheet.cell(4, c).value for c in range(5, 9)] == ["优秀", "良好", "合格", "不合格"]


def test_points_are_numbers_with_two_decimals(report_world) -> None:
    client = carol(report_world)
    sheet = workbook_of(client.get(org_url(report_world, "ranking", "?as=xlsx"))).active
    score = sheet["E4"]
    assert score.value == 100 and score.data_type == "n" and score.number_format == "0.00"


def test_names_that_would_start_a_formula_arrive_as_text(report_world) -> None:
    client = carol(report_world)
    sheet = workbook_of(client.get(org_url(report_world, "ranking", "?as=xlsx"))).active
    names = {row[2] for row in sheet.iter_rows(min_row=4, values_only=True)}
    for name in ('=HYPERLINK("x")', "+1", "-1", "@SUM"):
        assert "'" + name in names and name not in names
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            assert cell.data_type != "f"


def test_the_member_card_shows_every_period_and_every_entry_with_its_reason(report_world) -> None:
    client = Client()
    client.force_login(report_world.personas.sam)
    zhang = report_world.people["zhang"]
    page = client.get(reverse("report_card", args=[zhang.pk]))
    assert page.status_code == 200
    periods, entries = (t["rows"] for t in page.context["tables"])
    assert [(r[0], str(r[3]), r[4]) for r in periods] == [("2025", "97.50", "良好")]
    notes = [row[7] for row in entries]
    assert any("误记" in note for note in notes)  # the reversal and its reason
    reversal = next(row for row in entries if "误记" in row[7])
    assert reversal[8] == report_world.reversed_entry.seq
    book = workbook_of(client.get(reverse("report_card", args=[zhang.pk]) + "?as=xlsx"))
    assert len(book.worksheets) == 2
    assert "各板块得分" in [c.value for c in book.worksheets[0][3]]


def test_the_registration_table_groups_items_under_their_dimension(report_world) -> None:
    client = Client()
    client.force_login(report_world.personas.sam)
    url = reverse("report_registration", args=[report_world.personas.branch_a.pk])
    page = client.get(url + "?period=2025-Q1")
    top = [label for label, *_ in page.context["tables"][0]["header"][0]]
    assert "理论学习" in top and "工作实绩" in top
    rows = {row[1]: row for row in page.context["tables"][0]["rows"]}
    columns = [c.label for c in page.context["report"].tables[0].columns]
    net = columns.index("本期积分变动")
    assert str(rows["张三"][net]) == "-10.00"  # the reversed −1 nets to nothing
    assert str(rows["王爱丽"][net]) == "0.00"


def test_a_period_that_is_not_a_period_is_answered_in_chinese(report_world) -> None:
    client = carol(report_world)
    page = client.get(org_url(report_world, "ledger", "?period=abc&as=xlsx"))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "期间无效：abc" in page.content.decode()
    assert page.context["tables"][0]["rows"] == []  # the frame only, no other period's rows
    page = client.get(org_url(report_world, "low_score", "?threshold=6.123"))
    assert "预警线无效" in page.content.decode()


def test_a_page_reads_a_fixed_number_of_queries(report_world, django_assert_max_num_queries):
    client = carol(report_world)
    for slug in sorted(REPORTS):
        with django_assert_max_num_queries(25):
            assert client.get(org_url(report_world, slug, QUERIES.get(slug, ""))).status_code == 200


def test_a_member_who_moved_away_stays_on_the_registration_table_of_where_he_scored(
    report_world,
) -> None:
    import datetime as dt

    from jifen.members.services import transfer_member

    personas = report_world.personas
    transfer_member(
        actor=None, member=report_world.people["zhang"], to_branch=personas.branch_b,
        on=dt.date(2025, 4, 10), reason="工作调动",
    )  # fmt: skip
    client = Client()
    client.force_login(personas.sam)
    url = reverse("report_registration", args=[personas.branch_a.pk]) + "?period=2025-Q1"
    rows = {row[1]: row for row in client.get(url).context["tables"][0]["rows"]}
    assert str(rows["张三"][-3]) == "-10.00"
    # …and is not on the table of the branch he joined after the quarter.
    bob = Client()
    bob.force_login(personas.bob)
    url = reverse("report_registration", args=[personas.branch_b.pk]) + "?period=2025-Q1"
    assert "张三" not in {row[1] for row in bob.get(url).context["tables"][0]["rows"]}
