"""Encryption at rest for personal data, and the keyed index that finds it.

Ciphertexts are `v1:` + base64(nonce ‖ AES-256-GCM(plaintext)), authenticated, so a
changed byte fails to decrypt instead of showing wrong data. The version prefix lets a
later key or algorithm (SM4-GCM for a 密评) sit beside old values. Equality lookup uses
an HMAC-SHA256 "blind index" with a separate key: the database can find a number without
being able to read it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jifen.core.keys import FIELD_KEY, INDEX_KEY, get_key

PREFIX = "v1:"


class DecryptionError(ValueError):
    pass


def encrypt(plaintext: str, *, context: str) -> str:
    """`context` (e.g. "member.id_number") is bound as associated data, so a ciphertext
    copied into another column does not decrypt."""
    nonce = os.urandom(12)
    sealed = AESGCM(get_key(FIELD_KEY)).encrypt(nonce, plaintext.encode(), context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, context: str) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("unknown ciphertext version")
    raw = base64.b64decode(token[len(PREFIX) :])
    try:
        plain = AESGCM(get_key(FIELD_KEY)).decrypt(raw[:12], raw[12:], context.encode())
    except InvalidTag as error:
        raise DecryptionError("ciphertext was altered or the key is wrong") from error
    return plain.decode()


def blind_index(value: str, *, context: str) -> str:
    message = f"{context}\x00{value}".encode()
    return hmac.new(get_key(INDEX_KEY), message, hashlib.sha256).hexdigest()
