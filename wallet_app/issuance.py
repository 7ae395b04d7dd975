"""Receiving a card: the offer (scanned or typed as a short code), blind issuance through the
agency service, and the signed trust list that comes with it.
"""

from __future__ import annotations

import re
import secrets
import urllib.parse
from typing import Protocol

from sdk.credential import Schema
from sdk.credential.lifecycle import bind_issuance_request
from sdk.errors import CredentialError, TrustListError, WireError
from sdk.reasons import CredentialReason, TrustReason
from sdk.trust import TrustList, check_update, load_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from wallet_app.cards import CardsSection, CardView
from wallet_app.reasons import WalletReason
from wallet_app.session import WalletError
from wallet_app.state import CardRecord, WalletState

__all__ = ["IssuanceClient", "IssuanceSection", "service_base"]


class IssuanceClient(Protocol):
    """The part of :class:`sdk.client.ServiceClient` the wallet uses (public endpoints)."""

    def trust_list(self, *, if_sequence: int | None = None) -> bytes | None: ...
    def offer_by_code(self, code: str) -> bytes: ...
    def issue(self, issuance_request: bytes) -> bytes: ...


def _default_client(base_url: str, timeout: float) -> IssuanceClient:
    from sdk.client import ServiceClient

    return ServiceClient(base_url, timeout=timeout)


def service_base(endpoint: str) -> str | None:
    """The service address from an offer's endpoint ('https://a.example/v1/issue' ->
    'https://a.example'); None when the offer names none."""
    if not endpoint:
        return None
    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None
    path = parsed.path.rstrip("/")
    for suffix in ("/v1/issue", "/issue"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urllib.parse.urlunparse((parsed.scheme, parsed.netloc, path, "", "", ""))


class IssuanceSection(CardsSection):
    """Offers, issuance and the trust list."""

    def _refresh_trust(self, client: IssuanceClient, state: WalletState) -> TrustList:
        """Fetch a newer list if any; keep ours when the service has nothing newer. A list
        is accepted only when signed by a configured anchor and never rolls back."""
        current = self.trust_list()
        data = client.trust_list(if_sequence=current.sequence if current else None)
        if data is None:
            if current is None:
                raise TrustListError("the service sent no trust list", reason=TrustReason.MALFORMED)
            return current
        fresh = load_trust_list(data, self.config.trust_anchors)
        try:
            check_update(current, fresh)
        except TrustListError:
            assert current is not None  # check_update only refuses when there is a current list
            return current  # keep ours: the service sent an older (or a conflicting) list
        state.trust_list = fresh.signed
        return fresh

    def refresh_trust_list(self) -> None:
        """Update the list of agencies from the configured service (OfflineError when offline)."""
        if not self.config.service_url:
            raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
        new = self._require().copy()
        tl = self._refresh_trust(self._client_factory(self.config.service_url, self.config.timeout), new)
        self._commit(new)
        self._trust = tl

    def receive_code(self, code: str) -> CardView:
        """A credential from a short code typed by the person (needs the configured service)."""
        cleaned = re.sub(r"[^0-9A-Za-z]", "", code)
        if not 4 <= len(cleaned) <= 32:
            raise WalletError("the code looks incomplete", reason=WalletReason.CODE_FORMAT)
        if not self.config.service_url:
            raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
        client = self._client_factory(self.config.service_url, self.config.timeout)
        return self.receive_offer(client.offer_by_code(code), client=client)

    def receive_offer(self, data: bytes, *, client: IssuanceClient | None = None) -> CardView:
        """Scanned offer -> issuance through the service -> verified credential stored.

        Raises OfflineError when the service cannot be reached, ServiceError when it
        refuses (token used or expired), CredentialError when what comes back does not
        verify (nothing is stored then)."""
        state = self._require()
        holder = self._holder
        assert holder is not None
        try:
            offer = decode(data, Offer)
        except WireError as exc:
            raise WalletError("this code is not a card offer", reason=WalletReason.NOT_OFFER) from exc
        if offer.expires <= self.now():
            raise WalletError("this offer has expired: ask for a new one", reason=WalletReason.OFFER_EXPIRED)
        if client is None:
            base = service_base(offer.endpoint) or self.config.service_url
            if not base:
                raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
            client = self._client_factory(base, self.config.timeout)
        new = state.copy()
        trust = self._refresh_trust(client, new)
        trust.require_usable(self.now())
        issuer = trust.issuer(offer.issuer_kid)
        if issuer is None:
            raise CredentialError("the card's issuer is not in the trust list", reason=CredentialReason.UNKNOWN_ISSUER)
        if not issuer.valid_at(self.now()):
            raise CredentialError("the card's issuer key is not valid now", reason=CredentialReason.ISSUER_NOT_VALID)
        sdef = trust.schema(offer.schema_id, offer.schema_version)
        if sdef is None:
            raise CredentialError("the trust list does not describe this kind of card", reason=CredentialReason.UNKNOWN_SCHEMA)
        schema = Schema.from_def(sdef)
        request, pending = holder.start_issuance(offer, issuer)  # the issuer's suite and nym count
        # issue 13: the person binding lets a re-issue keep this person's pseudonyms
        request = bind_issuance_request(request, pending, suite=issuer.suite, backend=self.config.backend)
        issued_bytes = client.issue(encode(request))
        try:
            issued = decode(issued_bytes, IssuedCredential)
        except WireError as exc:
            raise CredentialError("the service sent an unreadable credential", reason=CredentialReason.INVALID_CREDENTIAL) from exc
        cred = holder.finish_issuance(pending, issued, issuer, schema, now=self.now())
        record = CardRecord(secrets.token_hex(8), encode(cred.stored), schema.ref, issuer.name, self.now())
        new.cards.insert(0, record)
        new.schemas[schema.ref] = schema.to_json()
        self._commit(new)
        self._trust = trust
        return self._card_view(record)

