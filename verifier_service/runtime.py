"""What a running service holds: settings, the database, the KEK, the clock, and (when the
service signs its own trust list) the trust-list key. Built by ``create_app``, the
``zkaid`` command and :mod:`verifier_service.bootstrap`; never at import time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.errors import TrustListError
from verifier_service.ratelimit import MissLimiter
from verifier_service.registry.db import Store
from verifier_service.registry.migrate import current_revision, head_revision, upgrade
from verifier_service.registry.models import Meta
from verifier_service.services import comparisons as comparison_service
from verifier_service.services import issuance
from verifier_service.services import keys as key_service
from verifier_service.services import log as log_service
from verifier_service.services import referrals as referral_service
from verifier_service.services import trust_list as tl_service
from verifier_service.services.auth import AuthCache
from verifier_service.services.sealing import (
    KEK_CHECK_TEXT,
    KekError,
    Keyring,
    generate_kek_file,
    load_kek,
)
from verifier_service.settings import Settings

__all__ = ["ConfigurationError", "Runtime"]

log = logging.getLogger("zkaid.service")
Clock = Callable[[], int]


class ConfigurationError(Exception):
    """The service cannot start as configured; the message says what to change."""


def _system_clock() -> int:
    return int(time.time())


@dataclass
class Runtime:
    settings: Settings
    store: Store
    keyring: Keyring
    clock: Clock = _system_clock
    signing_key: Ed25519PrivateKey | None = None
    trust_cache: tl_service.TrustListCache = field(default_factory=tl_service.TrustListCache)
    auth_cache: AuthCache = field(default_factory=lambda: AuthCache(0))
    misses: MissLimiter = field(default_factory=lambda: MissLimiter(30))
    log_key: Ed25519PrivateKey | None = None  # signs the registry log's tree heads (sealed in the database)

    def now(self) -> int:
        return int(self.clock())

    @property
    def auto_sign(self) -> bool:
        return self.signing_key is not None

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None, migrate: bool | None = None) -> Runtime:
        """Check the configuration, connect, migrate (unless told not to) and check the KEK."""
        kek = _load_or_create_kek(settings)
        store = Store(
            settings.effective_database_url, pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow, busy_timeout=settings.db_busy_timeout,
            sqlite_synchronous=settings.sqlite_synchronous,
        )
        try:
            if settings.auto_migrate if migrate is None else migrate:
                upgrade(store)
            elif current_revision(store) != head_revision():
                raise ConfigurationError(
                    "the database schema is not up to date: run `zkaid init` (or enable ZKAID_AUTO_MIGRATE)"
                )
            keyring = Keyring(kek)
            _check_kek(store, keyring)
            with store.write() as s:
                log_key = log_service.load_or_create_key(s, keyring)
            signing_key = _load_signing_key(settings)
            pinned = bytes.fromhex(settings.trust_anchor) if settings.trust_anchor else None
            rt = cls(settings, store, keyring, clock or _system_clock, signing_key,
                     tl_service.TrustListCache(pinned), AuthCache(settings.auth_cache_seconds),
                     MissLimiter(settings.public_miss_limit))
            rt.log_key = log_key
            rt._seed()
        except BaseException:
            store.dispose()
            raise
        return rt

    def _seed(self) -> None:
        """The shipped household schemas are always available (v2: with a revocation handle)."""
        for name in ("schemas/household-v1.json", "schemas/household-v2.json"):
            text = resources.files("sdk.credential").joinpath(name).read_text("utf-8")
            with self.store.write() as s:
                key_service.add_schema(s, now=self.now(), definition=text, agency=None, actor="system",
                                       if_missing=True)

    def resign(self, *, force: bool = False, actor: str = "system") -> tl_service.TrustListInfo | None:
        """Re-sign the trust list if this service holds the key (after key changes: force)."""
        if self.signing_key is None:
            return None
        s_ = self.settings
        with self.store.write() as s:
            if force:
                return tl_service.sign(s, self.signing_key, now=self.now(), validity=s_.trust_list_validity,
                                       grace=s_.trust_list_grace, actor=actor)
            return tl_service.sign_if_due(s, self.signing_key, now=self.now(), validity=s_.trust_list_validity,
                                          grace=s_.trust_list_grace, actor=actor)

    def housekeeping(self) -> None:
        with self.store.write() as s:
            purged = issuance.purge_expired(s, self.now())
        if purged:
            log.info("deleted the sealed values of %d expired offers", purged)
        with self.store.write() as s:
            expired, deleted = referral_service.purge(s, self.now())
        if expired or deleted:
            log.info("referrals: %d expired, %d deleted after the retention period", expired, deleted)
        with self.store.write() as s:
            gone = comparison_service.purge(s, self.now())
        if gone:
            log.info("list comparisons: %d deleted after the retention period", gone)
        self.resign()

    def close(self) -> None:
        self.store.dispose()


def _load_or_create_kek(settings: Settings) -> bytes:
    try:
        kek = load_kek(kek=settings.kek.get_secret_value() if settings.kek else None, kek_file=settings.kek_file)
    except KekError as exc:
        raise ConfigurationError(str(exc)) from exc
    if kek is not None:
        if not settings.dev:
            _check_production_kek(kek, settings)
        return kek
    if not settings.dev:
        raise ConfigurationError(
            "no key-encryption key: set ZKAID_KEK_FILE (a file holding base64 of 32 random bytes, "
            "e.g. from `zkaid kek create`) or ZKAID_KEK; or run in dev mode (ZKAID_DEV=1 / --dev), "
            "which generates one in the data folder"
        )
    path = settings.data_dir / "kek"
    if path.exists():
        try:
            kek = load_kek(kek=None, kek_file=path)
        except KekError as exc:
            raise ConfigurationError(str(exc)) from exc
        assert kek is not None
        log.warning("dev mode: using the key-encryption key in %s (not for production)", path)
        return kek
    kek = generate_kek_file(path)
    log.warning("dev mode: generated a key-encryption key in %s (not for production)", path)
    return kek


def _check_production_kek(kek: bytes, settings: Settings) -> None:
    """Outside dev mode the KEK must look like 32 random bytes and must not be the key that
    dev mode (``zkaid init --dev``) wrote into the data folder, next to the database."""
    if len(set(kek)) < 16:  # 32 random bytes have about 30 distinct values; this fails ~never
        raise ConfigurationError(
            "the key-encryption key is not random (all zero or a repeated pattern): create one with "
            "`zkaid kek create --out FILE` and set ZKAID_KEK_FILE"
        )
    dev_file = settings.data_dir / "kek"
    if dev_file.exists():
        try:
            dev_kek = load_kek(kek=None, kek_file=dev_file)
        except KekError:
            dev_kek = None
        if dev_kek == kek:
            raise ConfigurationError(
                f"the key-encryption key is the development key in {dev_file} (written by dev mode, next "
                "to the database): production needs a key kept apart from the data, from "
                "`zkaid kek create --out FILE`"
            )


def _check_kek(store: Store, keyring: Keyring) -> None:
    """The first start stores a value sealed with the KEK; later starts must open it."""
    with store.write() as s:
        row = s.get(Meta, "kek_check")
        if row is None:
            s.add(Meta(key="kek_check", value=keyring.seal(KEK_CHECK_TEXT, "kek-check")))
            return
        try:
            ok = keyring.open(row.value, "kek-check") == KEK_CHECK_TEXT
        except KekError:
            ok = False
        if not ok:
            raise ConfigurationError(
                "the key-encryption key does not match this database (wrong ZKAID_KEK / ZKAID_KEK_FILE?)"
            )


def _load_signing_key(settings: Settings) -> Ed25519PrivateKey | None:
    path = settings.effective_trust_list_key_file
    if path is None:
        return None
    if not path.exists():
        if not settings.dev:
            raise ConfigurationError(f"the trust-list key file {path} does not exist")
        key = tl_service.generate_signing_key(path)
        log.warning("dev mode: generated a trust-list key in %s; anchor %s", path,
                    tl_service.public_key_of(key).hex())
        return key
    try:
        return tl_service.load_signing_key(path)
    except TrustListError as exc:
        raise ConfigurationError(exc.message) from exc
