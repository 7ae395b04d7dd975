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

__all__ = ["CBOR", "ServiceClient", "SyncItem"]

CBOR = "application/cbor"
MAX_RESPONSE = 8 * 1024 * 1024


@dataclass(frozen=True)
class SyncItem:
    scope: str
    pseudonym: bytes
    enrolled_at: int


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

    def sync(self, device_id: str, scopes: Sequence[str], cursor: int, enrollments: Sequence[SyncItem]) -> dict[str, Any]:
        out: dict[str, Any] = self._json("POST", "/v1/sync", {
            "device_id": device_id, "scopes": list(scopes), "cursor": cursor,
            "enrollments": [{"scope": e.scope, "pseudonym": e.pseudonym.hex(), "enrolled_at": e.enrolled_at}
                            for e in enrollments],
        })
        return out

    def verify(self, request: bytes, presentation: bytes, *, enroll: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = self._json("POST", "/v1/verify", {
            "request": base64.b64encode(request).decode(), "presentation": base64.b64encode(presentation).decode(),
            "enroll": enroll,
        })
        return out

    def duplicates(self, scope: str | None = None, *, after: int | None = None,
                   limit: int | None = None) -> list[dict[str, Any]]:
        """Duplicate events involving the caller's agency (paged with ``after`` / ``limit``)."""
        params = {k: v for k, v in (("scope", scope), ("after", after), ("limit", limit)) if v is not None}
        q = f"?{urllib.parse.urlencode(params)}" if params else ""
        out: list[dict[str, Any]] = self._json("GET", f"/v1/duplicates{q}")
        return out

    def scope_stats(self, scope: str) -> dict[str, Any]:
        out: dict[str, Any] = self._json("GET", f"/v1/scopes/{urllib.parse.quote(scope, safe='')}/stats")
        return out

    # -- referrals (bytes in, bytes out: sealing and consent live in sdk.referral) ----
    def send_referral(self, submission: bytes) -> dict[str, Any]:
        """Deliver a ReferralSubmission; safe to repeat (the service answers the stored one)."""
        _s, data, _h = self._call("POST", "/v1/referrals", body=submission, content_type=CBOR)
        return self._parse(data)

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
