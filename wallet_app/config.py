"""Wallet configuration: where data lives, which service to call, which trust list to trust.

The trust anchor (the trust-list authority's Ed25519 public key) comes from configuration,
never from the network: the wallet accepts a trust list only when it is signed by one of
these keys. Configuration is a small JSON file::

    {"service_url": "https://agency.example", "trust_anchors": ["<64 hex>"],
     "data_dir": "/path/to/private/storage", "backend": null}

read from the path in ``ZKAID_WALLET_CONFIG`` or passed explicitly. Nothing here runs at
import time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from sdk.errors import ZkaidError
from sdk.trust import TrustAnchor
from wallet_app.reasons import WalletReason
from wallet_app.storage import DEFAULT_KDF, DEFAULT_POLICY, DelayPolicy, KdfParams

__all__ = ["ConfigError", "WalletConfig", "default_data_dir"]


def default_data_dir() -> Path:
    """The app's private storage on Android (python-for-android sets ANDROID_PRIVATE),
    else ``$ZKAID_WALLET_HOME`` or ``~/.zkaid-wallet``."""
    private = os.environ.get("ANDROID_PRIVATE")
    if private:
        return Path(private) / "wallet"
    return Path(os.environ.get("ZKAID_WALLET_HOME", "~/.zkaid-wallet")).expanduser()


class ConfigError(ZkaidError):
    default_reason: ClassVar[str] = WalletReason.CONFIG


@dataclass(frozen=True)
class WalletConfig:
    data_dir: Path
    trust_anchors: tuple[TrustAnchor, ...]
    service_url: str | None = None
    backend: str | None = None  # curve backend: None = native when installed, else pure Python
    kdf: KdfParams = DEFAULT_KDF
    delay: DelayPolicy = DEFAULT_POLICY
    timeout: float = 15.0
    languages: tuple[str, ...] = field(default=("en", "fr", "ar"))  # ar: right to left (appkit.ui.rtl)

    def __post_init__(self) -> None:
        if not self.trust_anchors:
            raise ConfigError("the wallet needs at least one trust anchor (trust-list public key)",
                              reason=WalletReason.NO_TRUST_ANCHOR)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None) -> WalletConfig:
        p = Path(path)
        try:
            doc = json.loads(p.read_text("utf-8"))
            anchors = tuple(TrustAnchor(bytes.fromhex(a)) for a in doc["trust_anchors"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"cannot read the wallet configuration {p}: {exc}") from exc
        if any(len(a.public_key) != 32 for a in anchors):
            raise ConfigError("a trust anchor is a 32-byte Ed25519 public key (64 hex digits)")
        base = data_dir if data_dir is not None else doc.get("data_dir")
        if base is None:
            base = default_data_dir()
        return cls(
            data_dir=Path(base).expanduser(), trust_anchors=anchors,
            service_url=doc.get("service_url"), backend=doc.get("backend"),
        )
