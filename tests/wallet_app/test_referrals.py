"""The wallet's referral consent (Kivy-free): plain words in the person's language, consent
bound to the referral, nothing sent on "no", withdrawal later, history in the vault."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from sdk.credential import VerifierKey
from sdk.errors import ReferralError
from sdk.referral import (
    X25519,
    ReferralKeyPair,
    compose,
    make_offer,
    seal_referral,
    verify_submission,
    verify_withdrawal,
)
from sdk.referral.consent import ReferralOffer
from sdk.referral.envelope import decode_message, encode_message
from sdk.trust import sign_trust_list
from sdk.wire import ReferralTypeDef
from tests.wallet_app.conftest import FAST_KDF, NOW, PIN, Clock
from wallet_app.config import WalletConfig
from wallet_app.demo import DemoAgency
from wallet_app.referrals import WalletReferrals, is_referral_offer, referral_languages
from wallet_app.service import WalletService
from wallet_app.storage import DelayPolicy

B_KEY = ReferralKeyPair.generate(X25519)
NOTE = "Follow-up for the youngest child's vaccination."


@pytest.fixture(scope="module")
def ragency() -> DemoAgency:
    """An agency whose trust list publishes agency B's referral key and the agreed types."""
    a = DemoAgency(now=NOW)
    p = a.trust.payload
    p2 = dataclasses.replace(p, referral_keys=(B_KEY.entry("agency-b", "Agency B", NOW - 86400, NOW + 365 * 86400),),
                             referral_types=(ReferralTypeDef("health", {"en": "Health care", "fr": "Soins",
                                                                        "ar": "رعاية صحية"}),))
    a.signed_trust_list = sign_trust_list(p2, a.tl_key)
    return a


@pytest.fixture
def wallet(tmp_path: Path, ragency: DemoAgency) -> WalletService:
    cfg = WalletConfig(data_dir=tmp_path / "phone", trust_anchors=(ragency.anchor,), service_url="http://agency.invalid",
                       kdf=FAST_KDF, delay=DelayPolicy())
    svc = WalletService(cfg, client_factory=ragency.client, clock=Clock())
    onb = svc.new_onboarding()
    svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    svc.receive_offer(ragency.make_offer()[0])
    return svc


def offer(ag: DemoAgency, signing_key: VerifierKey | None = None, **kw: Any) -> bytes:
    tl = ag.trust
    c = compose(tl, referral_type="health", urgency="urgent", note=NOTE,
                attributes={"household_size": 4, "region": "north"}, from_agency="agency-a", to_agency="agency-b",
                now=NOW, **kw)
    s = seal_referral(c, tl, now=NOW)
    return make_offer(c, s, schema=ag.schema, issuers=[i.kid for i in tl.payload.issuers],
                      purpose={"en": "Referral"}, now=NOW, signing_key=signing_key)


def test_consent_in_plain_words_and_bound_to_the_referral(wallet: WalletService, ragency: DemoAgency) -> None:
    refs = WalletReferrals(wallet)
    data = offer(ragency)
    assert is_referral_offer(data) and not is_referral_offer(ragency.make_offer()[0])
    view = refs.consider(data)
    text = str(view)
    assert "agency-a wants to refer you to Agency B." in text and "For: Health care" in text
    assert "Household size: 4" in text or "household size: 4" in text.lower()
    assert NOTE in text and view.until == "2026-12-31" and "Do you agree" in text
    sub = refs.accept()
    acc = verify_submission(sub, ragency.trust, now=NOW)
    assert acc.sealed.header.to_agency == "agency-b"
    [rec] = refs.history()
    assert (rec.status, rec.to_agency_name, rec.what) == ("consented", "Agency B", "Health care")
    # the history is in the encrypted vault: it survives a restart
    wallet.lock()
    wallet.unlock(PIN)
    assert [r.referral_id for r in WalletReferrals(wallet).history()] == [rec.referral_id]

    sent: list[tuple[str, bytes]] = []

    class Client:
        def withdraw_referral(self, rid: str, data: bytes) -> dict[str, Any]:
            sent.append((rid, data))
            return {"status": "withdrawn"}

    refs2 = WalletReferrals(wallet, client_factory=lambda _u, _t: Client())
    assert refs2.withdraw(rec.referral_id).status == "withdrawn"
    [(rid, wd)] = sent
    assert rid == rec.referral_id
    assert verify_withdrawal(wd, ragency.trust, digest=bytes.fromhex(rec.digest), to_agency="agency-b",
                             now=NOW)[1] == acc.pseudonym
    with pytest.raises(ReferralError):
        refs2.withdraw(rec.referral_id)  # already withdrawn


def test_declining_sends_nothing(wallet: WalletService, ragency: DemoAgency) -> None:
    refs = WalletReferrals(wallet)
    refs.consider(offer(ragency))
    refs.decline()
    [rec] = refs.history()
    assert rec.status == "declined"
    with pytest.raises(ReferralError) as e:
        refs.accept()  # nothing is pending any more
    assert e.value.reason == "nothing_pending"
    with pytest.raises(ReferralError):
        refs.withdraw(rec.referral_id)


def test_altered_offers_are_refused(wallet: WalletService, ragency: DemoAgency) -> None:
    refs = WalletReferrals(wallet)
    o1 = decode_message(offer(ragency), ReferralOffer, "o")
    o2 = decode_message(offer(ragency), ReferralOffer, "o")
    with pytest.raises(ReferralError) as e:
        refs.consider(encode_message(ReferralOffer(o1.sealed, o2.content, o1.request)))
    assert e.value.reason == "content_mismatch"
    with pytest.raises(ReferralError) as e:
        refs.consider(encode_message(ReferralOffer(o1.sealed, o1.content, o2.request)))
    assert e.value.reason == "consent_mismatch"
    with pytest.raises(ReferralError):
        refs.accept()


def test_every_language_says_everything(wallet: WalletService, ragency: DemoAgency) -> None:
    langs = referral_languages()
    assert {"en", "fr", "ar"} <= set(langs)
    tables = {lang: json.loads(resources.files("wallet_app.i18n").joinpath(f"referrals/{lang}.json")
                               .read_text("utf-8")) for lang in langs}
    for lang, table in tables.items():
        assert set(table) == set(tables["en"]), lang
    wallet.set_language("fr")
    text = str(WalletReferrals(wallet).consider(offer(ragency)))
    assert "souhaite vous orienter vers Agency B" in text and "Pour : Soins" in text and NOTE in text
    wallet.set_language("ar")
    view = WalletReferrals(wallet).consider(offer(ragency))
    assert ("عدد أفراد الأسرة", "4") in view.shared, view.shared  # the card's words, not "Household size"


def test_a_signed_consent_request_shows_the_desk_as_checked(wallet: WalletService, ragency: DemoAgency) -> None:
    """Issue 15: the desk signs the consent request with its key from the trust list; the
    wallet shows the desk's name from the list as checked, and the consent still binds."""
    assert ragency.verifier is not None
    refs = WalletReferrals(wallet)
    view = refs.consider(offer(ragency, signing_key=ragency.verifier))
    assert view.verified and view.requester == "Agency B field desk"
    assert view.lines[0] == "Checked: this referral comes from Agency B field desk."
    assert "Agency B field desk wants to refer you to Agency B." in view.lines
    assert verify_submission(refs.accept(), ragency.trust, now=NOW).sealed.header.to_agency == "agency-b"


def test_an_unsigned_or_unknown_desk_gets_the_warning(wallet: WalletService, ragency: DemoAgency) -> None:
    refs = WalletReferrals(wallet)
    for key in (None, VerifierKey.generate("Agency A desk (not in the list)")):
        view = refs.consider(offer(ragency, signing_key=key))
        assert not view.verified and view.requester == "agency-a"  # the id it claims, not a checked name
        assert view.lines[0].startswith("Not checked:") and "agency-a" in view.lines[0]
        refs.decline()


def test_a_tampered_signed_consent_request_is_refused(wallet: WalletService, ragency: DemoAgency) -> None:
    refs = WalletReferrals(wallet)
    o = decode_message(offer(ragency, signing_key=ragency.verifier), ReferralOffer, "o")
    bad = bytearray(o.request)
    bad[-1] ^= 1  # the last byte of the Ed25519 signature
    with pytest.raises(ReferralError) as e:
        refs.consider(encode_message(ReferralOffer(o.sealed, o.content, bytes(bad))))
    assert e.value.reason == "tampered"
    with pytest.raises(ReferralError):
        refs.accept()  # nothing is pending
