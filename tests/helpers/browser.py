"""What the browser tests share: Debian's chromium (never a downloaded browser) with the
flags that keep it off the network, where screenshots go, and a signed-in person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own widgets (file and date inputs) in Chinese
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

BROWSER_TEST = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent (make browser)"),
]
"""The marks of a browser test module (`pytestmark = BROWSER_TEST`)."""


class Person:
    """One login's browser context, signed in through the real login page."""

    def __init__(
        self,
        browser: Any,
        base: str,
        username: str | None,
        viewport: dict[str, int],
        password: str = "",
    ) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        if username is not None:
            self.go("/login/")
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", password)
            self.page.click("button[type=submit]")
            self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def text(self) -> str:
        return str(self.page.inner_text("main"))

    def press(self, label: str) -> None:
        """Press a button that submits a form, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=label, exact=True).click()
