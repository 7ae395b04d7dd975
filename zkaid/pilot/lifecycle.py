"""Pilot phase "lifecycle" (issue 13): lost phones, revoked cards and expired cards, on the
real service and a real field device, in a round of their own (``<scope>/lifecycle``).

- honest lost phones: the wallet is restored from its recovery code and the registrar
  re-issues; the new card shows the same pseudonym, so the person is not enrolled twice;
- dishonest ones ("keep the old phone"): the registrar re-issues to a new wallet; the old
  card is revoked at once and the new one may not enroll in this round, whether or not the
  old card had enrolled: after one sync the device refuses both;
- revoked cards (stolen): the registrar revokes, the device syncs once, then checks offline
  and refuses the card with a reason it has words for;
- expired cards: the default request proves ``valid_until >= today``; the wallet cannot
  answer it and nothing is enrolled.

Counts go to ``report.phases["lifecycle"]``, invariants to ``report.phase_invariants``.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdk.client import ServiceClient
from sdk.credential import (
    Credential,
    Holder,
    WalletSeed,
    household_schema,
    read_request,
)
from sdk.credential.lifecycle import bind_issuance_request
from sdk.errors import CredentialError, ServiceError
from sdk.trust import TrustAnchor, load_trust_list
from sdk.wire import IssuedCredential, Offer, decode, encode
from zkaid.pilot.report import PilotReport

__all__ = ["run_lifecycle"]

V2 = "org.zkaid.household@2"


@dataclass
class Card:
    holder: Holder
    credential: Credential
    credential_id: str
    seed: WalletSeed


class _Round:
    """The lifecycle round: a registrar, a field device and the public API."""

    def __init__(self, url: str, anchor: bytes, registrar: ServiceClient, device: Any, backend: str | None,
                 today: dt.date) -> None:
        self.url, self.anchor, self.registrar, self.device = url, anchor, registrar, device
        self.public = ServiceClient(url)
        self.backend = backend
        self.today = today
        self.schema = household_schema(2)

    def values(self, rng: random.Random, *, expired: bool = False) -> dict[str, Any]:
        until = self.today - dt.timedelta(days=rng.randint(1, 90)) if expired else \
            self.today + dt.timedelta(days=rng.randint(60, 700))
        return {"household_size": rng.randint(1, 9), "head_birth_date": dt.date(rng.randint(1940, 1995), 5, 1),
                "region": rng.choice(["north", "south", "east", "west", "central"]), "vulnerability": "none",
                "registration_date": self.today - dt.timedelta(days=30), "valid_until": until}

    def issue(self, seed: WalletSeed, values: dict[str, Any], *, reissue_of: str | None = None) -> Card:
        made = self.registrar.create_offer(V2, values, reissue_of=reissue_of)
        offer = decode(base64.b64decode(made["offer"]), Offer)
        tl = load_trust_list(self.public.trust_list() or b"", [TrustAnchor(self.anchor)])
        entry = tl.issuer(offer.issuer_kid)
        assert entry is not None
        holder = Holder(seed, backend=self.backend)
        req, pending = holder.start_issuance(offer, entry)
        req = bind_issuance_request(req, pending, suite=entry.suite, backend=self.backend)
        issued = decode(self.public.issue(encode(req)), IssuedCredential)
        return Card(holder, holder.finish_issuance(pending, issued, entry, self.schema), made["credential_id"], seed)

    def present(self, card: Card) -> Any:
        """The person scans the device's request and answers; the device checks offline.
        Returns the device's Result, or the wallet's CredentialError when it cannot answer."""
        issued = self.device.new_request()
        tl = self.device.trust_list
        now = int(time.time())
        rr = read_request(issued.data, tl, now=now)
        try:
            pres = card.holder.present(card.holder.assess(rr, [card.credential], tl, now=now))
        except CredentialError as exc:
            return exc
        return self.device.check(pres)


def _setup(url: str, admin_keys: dict[str, str], registrar_keys: dict[str, str], agency_ids: dict[str, str],
           program_agency: str, scope: str, workdir: Path, backend: str | None) -> tuple[Any, ServiceClient, bytes]:
    from field_app.config import FieldConfig, RequestTemplate
    from field_app.service import FieldService

    registering = next(iter(registrar_keys))
    ServiceClient(url, admin_keys[registering]).request_json(
        "POST", "/v1/admin/issuer-keys", {"name": f"{registering} registration (cards with a handle)", "schemas": [V2]})
    admin = ServiceClient(url, admin_keys[program_agency])
    admin.request_json("POST", "/v1/admin/scopes", {"scope": scope})
    device = FieldService(workdir / "devices" / "lifecycle-desk", backend=backend)
    vk = device.create_verifier_key()
    admin.request_json("POST", "/v1/admin/devices", {"device_id": "lifecycle-desk",
                                                      "verifier_public_key": vk.public_key.hex()})
    api_key = admin.request_json("POST", "/v1/admin/api-keys",
                                 {"role": "field_device", "device_id": "lifecycle-desk"})["api_key"]
    operator = admin_keys.get("operator") or admin_keys[registering]
    try:  # a service that holds the trust-list key re-signs by itself; this makes sure
        ServiceClient(url, operator).request_json("POST", "/v1/admin/trust-list/sign")
    except ServiceError:
        pass
    anchor = bytes.fromhex(str(ServiceClient(url).request_json("GET", "/v1/trust-list/anchor")["public_key"]))
    device.configure(FieldConfig(agency=agency_ids[program_agency], device_id="lifecycle-desk", scope=scope,
                                 service_url=url, anchors=(anchor.hex(),), template=RequestTemplate(schema=V2)),
                     api_key=str(api_key))
    return device, ServiceClient(url, registrar_keys[registering]), anchor


def run_lifecycle(*, url: str, admin_keys: dict[str, str], registrar_keys: dict[str, str],
                  agency_ids: dict[str, str], program_agency: str, scope: str, people: int, rng: random.Random,
                  workdir: Path, backend: str | None, report: PilotReport) -> None:
    from field_app.i18n import Translator

    today = dt.datetime.now(dt.UTC).date()
    lifecycle_scope = f"{scope}/lifecycle"
    device, registrar, anchor = _setup(url, admin_keys, registrar_keys, agency_ids, program_agency,
                                       lifecycle_scope, workdir, backend)
    r = _Round(url, anchor, registrar, device, backend, today)
    en = Translator("en")
    c: dict[str, int] = {k: 0 for k in (
        "honest_lost_phones", "honest_same_pseudonym", "honest_second_enrollments", "honest_old_card_refused",
        "kept_old_phone", "kept_old_phone_second_enrollments", "kept_old_phone_new_card_refused",
        "kept_old_phone_old_card_refused", "revoked", "revoked_refused_with_words", "revoked_enrolled",
        "expired", "expired_refused_by_wallet", "expired_enrolled", "first_enrollments")}

    def enrolled(res: Any) -> bool:
        return not isinstance(res, Exception) and bool(res.ok)

    device.sync()
    # -- honest lost phones: restored from the recovery code ------------------------------
    honest: list[tuple[Card, Card]] = []
    for _ in range(people):
        seed = WalletSeed.generate()
        code = seed.recovery_code()  # the paper the person kept
        card = r.issue(seed, r.values(rng))
        first = r.present(card)
        c["first_enrollments"] += int(enrolled(first))
        restored = WalletSeed.from_recovery_code(code)  # the phone is lost; a new phone, the same code
        again = r.issue(restored, r.values(rng), reissue_of=card.credential_id)
        res = r.present(again)
        c["honest_lost_phones"] += 1
        c["honest_second_enrollments"] += int(enrolled(res))
        same = (not isinstance(res, Exception) and not isinstance(first, Exception)
                and res.pseudonym is not None and res.pseudonym == first.pseudonym)
        c["honest_same_pseudonym"] += int(same)
        honest.append((card, again))
    # -- dishonest: keep the old phone, have a new wallet re-issued -----------------------
    kept: list[tuple[Card, Card]] = []
    for k in range(people):
        old = r.issue(WalletSeed.generate(), r.values(rng))
        if k % 2 == 0:  # half of them enroll with the old card before claiming the loss
            c["first_enrollments"] += int(enrolled(r.present(old)))
        new = r.issue(WalletSeed.generate(), r.values(rng), reissue_of=old.credential_id)
        kept.append((old, new))
        c["kept_old_phone"] += 1
    # -- stolen cards, revoked by the registrar -------------------------------------------
    stolen = [r.issue(WalletSeed.generate(), r.values(rng)) for _ in range(people)]
    for card in stolen:
        registrar.revoke_card(card.credential_id, "stolen")
    # -- one sync brings the list of withdrawn cards; then the device works offline --------
    t = time.perf_counter()
    sync = device.sync()
    report.timings.add("lifecycle: device sync with the list of withdrawn cards", (time.perf_counter() - t) * 1000)
    for old, _new in honest:  # the lost phone turns up in someone's hands
        res = r.present(old)
        c["honest_old_card_refused"] += int(not enrolled(res) and getattr(res, "reason", "") == "card_revoked")
    for old, new in kept:
        res_new, res_old = r.present(new), r.present(old)
        c["kept_old_phone_second_enrollments"] += int(enrolled(res_new)) + int(enrolled(res_old))
        c["kept_old_phone_new_card_refused"] += int(getattr(res_new, "reason", "") == "card_replaced")
        c["kept_old_phone_old_card_refused"] += int(getattr(res_old, "reason", "") in ("card_revoked",))
    for card in stolen:
        res = r.present(card)
        c["revoked"] += 1
        c["revoked_enrolled"] += int(enrolled(res))
        words = en.t(res.message_key) if not isinstance(res, Exception) else ""
        c["revoked_refused_with_words"] += int(
            not enrolled(res) and getattr(res, "reason", "") == "card_revoked" and res.known
            and "withdrawn" in words)
    # -- expired cards at the default request ---------------------------------------------
    for _ in range(people):
        card = r.issue(WalletSeed.generate(), r.values(rng, expired=True))
        res = r.present(card)
        c["expired"] += 1
        c["expired_enrolled"] += int(enrolled(res))
        c["expired_refused_by_wallet"] += int(isinstance(res, CredentialError)
                                              and res.reason == "predicate_not_satisfied")
    revocations = device.revocations.current
    report.phases["lifecycle"] = {
        **c, "scope": lifecycle_scope, "sync_ok": bool(sync.ok),
        "revocation_list_sequence": revocations.sequence if revocations is not None else None,
        "revoked_tokens": len(revocations.revoked) if revocations is not None else 0,
        "blocked_tokens": len(revocations.blocked) if revocations is not None else 0,
    }
    n = people
    report.phase_invariants.update({
        "lifecycle: re-issue from the recovery code keeps the pseudonym (no second enrollment)":
            c["honest_same_pseudonym"] == n and c["honest_second_enrollments"] == 0
            and c["honest_old_card_refused"] == n,
        "lifecycle: re-issue while keeping the old phone is caught (neither card enrolls again)":
            c["kept_old_phone_second_enrollments"] == 0 and c["kept_old_phone_new_card_refused"] == n
            and c["kept_old_phone_old_card_refused"] == n,
        "lifecycle: revoked cards refused offline after one sync, in words the field worker reads":
            bool(sync.ok) and c["revoked_enrolled"] == 0 and c["revoked_refused_with_words"] == n,
        "lifecycle: expired cards refused at the default request":
            c["expired_enrolled"] == 0 and c["expired_refused_by_wallet"] == n,
    })
