"""One quarter through the pages in a real browser (Debian's chromium, never a downloaded
one): Alice declares with a photo, Sam approves, summarises and publicises, Alice
appeals, Sam decides, the window ends, Sam archives and files, Carol accepts. A
screenshot of each main page goes to docs/screenshots/ (members at a phone's width).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

from helpers.accounts import PASSWORD
from helpers.browser import BROWSER_TEST, DESKTOP, PHONE
from helpers.browser import Person as BrowserPerson
from jifen.ledger.models import Period, PeriodState
from jifen.ledger.services import open_period
from jifen.workflow.models import Appeal, Declaration, FilingReview, PeriodRecord

pytestmark = BROWSER_TEST


def photo_png(width: int = 160, height: int = 100) -> bytes:
    """A small red certificate-like PNG with a gold band, made here (no binary fixture)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    red, gold = b"\xb7\x1c\x1c", b"\xff\xd5\x4f"
    rows = [b"\x00" + (gold if 40 <= y < 60 else red) * width for y in range(height)]
    pixels = zlib.compress(b"".join(rows))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Person(BrowserPerson):
    """One persona's browser context, signed in through the real login page."""

    def __init__(self, browser: Any, base: str, username: str | None, viewport: dict[str, int]):
        super().__init__(browser, base, username, viewport, password=PASSWORD)

    def follow(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=label, exact=True).first.click()


def test_a_quarter_through_the_pages(browser, live_server, personas, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    q1 = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31),
    )  # fmt: skip
    photo = tmp_path / "奖状.png"
    photo.write_bytes(photo_png())

    # 申报: Alice, on her phone, declares a company honor with a photo.
    alice = Person(browser, base, "alice", PHONE)
    alice.go("/me/declare/")
    alice.page.select_option("#id_item_code", "honor_company")
    alice.page.fill("#id_occurred_on", "2025-02-10")
    alice.page.fill("#id_description", "获公司级先进个人")
    alice.page.fill("#id_honor_key", "2025-先进个人")
    alice.page.set_input_files("#id_evidence", str(photo))
    alice.shot("02-member-declare")
    alice.press("提交申报")
    alice.page.wait_for_url(f"{base}/me/declarations/")
    assert "申报已提交" in alice.text() and "已提交" in alice.text()
    alice.shot("03-member-my-declarations")

    # 审核: Sam sees it waiting and approves it.
    sam = Person(browser, base, "sam", DESKTOP)
    sam.go("/work/")
    assert "王爱丽" in sam.text()
    sam.shot("04-keeper-workbench")
    sam.follow("审核")
    assert "奖状.png" in sam.text()
    sam.shot("05-keeper-review")
    sam.press("通过")
    assert "积分已记入台账" in sam.text()

    # 汇总 → 公示: from the period page, with today's date (Q1 2025 has ended).
    sam.go(f"/work/periods/{q1.pk}/")
    sam.press("汇总")
    assert "已汇总" in sam.text()
    sam.page.fill("#id_days", "5")
    sam.press("开始公示")
    assert "开始公示" in sam.text() and "公示中" in sam.text()
    sam.shot("06-keeper-period")

    # 积分卡 and 申辩: Alice sees her result and appeals inside the window.
    alice.go("/me/card/")
    assert "101.00" in alice.text()
    alice.shot("01-member-card")
    alice.follow("对结果提出申辩")
    alice.page.fill("#id_reason", "三月份的主题党日我参加了，请核实签到记录")
    alice.shot("07-member-appeal")
    alice.press("提交申辩")
    assert "申辩已提交" in alice.text()

    # 公示栏: anybody, without signing in.
    public = Person(browser, base, None, PHONE)
    public.go(f"/board/{q1.pk}/")
    board = public.text()
    assert "王爱丽" in board and "101.00" in board and "13900001111" not in board
    public.shot("08-public-board")

    # 处理申辩: Sam investigates and dismisses it with a reason.
    sam.go("/work/")
    sam.follow("处理")
    sam.press("开始核查")
    sam.page.fill("#id_dismiss-reason", "经核对签到表，当天未签到，原记录无误")
    sam.shot("09-keeper-appeal")
    sam.press("申辩不成立")
    assert "申辩不成立" in sam.text()

    # 归档 is refused while the window runs, with the reason on the page.
    sam.go(f"/work/periods/{q1.pk}/")
    sam.press("归档")
    assert "期满后才能归档" in sam.text()
    # The window ends: moved into the past here, as five days would pass in life.
    PeriodRecord.objects.filter(period=q1).update(
        publicity_starts_on=dt.date(2025, 4, 3), publicity_ends_on=dt.date(2025, 4, 7)
    )
    sam.press("归档")
    assert "已归档" in sam.text()
    sam.press("上报备案")
    assert "审核备案" in sam.text()

    # 备案审核: Carol accepts the filing.
    carol = Person(browser, base, "carol", DESKTOP)
    carol.go("/filings/")
    assert "甲支部" in carol.text()
    carol.shot("10-committee-filings")
    carol.follow("审核")
    assert "101.00" in carol.text()
    carol.shot("11-committee-filing-review")
    carol.press("同意备案")
    assert "已备案" in carol.text()

    declaration = Declaration.objects.get()
    assert declaration.state == "approved" and declaration.evidence.count() == 1
    assert Appeal.objects.get().state == "dismissed"
    assert Period.objects.get(pk=q1.pk).state == PeriodState.FILED
    assert FilingReview.objects.get().state == "accepted"
