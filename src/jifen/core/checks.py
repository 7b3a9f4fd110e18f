"""System checks: `jifen check --deploy` refuses to pass without the secret keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from jifen.core.keys import missing_keys


@checks.register(checks.Tags.security, deploy=True)
def keys_present(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f"环境变量 {name} 未设置 ({name} is not set)",
            hint="用 `jifen genkeys` 生成，并写入部署环境。",
            id="jifen.E001",
        )
        for name in missing_keys()
    ]
    if "insecure" in settings.SECRET_KEY:
        messages.append(
            checks.Error(
                "JIFEN_SECRET_KEY 未设置，正在使用开发用密钥 (JIFEN_SECRET_KEY is not set)",
                id="jifen.E002",
            )
        )
    return messages
