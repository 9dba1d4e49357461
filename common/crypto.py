"""Encryption at rest with ``auth_encryption_key``, in upstream Heat's stored format.

A value is stored as a pair: the name of the method that decrypts it and the ciphertext.
New values use Fernet keyed from the first 32 characters of the key (a shorter key is
doubled first), exactly as upstream's ``cryptography_decrypt_v1``, so a database written
by either implementation reads in the other with the same heat.conf.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cryptography import fernet

from common import exception

FERNET_METHOD = "cryptography_decrypt_v1"
KEY_LENGTH = 32


def fernet_key(key: str) -> fernet.Fernet:
    """The Fernet cipher for ``auth_encryption_key`` as upstream derives it."""
    if len(key) < KEY_LENGTH:
        key = key * 2
    return fernet.Fernet(base64.b64encode(key[:KEY_LENGTH].encode()))


def encrypt(value: str | None, key: str) -> tuple[str | None, str | None]:
    """``(method, ciphertext)`` for ``value``; ``(None, None)`` for no value."""
    if value is None:
        return None, None
    return FERNET_METHOD, fernet_key(key).encrypt(value.encode()).decode()


def _decrypt_fernet(data: str, key: str) -> str:
    try:
        return fernet_key(key).decrypt(data.encode()).decode()
    except fernet.InvalidToken:
        raise exception.InvalidEncryptionKey() from None


DECRYPTORS: dict[str, Callable[[str, str], str]] = {FERNET_METHOD: _decrypt_fernet}


def decrypt(method: str | None, data: str | None, key: str) -> str | None:
    """The clear text of a stored ``(method, data)`` pair; None stays None."""
    if method is None or data is None:
        return None
    decryptor = DECRYPTORS.get(method)
    if decryptor is None:
        raise exception.InvalidEncryptionKey()
    return decryptor(data, key)


def encrypt_parameter(value: Any, key: str) -> list[str | None]:
    """A parameter value as upstream stores a hidden one: ``[method, ciphertext]`` of its
    text (a value that is not a string is stored as its JSON, which parameters accept)."""
    text = value if isinstance(value, str) else json.dumps(value)
    method, data = encrypt(text, key)
    return [method, data]


def decrypt_parameter(pair: Any, key: str) -> Any:
    """The text of an ``encrypt_parameter`` pair; a value not shaped as a pair is returned
    as it is (upstream tolerates already-decrypted values the same way)."""
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return pair
    return decrypt(pair[0], pair[1], key)
