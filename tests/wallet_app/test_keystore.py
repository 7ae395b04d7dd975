"""The vault's platform keystore adapter: on a desktop the fallback (PIN-only vault key) is
chosen and works; a vault bound to a device secret opens only with that secret.

The Android Keystore itself cannot run here (no Android runtime); a software keystore with
the same wrap/unwrap contract stands in for the hardware, while the vault code is the real one.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sdk.trust import TrustAnchor
from wallet_app.config import WalletConfig
from wallet_app.platform.keystore import SECRET_FILE, DeviceSecret, platform_vault, select_keystore
from wallet_app.reasons import VaultReason
from wallet_app.service import WalletService
from wallet_app.storage import KdfParams, Vault, VaultError, WrongPinError

FAST = KdfParams(n=2**4, r=1, p=1)
PIN = "246810"


class SoftwareKeyStore:
    """Same contract as AndroidKeyStore: iv || AES-256-GCM(secret), key kept in memory."""

    name = "software"

    def __init__(self) -> None:
        self._key = AESGCM(secrets.token_bytes(32))

    def wrap(self, secret: bytes) -> bytes:
        iv = os.urandom(12)
        return iv + self._key.encrypt(iv, secret, None)

    def unwrap(self, blob: bytes) -> bytes:
        try:
            return self._key.decrypt(blob[:12], blob[12:], None)
        except InvalidTag as exc:
            raise VaultError("not wrapped by this keystore", reason=VaultReason.VAULT) from exc


def test_desktop_selects_the_fallback_and_it_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANDROID_ARGUMENT", raising=False)
    monkeypatch.delenv("P4A_BOOTSTRAP", raising=False)
    assert select_keystore() is None
    assert "jnius" not in sys.modules  # the Android path is never imported on a desktop
    config = WalletConfig(data_dir=tmp_path, trust_anchors=(TrustAnchor(b"\x01" * 32),), kdf=FAST)
    assert platform_vault(config) is None  # the service then makes its PIN-only vault
    w = WalletService(config, vault=platform_vault(config))
    ob = w.new_onboarding()
    w.check_written(ob, {g: ob.groups[g - 1] for g in ob.checks})
    w.finish_onboarding(ob, PIN)
    w.lock()
    w.unlock(PIN)
    assert w.is_unlocked
    assert not (tmp_path / SECRET_FILE).exists()


def test_android_without_pyjnius_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    if "jnius" in sys.modules or any(p for p in sys.path if Path(p, "jnius").is_dir()):
        pytest.fail("pyjnius is installed on this desktop: the fallback cannot be exercised")
    assert select_keystore("android") is None


def test_vault_bound_to_the_device_secret(tmp_path: Path) -> None:
    store = SoftwareKeyStore()
    secret = DeviceSecret(tmp_path, store)
    v = Vault(tmp_path, kdf=FAST, device_secret=secret.get)
    v.create(PIN, b"state")
    assert (tmp_path / SECRET_FILE).exists() and secret.get() != b""
    v.close()
    assert Vault(tmp_path, kdf=FAST, device_secret=secret.get).open(PIN).plaintext == b"state"
    v2 = Vault(tmp_path, kdf=FAST, device_secret=secret.get)
    v2.open(PIN)
    v2.save(b"state 2")  # a save keeps the binding
    assert Vault(tmp_path, kdf=FAST, device_secret=secret.get).open(PIN).plaintext == b"state 2"
    with pytest.raises(WrongPinError):
        Vault(tmp_path, kdf=FAST, device_secret=secret.get).open("000000")
    # the file copied to a machine without this keystore cannot be opened, nor a PIN tested
    with pytest.raises(VaultError) as info:
        Vault(tmp_path, kdf=FAST).open(PIN)
    assert info.value.reason == VaultReason.VAULT and "recovery code" in str(info.value)
    other = DeviceSecret(tmp_path, SoftwareKeyStore())  # another phone's keystore: cannot unwrap
    with pytest.raises(VaultError) as info:
        Vault(tmp_path, kdf=FAST, device_secret=other.get).open(PIN)
    assert not isinstance(info.value, WrongPinError)


def test_lost_device_secret_is_said_not_wrong_pin(tmp_path: Path) -> None:
    secret = DeviceSecret(tmp_path, SoftwareKeyStore())
    Vault(tmp_path, kdf=FAST, device_secret=secret.get).create(PIN, b"state")
    (tmp_path / SECRET_FILE).unlink()
    with pytest.raises(VaultError) as info:
        Vault(tmp_path, kdf=FAST, device_secret=secret.get).open(PIN)
    assert not isinstance(info.value, WrongPinError) and "recovery code" in str(info.value)


def test_pin_only_vault_still_opens_where_a_keystore_exists(tmp_path: Path) -> None:
    Vault(tmp_path, kdf=FAST).create(PIN, b"old wallet")
    secret = DeviceSecret(tmp_path, SoftwareKeyStore())
    assert Vault(tmp_path, kdf=FAST, device_secret=secret.get).open(PIN).plaintext == b"old wallet"
    assert not (tmp_path / SECRET_FILE).exists()
