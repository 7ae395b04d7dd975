"""Platform adapter: a device key that binds the wallet's vault to this phone.

The vault key comes from the PIN through scrypt (:mod:`wallet_app.storage`). On its own, a
copied vault file can be attacked offline by trying every 6-digit PIN. On Android the vault
key is also bound to a *device secret*: 32 random bytes kept in the data folder **wrapped**
(AES-256-GCM) by a key that lives in the Android Keystore, where it cannot be exported (in
secure hardware when the phone has it). A copied vault file and wrapped secret are useless
without that phone's keystore, so the PIN cannot be guessed off the phone.

Selection (:func:`select_keystore`):

- Android (``kivy.utils.platform == "android"`` and pyjnius importable): :class:`AndroidKeyStore`,
  through pyjnius (``jnius`` is imported only there, only then);
- everywhere else (desktop, laptop, tests), or when the keystore cannot be reached:
  ``None``, the desktop fallback: the vault key comes from the PIN alone, as before.

What was not done here: this Android path was never run on a phone (no Android SDK/NDK on
the build machine); see docs/wallet.md "Building for Android".
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any, Protocol

from appkit.files import atomic_write

__all__ = ["AndroidKeyStore", "DeviceSecret", "KeyStore", "platform_vault", "select_keystore"]

log = logging.getLogger(__name__)

ALIAS = "zkaid-wallet-device-key"
SECRET_FILE = "device-key.wrapped"
_SECRET_LEN = 32


class KeyStore(Protocol):
    """Wraps and unwraps a short secret with a key that never leaves the platform keystore."""

    name: str

    def wrap(self, secret: bytes) -> bytes: ...

    def unwrap(self, blob: bytes) -> bytes:
        """The secret; a :class:`wallet_app.storage.VaultError` when ``blob`` was not wrapped
        by this keystore (another phone, or a key the system invalidated)."""
        ...


class AndroidKeyStore:
    """AES-256-GCM key in the Android Keystore (``AndroidKeyStore`` provider), via pyjnius.

    The blob is ``iv (12 bytes) || ciphertext+tag``. The key is made on first use under
    :data:`ALIAS`; it is not exportable, so wrapping and unwrapping happen inside the keystore.
    """

    name = "android-keystore"

    def __init__(self, alias: str = ALIAS) -> None:
        from jnius import autoclass  # Android only: never imported on a desktop

        self._alias = alias
        self._autoclass: Any = autoclass
        self._cipher_cls: Any = autoclass("javax.crypto.Cipher")
        self._key: Any = self._load_or_create()

    def _load_or_create(self) -> Any:
        ac = self._autoclass
        store = ac("java.security.KeyStore").getInstance("AndroidKeyStore")
        store.load(None)
        if store.containsAlias(self._alias):
            return store.getKey(self._alias, None)
        props = ac("android.security.keystore.KeyProperties")
        builder = ac("android.security.keystore.KeyGenParameterSpec$Builder")(
            self._alias, props.PURPOSE_ENCRYPT | props.PURPOSE_DECRYPT)
        spec = (builder.setBlockModes([props.BLOCK_MODE_GCM])
                .setEncryptionPaddings([props.ENCRYPTION_PADDING_NONE])
                .setKeySize(256).build())
        gen = ac("javax.crypto.KeyGenerator").getInstance(props.KEY_ALGORITHM_AES, "AndroidKeyStore")
        gen.init(spec)
        return gen.generateKey()

    def wrap(self, secret: bytes) -> bytes:
        cipher = self._cipher_cls.getInstance("AES/GCM/NoPadding")
        cipher.init(self._cipher_cls.ENCRYPT_MODE, self._key)  # the keystore picks the IV
        iv = bytes(cipher.getIV())
        return iv + bytes(cipher.doFinal(secret))

    def unwrap(self, blob: bytes) -> bytes:
        from jnius import JavaException

        from wallet_app.reasons import VaultReason
        from wallet_app.storage import VaultError

        iv, ct = blob[:12], blob[12:]
        try:
            spec = self._autoclass("javax.crypto.spec.GCMParameterSpec")(128, iv)
            cipher = self._cipher_cls.getInstance("AES/GCM/NoPadding")
            cipher.init(self._cipher_cls.DECRYPT_MODE, self._key, spec)
            return bytes(cipher.doFinal(ct))
        except JavaException as exc:  # AEADBadTagException, a key invalidated by the system, ...
            raise VaultError(f"the phone's keystore cannot open the wallet key ({exc}): restore the wallet "
                             "from the recovery code", reason=VaultReason.VAULT) from exc


def select_keystore(platform: str | None = None) -> KeyStore | None:
    """The keystore of this platform, or ``None`` (the desktop fallback: PIN-only vault key).

    ``platform`` is Kivy's platform name; by default, "android" when python-for-android's
    environment says so (``ANDROID_ARGUMENT`` or ``P4A_BOOTSTRAP``, the variables Kivy itself
    reads), so Kivy need not be loaded to choose."""
    if platform is None:
        import os

        platform = "android" if ("ANDROID_ARGUMENT" in os.environ or "P4A_BOOTSTRAP" in os.environ) else ""
    if platform != "android":
        return None
    try:
        return AndroidKeyStore()
    except ImportError:
        log.warning("pyjnius is not available: the vault is protected by the PIN alone")
        return None


class DeviceSecret:
    """The 32-byte device secret of one wallet folder, stored wrapped by ``store``."""

    def __init__(self, folder: str | Path, store: KeyStore) -> None:
        self.path = Path(folder) / SECRET_FILE
        self.store = store

    def exists(self) -> bool:
        return self.path.exists()

    def get(self, create: bool = False) -> bytes:
        """Unwrap the secret; with ``create`` (a new vault), make and save it on first use.
        Opening a bound vault never makes a new one: a lost secret is a clear error, not a
        "wrong PIN" for ever."""
        from wallet_app.reasons import VaultReason
        from wallet_app.storage import VaultError

        if self.path.exists():
            secret = self.store.unwrap(self.path.read_bytes())
            if len(secret) != _SECRET_LEN:
                raise VaultError(f"{self.path} does not hold a device secret", reason=VaultReason.CORRUPTED)
            return secret
        if not create:
            raise VaultError("this phone's key for the wallet is gone: restore the wallet from the recovery code",
                             reason=VaultReason.VAULT)
        secret = secrets.token_bytes(_SECRET_LEN)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, self.store.wrap(secret))
        return secret


def platform_vault(config: Any, store: KeyStore | None = None) -> Any:
    """The vault for ``config`` (a :class:`wallet_app.config.WalletConfig`): bound to the
    platform keystore when there is one, else ``None`` (the service makes its PIN-only vault)."""
    from wallet_app.storage import Vault

    store = store if store is not None else select_keystore()
    if store is None:
        return None
    secret = DeviceSecret(config.data_dir, store)
    return Vault(config.data_dir, kdf=config.kdf, policy=config.delay, device_secret=secret.get)
