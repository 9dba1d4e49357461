"""Encryption at rest in upstream Heat's format (Fernet keyed from auth_encryption_key)."""

from __future__ import annotations

import base64

import pytest
from cryptography import fernet

from common import crypto, exception

KEY = "notgood but just long enough i t"


def upstream_fernet(key: str) -> fernet.Fernet:
    """The cipher as upstream's heat/common/crypt.py derives it, written out here."""
    key = key * 2 if len(key) < 32 else key
    return fernet.Fernet(base64.b64encode(key[:32].encode("utf-8")))


@pytest.mark.parametrize("key", [KEY, "twenty characters..", KEY + "and more beyond 32"])
def test_values_upstream_encrypted_decrypt_and_ours_decrypt_upstream(key: str) -> None:
    theirs = upstream_fernet(key).encrypt(b"trust-id-123").decode()
    assert crypto.decrypt("cryptography_decrypt_v1", theirs, key) == "trust-id-123"
    method, ours = crypto.encrypt("trust-id-123", key)
    assert method == "cryptography_decrypt_v1"
    assert ours is not None and "trust-id-123" not in ours
    assert upstream_fernet(key).decrypt(ours.encode()) == b"trust-id-123"


def test_no_value_stays_no_value() -> None:
    assert crypto.encrypt(None, KEY) == (None, None)
    assert crypto.decrypt(None, None, KEY) is None


def test_another_key_is_refused_with_upstreams_error() -> None:
    _, data = crypto.encrypt("secret", KEY)
    with pytest.raises(exception.InvalidEncryptionKey):
        crypto.decrypt(crypto.FERNET_METHOD, data, "another key, also 32 characters!")


def test_parameters_are_stored_as_method_and_ciphertext_pairs() -> None:
    pair = crypto.encrypt_parameter("hunter2", KEY)
    assert pair[0] == crypto.FERNET_METHOD and pair[1] != "hunter2"
    assert crypto.decrypt_parameter(pair, KEY) == "hunter2"
    assert crypto.decrypt_parameter("already clear", KEY) == "already clear"
    assert crypto.decrypt_parameter(crypto.encrypt_parameter({"a": 1}, KEY), KEY) == '{"a": 1}'
