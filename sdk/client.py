"""The one client of the agency service API (specs/service-api.md), standard library only.

Wallets, field devices, the command line and the pilot all talk to ``verifier_service``
through :class:`ServiceClient`, so there is one place that knows paths, content types and
how errors map to :class:`~sdk.errors.ServiceError` / :class:`~sdk.errors.OfflineError`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sdk.errors import OfflineError, ServiceError
from sdk.reasons import ClientReason

__all__ = ["CBOR", "DuplicateEvent", "ServiceClient", "SyncAnswer", "SyncDuplicate", "SyncItem", "SyncUpdate"]

CBOR = "application/cbor"
MAX_RESPONSE = 8 * 1024 * 1024


# -- the registry sync contract (specs/registry-sync.md) ------------------------------
# One definition of each message, shared by the field app, the pilot and the service (which
# converts its HTTP schema to and from these in one place). Answers are parsed once, here,
# into frozen values: a missing or mistyped field is a ServiceError("bad_response"), never a
# KeyError deep in an app, and nobody guesses field names.

class _Reader:
    """Typed reads from one JSON object of an answer; every failure is a bad_response."""

    def __init__(self, data: object, what: str) -> None:
        if not isinstance(data, Mapping):
            raise _bad(f"{what} is not an object")
        self.data, self.what = data, what

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(f"{self.what}.{name} is not a non-negative integer")
        return value

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str):
            raise _bad(f"{self.what}.{name} is not a string")
        return value

    def hexbytes(self, name: str) -> bytes:
        try:
            return bytes.fromhex(self.text(name))
        except ValueError:
            raise _bad(f"{self.what}.{name} is not hex") from None

    def items(self, name: str) -> list[object]:
        value = self.data.get(name, [])
        if not isinstance(value, list):
            raise _bad(f"{self.what}.{name} is not a list")
        return value


def _bad(detail: str) -> ServiceError:
    return ServiceError(f"the service sent an unexpected answer ({detail})", reason=ClientReason.BAD_RESPONSE)


@dataclass(frozen=True)
class SyncItem:
    """One enrollment a device uploads."""

    scope: str
    pseudonym: bytes
    enrolled_at: int

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "pseudonym": self.pseudonym.hex(), "enrolled_at": self.enrolled_at}


@dataclass(frozen=True)
class SyncDuplicate:
    """An uploaded enrollment whose pseudonym another enrollment in the scope came before."""

    scope: str
    pseudonym: bytes
    first_agency: str
    first_enrolled_at: int
    your_enrolled_at: int

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "pseudonym": self.pseudonym.hex(), "first_agency": self.first_agency,
                "first_enrolled_at": self.first_enrolled_at, "your_enrolled_at": self.your_enrolled_at}

    @classmethod
    def from_json(cls, data: object) -> SyncDuplicate:
        r = _Reader(data, "duplicate")
        return cls(r.text("scope"), r.hexbytes("pseudonym"), r.text("first_agency"), r.integer("first_enrolled_at"),
                   r.integer("your_enrolled_at"))


@dataclass(frozen=True)
class SyncUpdate:
    """An enrollment made elsewhere (another device or agency) that the device did not have."""

    scope: str
    pseudonym: bytes
    agency: str
    enrolled_at: int

    def to_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "pseudonym": self.pseudonym.hex(), "agency": self.agency,
                "enrolled_at": self.enrolled_at}

    @classmethod
    def from_json(cls, data: object) -> SyncUpdate:
        r = _Reader(data, "update")
        return cls(r.text("scope"), r.hexbytes("pseudonym"), r.text("agency"), r.integer("enrolled_at"))


@dataclass(frozen=True)
class SyncAnswer:
    """The answer to ``POST /v1/sync``."""

    accepted: int
    replayed: int
    duplicates: tuple[SyncDuplicate, ...]
    updates: tuple[SyncUpdate, ...]
    cursor: int
    log_size: int = 0  # size of the registry's log after this sync
    log_indexes: tuple[int, ...] = ()  # log entry of each accepted enrollment, in upload order

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "replayed": self.replayed,
                "duplicates": [d.to_json() for d in self.duplicates],
                "updates": [u.to_json() for u in self.updates], "cursor": self.cursor,
                "log_size": self.log_size, "log_indexes": list(self.log_indexes)}

    @classmethod
    def from_json(cls, data: object) -> SyncAnswer:
        r = _Reader(data, "sync answer")
        indexes = r.items("log_indexes")
        if any(isinstance(i, bool) or not isinstance(i, int) for i in indexes):
            raise _bad("sync answer.log_indexes holds a non-integer")
        return cls(
            accepted=r.integer("accepted"), replayed=r.integer("replayed", 0),
            duplicates=tuple(SyncDuplicate.from_json(d) for d in r.items("duplicates")),
            updates=tuple(SyncUpdate.from_json(u) for u in r.items("updates")),
            cursor=r.integer("cursor"), log_size=r.integer("log_size", 0),
            log_indexes=tuple(i for i in indexes if isinstance(i, int)),
        )


@dataclass(frozen=True)
class DuplicateEvent:
    """A duplicate the registry recorded (``GET /v1/duplicates``): the same person enrolled
    in one scope by two agencies (or twice by one). ``source`` is "enroll" or "sync"."""

    id: int
    scope: str
    pseudonym: bytes
    first_agency: str
    first_enrolled_at: int
    second_agency: str
    second_enrolled_at: int
    detected_at: int
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "scope": self.scope, "pseudonym": self.pseudonym.hex(),
                "first_agency": self.first_agency, "first_enrolled_at": self.first_enrolled_at,
                "second_agency": self.second_agency, "second_enrolled_at": self.second_enrolled_at,
                "detected_at": self.detected_at, "source": self.source}

    @classmethod
    def from_json(cls, data: object) -> DuplicateEvent:
        r = _Reader(data, "duplicate event")
        return cls(r.integer("id"), r.text("scope"), r.hexbytes("pseudonym"), r.text("first_agency"),
                   r.integer("first_enrolled_at"), r.text("second_agency"), r.integer("second_enrolled_at"),
                   r.integer("detected_at"), r.text("source"))


class ServiceClient:
    """Typed calls to one agency service. ``api_key`` is needed for non-public calls."""

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 10.0) -> None:
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ServiceError(f"not a service address: {base_url!r}", reason=ClientReason.BAD_URL)
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ServiceClient({self.base_url!r})"

    # -- plumbing ---------------------------------------------------------------
    def _call(self, method: str, path: str, *, body: bytes | None = None, content_type: str | None = None,
              accept: str = "application/json", auth: bool = True,
              headers: Mapping[str, str] | None = None) -> tuple[int, bytes, Mapping[str, str]]:
        req = urllib.request.Request(self.base_url + path, data=body, method=method)
        req.add_header("Accept", accept)
        if content_type:
            req.add_header("Content-Type", content_type)
        if auth and self._api_key:
            req.add_header("Authorization", f"Bearer {self._api_key}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read(MAX_RESPONSE + 1)[:MAX_RESPONSE], dict(resp.headers)
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return 304, b"", dict(exc.headers)
            raise _problem(exc) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise OfflineError(
                f"no connection to the agency service at {self.base_url}: try again when online",
                reason=ClientReason.OFFLINE,
            ) from exc

    def _json(self, method: str, path: str, payload: Any = None, *, auth: bool = True) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        _status, data, _h = self._call(method, path, body=body, content_type="application/json" if body else None,
                                       auth=auth)
        try:
            return json.loads(data) if data else None
        except ValueError as exc:
            raise ServiceError("the service sent an unreadable answer", reason=ClientReason.BAD_RESPONSE) from exc

    def request_json(self, method: str, path: str, payload: Any = None) -> Any:
        """Any JSON endpoint of the API (administration, for example): parsed JSON or None."""
        if not path.startswith("/v1/"):
            raise ServiceError("API paths start with /v1/", reason=ClientReason.BAD_PATH)
        return self._json(method, path, payload)

    def post_cbor(self, path: str, body: bytes) -> Any:
        """POST a CBOR body to a JSON-answering endpoint (list-comparison uploads)."""
        if not path.startswith("/v1/"):
            raise ServiceError("API paths start with /v1/", reason=ClientReason.BAD_PATH)
        _status, data, _h = self._call("POST", path, body=body, content_type="application/cbor")
        try:
            return json.loads(data) if data else None
        except ValueError as exc:
            raise ServiceError("the service sent an unreadable answer", reason=ClientReason.BAD_RESPONSE) from exc

    # -- public -----------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        out: dict[str, Any] = self._json("GET", "/v1/health", auth=False)
        return out

    def trust_list(self, *, if_sequence: int | None = None) -> bytes | None:
        """The signed trust list bytes, or None when the service has nothing newer."""
        headers = {"If-None-Match": f'"{if_sequence}"'} if if_sequence is not None else None
        status, data, _h = self._call("GET", "/v1/trust-list", accept=CBOR, auth=False, headers=headers)
        return None if status == 304 else data

    def revocations(self, scope: str, *, if_sequence: int | None = None) -> bytes | None:
        """The signed revocation update for ``scope`` (specs/revocation.md), or None when
        the service has nothing newer than ``if_sequence``."""
        headers = {"If-None-Match": f'"{if_sequence}"'} if if_sequence is not None else None
        path = "/v1/revocations?" + urllib.parse.urlencode({"scope": scope})
        status, data, _h = self._call("GET", path, accept=CBOR, auth=False, headers=headers)
        return None if status == 304 else data

    def offer_by_code(self, code: str) -> bytes:
        clean = urllib.parse.quote(code.strip().upper(), safe="")
        return self._call("GET", f"/v1/offers/{clean}", accept=CBOR, auth=False)[1]

    def issue(self, issuance_request: bytes) -> bytes:
        return self._call("POST", "/v1/issue", body=issuance_request, content_type=CBOR, accept=CBOR, auth=False)[1]

    # -- registrar --------------------------------------------------------------
    def create_offer(self, schema_ref: str, values: Mapping[str, Any], *, reissue_of: str | None = None) -> dict[str, Any]:
        vals = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
        out: dict[str, Any] = self._json("POST", "/v1/offers", {"schema": schema_ref, "values": vals,
                                                                "reissue_of": reissue_of})
        return out

    def revoke_card(self, credential_id: str, reason: str) -> dict[str, Any]:
        """Withdraw one card (registrar of the issuing agency); devices refuse it after
        their next sync."""
        cid = urllib.parse.quote(credential_id, safe="")
        out: dict[str, Any] = self._json("POST", f"/v1/cards/{cid}/revoke", {"reason": reason})
        return out

    def card_status(self, credential_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self._json("GET", f"/v1/cards/{urllib.parse.quote(credential_id, safe='')}")
        return out

    # -- field devices ----------------------------------------------------------
    def enroll(self, scope: str, pseudonym: bytes) -> dict[str, Any]:
        out: dict[str, Any] = self._json("POST", "/v1/enrollments", {"scope": scope, "pseudonym": pseudonym.hex()})
        return out

    def sync(self, device_id: str, scopes: Sequence[str], cursor: int, enrollments: Sequence[SyncItem]) -> SyncAnswer:
        """Upload enrollments and fetch the others' after ``cursor`` (one page)."""
        return SyncAnswer.from_json(self._json("POST", "/v1/sync", {
            "device_id": device_id, "scopes": list(scopes), "cursor": cursor,
            "enrollments": [e.to_json() for e in enrollments],
        }))

    def verify(self, request: bytes, presentation: bytes, *, enroll: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = self._json("POST", "/v1/verify", {
            "request": base64.b64encode(request).decode(), "presentation": base64.b64encode(presentation).decode(),
            "enroll": enroll,
        })
        return out

    def duplicates(self, scope: str | None = None, *, after: int | None = None,
                   limit: int | None = None) -> list[DuplicateEvent]:
        """Duplicate events involving the caller's agency (paged with ``after`` / ``limit``)."""
        params = {k: v for k, v in (("scope", scope), ("after", after), ("limit", limit)) if v is not None}
        q = f"?{urllib.parse.urlencode(params)}" if params else ""
        events = self._json("GET", f"/v1/duplicates{q}")
        if not isinstance(events, list):
            raise _bad("the duplicate events are not a list")
        return [DuplicateEvent.from_json(e) for e in events]

    def scope_stats(self, scope: str) -> dict[str, Any]:
        out: dict[str, Any] = self._json("GET", f"/v1/scopes/{urllib.parse.quote(scope, safe='')}/stats")
        return out

    # -- referrals (bytes in, bytes out: sealing and consent live in sdk.referral) ----
    def send_referral(self, submission: bytes) -> dict[str, Any]:
        """Deliver a ReferralSubmission; safe to repeat (the service answers the stored one)."""
        _s, data, _h = self._call("POST", "/v1/referrals", body=submission, content_type=CBOR)
        return self._parse(data)

    def send_referrals(self, batch: bytes) -> list[dict[str, Any]]:
        """Deliver a ReferralBatch; one result per submission (``referral`` or ``reason``)."""
        _s, data, _h = self._call("POST", "/v1/referrals/batch", body=batch, content_type=CBOR)
        results = self._parse(data).get("results")
        if not isinstance(results, list):
            raise ServiceError("the service sent an unexpected answer", reason=ClientReason.BAD_RESPONSE)
        return results

    def referrals(self, *, box: str = "inbox", status: str | None = None, pseudonym: bytes | None = None,
                  since: int | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("box", box), ("status", status), ("since", since),
                                    ("pseudonym", pseudonym.hex() if pseudonym else None)) if v is not None}
        out: list[dict[str, Any]] = self._json("GET", f"/v1/referrals?{urllib.parse.urlencode(params)}")
        return out

    def referral(self, referral_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self._json("GET", f"/v1/referrals/{_hex_id(referral_id)}")
        return out

    def referral_sealed(self, referral_id: str) -> bytes:
        return self._call("GET", f"/v1/referrals/{_hex_id(referral_id)}/sealed", accept=CBOR)[1]

    def referral_status(self, referral_id: str, status: str) -> dict[str, Any]:
        out: dict[str, Any] = self._json("POST", f"/v1/referrals/{_hex_id(referral_id)}/status", {"status": status})
        return out

    def withdraw_referral(self, referral_id: str, withdrawal: bytes) -> dict[str, Any]:
        _s, data, _h = self._call("POST", f"/v1/referrals/{_hex_id(referral_id)}/withdraw", body=withdrawal,
                                  content_type=CBOR, auth=False)
        return self._parse(data)

    @staticmethod
    def _parse(data: bytes) -> dict[str, Any]:
        try:
            out = json.loads(data) if data else {}
        except ValueError as exc:
            raise ServiceError("the service sent an unreadable answer", reason=ClientReason.BAD_RESPONSE) from exc
        if not isinstance(out, dict):
            raise ServiceError("the service sent an unexpected answer", reason=ClientReason.BAD_RESPONSE)
        return out


def _hex_id(referral_id: str) -> str:
    if len(referral_id) != 32 or any(c not in "0123456789abcdef" for c in referral_id):
        raise ServiceError("a referral id is 32 lower-case hex characters", reason=ClientReason.BAD_REFERRAL_ID)
    return referral_id


def _problem(exc: urllib.error.HTTPError) -> ServiceError:
    """RFC 9457 problem details -> ServiceError with the service's reason code."""
    detail: dict[str, Any] = {}
    try:
        raw = exc.read(65536)
        parsed = json.loads(raw) if raw else {}
        if isinstance(parsed, dict):
            detail = parsed
    except (ValueError, OSError):
        detail = {}
    reason = str(detail.get("reason") or ClientReason.HTTP_ERROR)  # the service's own code, unchanged
    text = str(detail.get("detail") or detail.get("title") or exc.reason or "error")
    return ServiceError(f"the agency service refused: {text}", reason=reason, status=exc.code, detail=detail)
