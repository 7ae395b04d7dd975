"""Service configuration, read from the environment (prefix ``ZKAID_``) by pydantic-settings.

Nothing here is read at import time: :class:`Settings` is built by whoever starts the
service (``create_app(Settings())``, the ``zkaid`` command, tests, the pilot), and keyword
arguments win over the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

DAY = 86400


class Settings(BaseSettings):
    """Everything an operator can set. See docs/service.md for the meaning of each."""

    model_config = SettingsConfigDict(
        env_prefix="ZKAID_", populate_by_name=True, extra="ignore", frozen=True,
    )

    # -- storage ------------------------------------------------------------------
    data_dir: Path = Field(
        default=Path("zkaid-data"),
        description="Folder for the embedded SQLite database and, in dev mode, generated keys.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ZKAID_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; PostgreSQL as postgresql+psycopg://... Default: SQLite in data_dir.",
    )
    sqlite_synchronous: str = Field(
        default="FULL", description="SQLite PRAGMA synchronous in WAL mode (FULL or NORMAL)."
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    db_busy_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for a lock.")
    auto_migrate: bool = Field(default=True, description="Apply migrations when the app starts.")

    # -- secrets ------------------------------------------------------------------
    kek: SecretStr | None = Field(
        default=None, description="Key-encryption key: base64 of 32 bytes (prefer kek_file)."
    )
    kek_file: Path | None = Field(default=None, description="File holding the base64 KEK.")
    dev: bool = Field(
        default=False,
        description="Development mode: generate a KEK and a trust-list key in data_dir if missing.",
    )
    trust_list_key_file: Path | None = Field(
        default=None,
        description="Ed25519 trust-list key (PEM or raw base64). When set, the service re-signs "
        "the trust list itself whenever keys change. Dev mode defaults it to data_dir.",
    )
    trust_anchor: str | None = Field(
        default=None,
        description="Hex Ed25519 public key the service pins to verify its own trust list.",
    )

    # -- protocol -----------------------------------------------------------------
    public_url: str | None = Field(
        default=None,
        description="Base URL wallets use to reach this service (put in offers). Required outside "
        "dev mode (offers are refused without it); dev mode falls back to the request's URL.",
    )
    offer_ttl: int = Field(default=DAY, ge=60, le=30 * DAY)
    issuer_key_lifetime: int = Field(default=2 * 365 * DAY, ge=DAY)
    verifier_key_lifetime: int = Field(default=365 * DAY, ge=DAY)
    trust_list_validity: int = Field(default=DAY, ge=60, description="next_update - issued_at.")
    trust_list_grace: int = Field(default=7 * DAY, ge=0)
    trust_list_check_interval: float = Field(
        default=60.0, gt=0,
        description="Housekeeping period: purge expired offers, re-sign a self-signed trust list when due.",
    )
    range_params: bool = Field(default=True, description="New issuer keys publish range parameters.")
    referral_retention: int = Field(
        default=90 * DAY, ge=DAY, le=10 * 365 * DAY,
        description="Referrals are deleted this long after they are sent (their content earlier: when "
        "withdrawn, expired, declined or completed). A referral may not last longer.",
    )
    referral_key_lifetime: int = Field(default=365 * DAY, ge=DAY, description="Default validity of a referral key.")

    auth_cache_seconds: float = Field(
        default=5.0, ge=0, le=300,
        description="How long a checked API key is remembered (0: check every request). Every request "
        "still reads the key generation, so a revocation through any worker or host takes effect at once.",
    )

    public_miss_limit: int = Field(
        default=30, ge=1,
        description="Unknown offer codes / tokens one client address may try per minute before 429.",
    )

    # -- person linkage (issue 14) --------------------------------------------------
    linkage_check_limit: int = Field(
        default=120, ge=1, description="Registration checks one registrar key may run per minute before 429.")
    linkage_oprf_limit: int = Field(
        default=600, ge=1, description="Steward OPRF requests one key may send per minute before 429.")
    linkage_oprf_max_batch: int = Field(
        default=8192, ge=1, le=10_000, description="Blinded elements per steward OPRF request.")
    linkage_match_threshold: float = Field(
        default=0.9, gt=0, le=1, description="Match-record similarity (sdk.linkage.compare) at or above "
        "which a check reports a possible match.")
    linkage_min_shared_keys: int = Field(
        default=2, ge=0, le=8, description="Exact keys in common that make a possible match whatever the "
        "similarity (each key already combines several fields); 0 turns the rule off.")
    linkage_compare_limit: int = Field(
        default=600, ge=1, description="Requests one key may send per minute to the list-comparison routes "
        "before 429 (an upload of 200,000 rows takes 100).")
    linkage_compare_batch: int = Field(
        default=2000, ge=1, le=10_000, description="Match records per upload request of a list comparison.")
    linkage_compare_max_rows: int = Field(
        default=200_000, ge=1, le=5_000_000, description="Rows one agency may upload to one list comparison.")
    linkage_compare_max_open: int = Field(
        default=20, ge=1, description="List comparisons one agency may have open (not yet matched) at once.")
    linkage_compare_retention: int = Field(
        default=7 * DAY, ge=3600, le=90 * DAY, description="A list comparison and everything uploaded to it "
        "is deleted this long after it was opened, fetched or not.")

    # -- limits -------------------------------------------------------------------
    max_cbor_body: int = Field(default=64 * 1024, ge=1024)
    max_json_body: int = Field(default=256 * 1024, ge=1024)
    max_sync_body: int = Field(default=1024 * 1024, ge=1024)
    body_timeout: float = Field(
        default=30.0, gt=0, le=600,
        description="Seconds a client has to send a whole request body; a stalled upload gets 408.",
    )
    sync_max_items: int = Field(default=5000, ge=1, le=100_000)
    sync_page_size: int = Field(default=1000, ge=1, le=10_000)
    max_enrollment_skew: int = Field(
        default=DAY, ge=0, description="How far in the future a device's enrolled_at may be."
    )

    # -- server -------------------------------------------------------------------
    host: str = "127.0.0.1"
    allow_plain_http: bool = Field(
        default=False,
        description="Outside dev mode, `zkaid serve` refuses plain HTTP on a non-loopback address unless "
        "this is set (TLS is terminated by a reverse proxy in front) or a TLS certificate is given.",
    )
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "info"

    @field_validator("sqlite_synchronous")
    @classmethod
    def _sync_mode(cls, v: str) -> str:
        v = v.upper()
        if v not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError("sqlite_synchronous must be FULL, NORMAL or EXTRA")
        return v

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'registry.sqlite3').resolve()}"

    @property
    def effective_trust_list_key_file(self) -> Path | None:
        if self.trust_list_key_file is not None:
            return self.trust_list_key_file
        return self.data_dir / "trust-list.key" if self.dev else None
