"""Secret keys kept outside the database.

Each key comes from an environment variable or from a file named by NAME_FILE (Docker
secrets). Keys are 32 random bytes written as URL-safe base64; `jifen genkeys` prints a
fresh set. A key is read when first needed, so a missing one is reported by the command
that needs it, with the variable's name, instead of breaking every command at start-up.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from functools import cache

from django.core.exceptions import ImproperlyConfigured

FIELD_KEY = "JIFEN_FIELD_KEY"  # AES-256-GCM for ID-card numbers and phones
INDEX_KEY = "JIFEN_INDEX_KEY"  # HMAC-SHA256 blind index for exact-match lookup
LEDGER_KEY = "JIFEN_LEDGER_KEY"  # HMAC-SHA256 for the ledger hash chain
ALL_KEYS = (FIELD_KEY, INDEX_KEY, LEDGER_KEY)

PURPOSE = {
    FIELD_KEY: "身份证号、手机号加密 (field encryption)",
    INDEX_KEY: "身份证号检索索引 (blind index)",
    LEDGER_KEY: "积分台账哈希链 (ledger hash chain)",
}


def _raw_value(name: str) -> str:
    value = os.environ.get(name, "").strip()
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not value and path:
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"无法读取 {name}_FILE={path}: {error}") from error
    return value


@cache
def get_key(name: str) -> bytes:
    """The 32-byte key of that name, or ImproperlyConfigured naming what is wrong."""
    value = _raw_value(name)
    if not value:
        raise ImproperlyConfigured(
            f"环境变量 {name} 未设置，{PURPOSE[name]}需要它。"
            f"用 `jifen genkeys` 生成一组密钥。 ({name} is not set.)"
        )
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"{name} 不是有效的 base64 编码 ({error})") from error
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} 应为 32 字节 (base64 编码)，实际 {len(key)} 字节")
    return key


def missing_keys() -> list[str]:
    return [name for name in ALL_KEYS if not _raw_value(name)]


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def clear_cache() -> None:
    """Forget loaded keys (tests that change the environment call this)."""
    get_key.cache_clear()
