"""The data stewards seen from a registrar: their configuration and a threshold evaluator.

Each steward (an agency's service instance) holds one share of the OPRF key that makes
match records (specs/linkage.md). A registrar loads the stewards' configuration file (the
public key, the threshold t and each steward's address and public share: this file, not
what a steward says about itself, is what the registrar trusts), blinds its inputs once,
asks stewards until t have answered, checks every answer's DLEQ proof against that
steward's public share and combines them (:func:`sdk.linkage.oprf.finalize`).

A steward whose proof fails is refused by name (:class:`StewardAnswerError`); it is never
silently replaced by another, because a wrong answer is an incident to report. Fewer than
t reachable stewards raise :class:`TooFewStewardsError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sdk.client import ServiceClient
from sdk.errors import EncodingError, OfflineError, ParameterError, ServiceError
from sdk.linkage.oprf import StewardAnswer, StewardProofError, blind, deal_shares, finalize
from sdk.reasons import LinkageReason

__all__ = [
    "ShareFile",
    "Steward",
    "StewardAnswerError",
    "StewardConfig",
    "StewardEvaluator",
    "TooFewStewardsError",
    "deal",
    "steward_key_id",
]

CONFIG_VERSION = 1


class StewardAnswerError(StewardProofError):
    """A steward's answer failed its DLEQ proof (or was malformed): it is refused, by name
    (``steward`` is its index, ``url`` its address)."""

    def __init__(self, message: str, *, steward: int, url: str, reason: str | None = None) -> None:
        super().__init__(message, steward=steward, reason=reason)
        self.url = url


class TooFewStewardsError(ServiceError):
    """Fewer than t stewards answered: nothing can be encoded (no single party can)."""

    default_reason: ClassVar[str] = LinkageReason.TOO_FEW_STEWARDS


def steward_key_id(public_key: bytes) -> str:
    """Short id of a steward key (a dealing): 8 bytes of SHA-256, hex."""
    return hashlib.sha256(b"zkaid/linkage/steward-key/v1" + public_key).hexdigest()[:16]


@dataclass(frozen=True)
class Steward:
    index: int
    url: str
    public_share: bytes
    name: str = ""


@dataclass(frozen=True)
class StewardConfig:
    """The public steward configuration that registrars load."""

    public_key: bytes
    threshold: int
    stewards: tuple[Steward, ...]

    @property
    def key_id(self) -> str:
        return steward_key_id(self.public_key)

    def to_json(self) -> str:
        return json.dumps({
            "version": CONFIG_VERSION, "key_id": self.key_id, "public_key": self.public_key.hex(),
            "threshold": self.threshold,
            "stewards": [{"index": s.index, "name": s.name, "url": s.url, "public_share": s.public_share.hex()}
                         for s in self.stewards],
        }, indent=2)

    @classmethod
    def from_json(cls, text: str) -> StewardConfig:
        try:
            d = json.loads(text)
            if not isinstance(d, dict) or d.get("version") != CONFIG_VERSION:
                raise ValueError(f"version {d.get('version') if isinstance(d, dict) else None!r} is not {CONFIG_VERSION}")
            stewards = tuple(Steward(int(s["index"]), str(s["url"]), bytes.fromhex(s["public_share"]),
                                     str(s.get("name", ""))) for s in d["stewards"])
            cfg = cls(bytes.fromhex(d["public_key"]), int(d["threshold"]), stewards)
        except (ValueError, KeyError, TypeError) as exc:
            raise EncodingError(f"not a steward configuration: {exc}", reason=LinkageReason.BAD_STEWARD_CONFIG) from exc
        if "key_id" in d and d["key_id"] != cfg.key_id:
            raise EncodingError("the steward configuration's key_id does not match its public key",
                                reason=LinkageReason.BAD_STEWARD_CONFIG)
        indexes = [s.index for s in stewards]
        if len(set(indexes)) != len(indexes) or not 1 <= cfg.threshold <= len(stewards):
            raise EncodingError("the steward configuration needs distinct indexes and 1 <= threshold <= stewards",
                                reason=LinkageReason.BAD_STEWARD_CONFIG)
        return cfg

    @classmethod
    def load(cls, path: Path) -> StewardConfig:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise EncodingError(f"cannot read the steward configuration {path}: {exc}",
                                reason=LinkageReason.BAD_STEWARD_CONFIG) from exc
        return cls.from_json(text)


@dataclass(frozen=True)
class ShareFile:
    """One steward's share as the dealer hands it over (secret: carry it by hand, import it
    with ``zkaid steward init --share``, then destroy the file)."""

    index: int
    threshold: int
    stewards: int
    public_key: bytes
    share: bytes

    def to_json(self) -> str:
        return json.dumps({"zkaid_steward_share": 1, "key_id": steward_key_id(self.public_key), "index": self.index,
                           "threshold": self.threshold, "stewards": self.stewards,
                           "public_key": self.public_key.hex(), "share": base64.b64encode(self.share).decode()})

    @classmethod
    def from_json(cls, text: str) -> ShareFile:
        try:
            d = json.loads(text)
            if not isinstance(d, dict) or d.get("zkaid_steward_share") != 1:
                raise ValueError("not a zkaid steward share file")
            return cls(int(d["index"]), int(d["threshold"]), int(d["stewards"]), bytes.fromhex(d["public_key"]),
                       base64.b64decode(d["share"], validate=True))
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise EncodingError(f"not a steward share file: {exc}", reason=LinkageReason.BAD_SHARE_FILE) from exc


def deal(threshold: int, urls: Sequence[str], *, names: Sequence[str] | None = None,
         rng: Callable[[int], bytes] | None = None) -> tuple[StewardConfig, list[ShareFile]]:
    """A new steward key split t-of-n among the stewards at ``urls`` (run by a dealer on an
    offline machine; the dealer forgets the key when this returns)."""
    n = len(urls)
    if not 1 <= threshold <= n:
        raise ParameterError(f"the threshold must be between 1 and the number of stewards ({n})")
    public_key, shares = deal_shares(threshold, n, rng)
    names = list(names) if names is not None else [""] * n
    stewards = tuple(Steward(sh.index, url, sh.public_share, name) for sh, url, name in zip(shares, urls, names,
                                                                                          strict=True))
    files = [ShareFile(sh.index, threshold, n, public_key, sh.to_bytes()) for sh in shares]
    return StewardConfig(public_key, threshold, stewards), files


class StewardEvaluator:
    """``(inputs) -> outputs``: the threshold OPRF through t stewards over HTTP.

    ``api_keys`` maps a steward index to the registrar's key at that steward (one key for
    all when a single string is given)."""

    def __init__(self, config: StewardConfig, api_keys: str | dict[int, str], *, timeout: float = 10.0,
                 batch: int = 4096, clients: dict[int, ServiceClient] | None = None) -> None:
        if batch < 1:
            raise ParameterError("batch must be at least 1")
        self.config = config
        self.batch = batch
        self._clients = clients or {
            s.index: ServiceClient(s.url, api_keys if isinstance(api_keys, str) else api_keys.get(s.index),
                                   timeout=timeout)
            for s in config.stewards
        }
        self.round_trips = 0

    def _ask(self, steward: Steward, blinded: list[bytes]) -> StewardAnswer:
        out = self._clients[steward.index].request_json("POST", "/v1/linkage/oprf", {
            "blinded": [b.hex() for b in blinded], "key_id": self.config.key_id})
        self.round_trips += 1
        try:
            if int(out["index"]) != steward.index:
                raise ValueError(f"it answers as steward {out['index']}")
            return StewardAnswer.from_bytes(base64.b64decode(str(out["answer"]), validate=True))
        except (KeyError, TypeError, ValueError, binascii.Error, EncodingError) as exc:
            raise StewardAnswerError(f"steward {steward.index} ({steward.url}) sent an unreadable answer: {exc}",
                                     steward=steward.index, url=steward.url) from exc

    def __call__(self, inputs: list[bytes]) -> list[bytes]:
        if not inputs:
            return []
        if len(inputs) > self.batch:  # one blinding, one round trip per steward and per batch
            return [y for i in range(0, len(inputs), self.batch) for y in self(inputs[i:i + self.batch])]
        t = self.config.threshold
        state, blinded = blind(inputs)
        answers: list[tuple[Steward, StewardAnswer]] = []
        unreachable: list[str] = []
        for steward in self.config.stewards:
            if len(answers) == t:
                break
            try:
                answers.append((steward, self._ask(steward, blinded)))
            except OfflineError:
                unreachable.append(f"{steward.index} ({steward.url})")
            except ServiceError as exc:
                if exc.reason in ("not_a_steward", "steward_key_mismatch", "too_many_requests", "busy"):
                    unreachable.append(f"{steward.index} ({steward.url}: {exc.reason})")
                    continue
                raise
        if len(answers) < t:
            raise TooFewStewardsError(
                f"only {len(answers)} of the {t} stewards needed answered; unavailable: "
                f"{', '.join(unreachable) or 'none'}. Nothing was encoded: try again when they are back",
                reason=LinkageReason.TOO_FEW_STEWARDS)
        shares = {s.index: s.public_share for s in self.config.stewards}
        try:
            return finalize(state, [a for _, a in answers], shares, t)
        except StewardProofError as exc:  # finalize checks every proof before combining
            url = next((s.url for s, _ in answers if s.index == exc.steward), "?")
            raise StewardAnswerError(
                f"steward {exc.steward} ({url}) sent an answer that fails its proof: it is refused; "
                "report it to the steward group", steward=exc.steward, url=url) from exc

    def __repr__(self) -> str:
        return f"StewardEvaluator(key {self.config.key_id}, t={self.config.threshold})"
