"""Carol's pages in a real browser (Debian's chromium): a refinement for branch A through
the form, its differences, an exemption filed, and the dashboard drawn by the vendored
ECharts (an SVG inside each chart, so the script was served locally and ran).

Set JIFEN_SHOTS=<folder> to keep a screenshot of each page."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from committee.subtree import grow
from helpers.accounts import PASSWORD
from helpers.browser import BROWSER_TEST, DESKTOP, Person
from jifen.members.services import decide_exemption, request_exemption
from jifen.schemes.models import SchemeVersion

pytestmark = BROWSER_TEST


@pytest.fixture
def page(browser: Any, live_server: Any, personas: Any) -> Any:
    """Carol's tab, signed in through the login page."""
    return Person(browser, live_server.url, "carol", DESKTOP, password=PASSWORD).page


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("JIFEN_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_carol_refines_a_scheme_files_an_exemption_and_reads_the_dashboard(
    page, live_server, personas
) -> None:
    base = live_server.url
    exemption = request_exemption(
        actor=personas.sam, member=personas.alice, reason="长期患病", starts_on=dt.date(2025, 1, 1)
    )
    decide_exemption(actor=personas.sam, exemption=exemption, level="branch", approve=True)
    grow(personas, branches=3, members=3)

    # A refinement for branch A: start from the text in force, change one point value.
    page.goto(base + "/committee/schemes/")
    shot(page, "committee-scheme-list")
    page.get_by_role("link", name="制定细则").first.click()
    page.wait_for_selector("#id_text")
    text = page.input_value("#id_text")
    marker = (
        'code = "honor_company"\nname = "获得公司级荣誉"\ndimension = "bonus"\nkind = "fixed"\n'
    )
    page.fill("#id_text", text.replace(marker + "points = 1", marker + "points = 3"))
    page.fill("#id_note", "公司级荣誉加3分")
    shot(page, "committee-scheme-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存为新版本").click()
    version = SchemeVersion.objects.get()
    assert version.organisation == personas.branch_a and version.version == 2
    page.get_by_role("link", name="与基于的版本比较").click()
    page.wait_for_selector("pre.diff")
    assert "honor_company" in page.inner_text("main")
    shot(page, "committee-scheme-diff")

    # The exemption the branch agreed to, filed by the committee.
    page.goto(base + "/exemptions/")
    page.get_by_role("link", name="查看").first.click()
    shot(page, "committee-exemption-decide")
    page.check("input[value=approve]")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审批意见").click()
    exemption.refresh_from_db()
    assert exemption.state == "filed"

    # The dashboard: each chart drawn (ECharts renders SVG) beside its table.
    page.goto(base + "/committee/dashboard/?year=2025&period=2025-Q2")
    for chart in ("#chart-grades", "#chart-trend", "#chart-branches"):
        page.wait_for_selector(f"{chart} svg")
    assert "第1支部" in page.inner_text("#table-branches")
    shot(page, "committee-dashboard")
