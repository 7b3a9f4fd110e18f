"""The login page, lockout after 5 failures, idle sessions, production settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from helpers.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_start_page_sends_visitors_to_a_chinese_login_page(client) -> None:
    response = client.get("/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in page and "登录" in page and "用户名" in page


def test_a_wrong_password_is_answered_in_chinese_and_keeps_the_username(personas, client) -> None:
    response = client.post(reverse("login"), {"username": "sam", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请输入一个正确的" in page and 'value="sam"' in page


def test_five_failures_lock_the_account_even_against_the_right_password(personas) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(5):
        client.post(reverse("login"), {"username": "sam", "password": "wrong"})
    locked = Client(REMOTE_ADDR="10.8.8.8").post(
        reverse("login"), {"username": "sam", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9").post(
        reverse("login"), {"username": "bob", "password": PASSWORD}
    )
    assert other.status_code == 429  # the address is locked as well


def test_sessions_expire_after_30_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == 0.5


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("Jifen-demo-2026", True), ("jifenjifenjifen", False), ("short-A1", False)],
)
def test_passwords_need_length_and_three_character_classes(password: str, accepted: bool) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def run_jifen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jifen", *args], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_production_settings_pass_check_deploy(tmp_path) -> None:
    env = {
        **os.environ,
        "JIFEN_SECURE": "true",
        "JIFEN_SECRET_KEY": "p" * 30 + "Q7!x" * 10,
        "JIFEN_ALLOWED_HOSTS": "jifen.example.cn",
        "JIFEN_DATA_DIR": str(tmp_path),
    }
    result = run_jifen("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_the_keys(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    env.update(JIFEN_SECURE="true", JIFEN_DATA_DIR=str(tmp_path))
    result = run_jifen("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "JIFEN_LEDGER_KEY" in result.stderr and "JIFEN_SECRET_KEY" in result.stderr
