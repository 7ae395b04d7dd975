"""Pilot configuration: who takes part, how many households, and how people misbehave."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["HOUSEHOLD_VERSION", "PilotConfig"]

#: The household card the pilot issues and its desks ask for: version 2 carries a revocation
#: handle, the default for new rounds (issue 13; field_app.config.DEFAULT_SCHEMA).
HOUSEHOLD_VERSION = 2


@dataclass(frozen=True)
class PilotConfig:
    households: int = 300
    registering_agencies: tuple[str, ...] = ("reg-north", "reg-south")
    program_agencies: tuple[str, ...] = ("wfp-like", "ngo-cash")
    devices_per_agency: int = 2
    online_share: float = 0.15  # presentations verified online (POST /v1/verify) instead of offline
    scope: str = "cva/2026-12/round-1"
    # shares of households that misbehave or are unlucky
    duplicate_share: float = 0.12  # tries to enroll twice (same desk, same agency, other agency)
    tamper_share: float = 0.03  # edits a disclosed value in the QR
    foreign_share: float = 0.02  # shows a payment QR or a web link instead
    unreadable_share: float = 0.02  # cracked screen / finger over the code
    replay_share: float = 0.02  # shows a screenshot of someone's earlier answer
    expired_share: float = 0.03  # credential past its validity (the wallet refuses)
    referral_share: float = 0.15  # honest households referred from the first to the last programme agency
    linkage_share: float = 0.10  # households that register again at the other registering agency, new wallet
    seed: int = 2026
    backend: str | None = None
    service_url: str | None = None
    api_key: str | None = None  # admin key of a running service (with --service-url)
    database_url: str | None = None
    out: Path = field(default_factory=lambda: Path("pilot-output"))
    max_rescans: int = 3

    def validate(self) -> None:
        if self.households < 1:
            raise ValueError("--households must be at least 1")
        shares = (self.duplicate_share, self.tamper_share, self.foreign_share, self.unreadable_share,
                  self.replay_share, self.expired_share, self.online_share)
        if any(not 0 <= s <= 1 for s in (*shares, self.referral_share, self.linkage_share)):
            raise ValueError("shares must be between 0 and 1")
        if sum(shares[:-1]) > 0.9:
            raise ValueError("the misbehaving shares add up to more than 90% of households")
        if not self.registering_agencies or not self.program_agencies or self.devices_per_agency < 1:
            raise ValueError("at least one registering agency, one programme agency and one device each")
        if self.service_url and not self.api_key:
            raise ValueError("--service-url needs --api-key (an admin key of that service)")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["out"] = str(self.out)
        d.pop("api_key")
        return d
