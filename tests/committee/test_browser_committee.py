"""Carol's pages in a real browser (Debian's chromium): a refinement for branch A through
the form, its differences, an exemption filed, and the dashboard drawn by the vendored
ECharts (an SVG inside each chart, so the script was served locally and ran).

Set JIFEN_SHOTS=<folder> to keep a screenshot of each page."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from committee.subtree import grow
from helpers.accounts import PASSWORD
from jifen.members.services import decide_exemption, request_exemption
from jifen.schemes.models import SchemeVersion

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--lang=zh-CN"]  # fmt: skip

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent"),
]


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server: Any, personas: Any) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            tab.goto(live_server.url + "/login/")
            tab.fill("#id_username", "carol")
            tab.fill("#id_password", PASSWORD)
            tab.click("button[type=submit]")
            tab.wait_for_url(live_server.url + "/")
            yield tab
        finally:
            chromium.close()


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
