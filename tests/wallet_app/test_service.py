"""WalletService without a window: onboarding, receive, cards, consent, present, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sdk.credential import Holder
from sdk.credential.schema import date_to_days
from sdk.errors import CredentialError, OfflineError, ServiceError, TrustListError
from sdk.transport import Receiver
from sdk.wire import IssuedCredential, PredicateSpec, decode, encode
from tests.wallet_app.conftest import NOW, PIN
from wallet_app.demo import DemoAgency, household_values
from wallet_app.service import (
    PinPolicyError,
    PresentationCodes,
    WalletError,
    WalletService,
    check_pin_policy,
    service_base,
)
from wallet_app.storage import VaultWriteError, WrongPinError


def reassemble(codes: PresentationCodes) -> bytes:
    rx = Receiver()
    for code in codes.loop():
        res = rx.push(code)
        if hasattr(res, "payload"):
            return bytes(res.payload)
    raise AssertionError("the loop did not complete the message")


# -- onboarding ---------------------------------------------------------------------------


def test_onboarding_needs_the_written_code(make_service: Callable[..., WalletService]) -> None:
    svc = make_service()
    onb = svc.new_onboarding()
    assert len(onb.checks) == 2 and len(onb.groups) == 14
    with pytest.raises(WalletError) as caught:
        svc.finish_onboarding(onb, PIN)
    assert caught.value.reason == "recovery_not_confirmed"
    g1, g2 = onb.checks
    assert not svc.check_written(onb, {g1: onb.groups[g1 - 1], g2: "XXXX"})
    # lower case and O/0, I/1 confusions are forgiven, as when decoding the code
    typed = {g: onb.groups[g - 1].lower().replace("0", "o").replace("1", "l") for g in onb.checks}
    assert svc.check_written(onb, typed)
    assert not svc.has_wallet()
    svc.finish_onboarding(onb, PIN)
    assert svc.has_wallet() and svc.is_unlocked
    assert onb.recovery_code not in repr(onb) and "seed" not in repr(svc._state).replace("<seed>", "")


def test_pin_policy() -> None:
    for bad, reason in [("12345", "pin_length"), ("12a456", "pin_length"), ("111111", "pin_weak"),
                        ("123456", "pin_weak"), ("987654", "pin_weak"), ("٢٤٦٨١٠", "pin_length")]:
        with pytest.raises(PinPolicyError) as caught:
            check_pin_policy(bad)
        assert caught.value.reason == reason
    check_pin_policy("246810")


def test_lock_unlock_and_wrong_pin(onboarded: WalletService) -> None:
    onboarded.lock()
    assert not onboarded.is_unlocked
    with pytest.raises(WalletError):
        onboarded.cards()
    with pytest.raises(WrongPinError):
        onboarded.unlock("135790")
    onboarded.unlock(PIN)
    assert onboarded.cards() == []


def test_restore_errors_are_specific(make_service: Callable[..., WalletService]) -> None:
    svc = make_service()
    code = svc.new_onboarding().recovery_code
    with pytest.raises(CredentialError) as caught:
        svc.restore(code[:-5], PIN)
    assert caught.value.reason == "recovery_code_length"
    wrong = ("A" if code[0] != "A" else "B") + code[1:]
    with pytest.raises(CredentialError) as caught:
        svc.check_recovery_code(wrong)
    assert caught.value.reason == "recovery_code_checksum"
    svc.restore(code.lower().replace("-", " "), PIN)
    assert svc.is_unlocked


# -- receive ------------------------------------------------------------------------------


def test_receive_offer_stores_a_verified_card(onboarded: WalletService, agency: DemoAgency) -> None:
    offer, _ = agency.make_offer(household_values(7, region="east"))
    card = onboarded.receive_offer(offer)
    assert card.title == "Household registration" and card.issuer == "Agency A registration"
    items = {i.label: i.value for i in card.items}
    assert items["Household size"] == "7"
    assert items["Region"] == "East"
    assert items["Birth date of the head of household"] == "1 Mar 1958"
    assert items["Vulnerability category"] == "Older head of household"
    assert card.expiry == "Valid until 1 Nov 2027" and not card.expired
    onboarded.set_language("fr")
    (fr,) = onboarded.cards()
    items = {i.label: i.value for i in fr.items}
    assert items["Région"] == "Est" and items["Date de naissance du chef de ménage"] == "1 mars 1958"
    assert fr.expiry == "Valable jusqu'au 1 nov. 2027"
    # survives lock / unlock
    onboarded.lock()
    onboarded.unlock(PIN)
    assert len(onboarded.cards()) == 1


def test_expired_card_says_so(onboarded: WalletService, agency: DemoAgency) -> None:
    offer, _ = agency.make_offer(household_values(valid_until=dt.date(2026, 6, 30)))
    card = onboarded.receive_offer(offer)
    assert card.expired and card.expiry == "Expired on 30 Jun 2026"


def test_receive_by_short_code(onboarded: WalletService, agency: DemoAgency) -> None:
    _, code = agency.make_offer()
    card = onboarded.receive_code(code.lower())
    assert card.title == "Household registration"
    with pytest.raises(ServiceError) as caught:
        onboarded.receive_code(code)  # the token is single-use
    assert caught.value.reason == "token_used"
    with pytest.raises(ServiceError) as caught:
        onboarded.receive_code("ZZZZ-ZZZZ")
    assert caught.value.reason == "unknown_code"
    with pytest.raises(WalletError) as werr:
        onboarded.receive_code("12")
    assert werr.value.reason == "code_format"


def test_offline_is_a_clear_message_and_changes_nothing(onboarded: WalletService, agency: DemoAgency) -> None:
    offer, _ = agency.make_offer()
    agency.online = False
    try:
        with pytest.raises(OfflineError) as caught:
            onboarded.receive_offer(offer)
    finally:
        agency.online = True
    assert caught.value.reason == "offline"
    assert onboarded.cards() == []


def test_real_client_offline(make_service: Callable[..., WalletService], agency: DemoAgency) -> None:
    """The default client (sdk.client.ServiceClient) against a closed port: OfflineError."""
    import socket

    from wallet_app.service import _default_client

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    svc = make_service(client_factory=lambda base, timeout: _default_client(base, 2.0))
    onb = svc.new_onboarding()
    svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    from dataclasses import replace

    from sdk.wire import Offer

    offer = replace(decode(agency.make_offer()[0], Offer), endpoint=f"http://127.0.0.1:{port}/v1/issue")
    with pytest.raises(OfflineError):
        svc.receive_offer(encode(offer))


def test_forged_credential_is_not_stored(make_service: Callable[..., WalletService], agency: DemoAgency) -> None:
    class Forger:
        def __init__(self) -> None:
            self.inner = agency

        def trust_list(self, *, if_sequence: int | None = None) -> bytes | None:
            return agency.trust_list(if_sequence=if_sequence)

        def offer_by_code(self, code: str) -> bytes:
            return agency.offer_by_code(code)

        def issue(self, req: bytes) -> bytes:
            issued = decode(agency.issue(req), IssuedCredential)
            values = list(issued.values)
            values[0] = 12  # a bigger household than the issuer signed
            from dataclasses import replace

            return encode(replace(issued, values=tuple(values)))

    svc = make_service(client_factory=lambda base, timeout: Forger())
    onb = svc.new_onboarding()
    svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    with pytest.raises(CredentialError) as caught:
        svc.receive_offer(agency.make_offer()[0])
    assert caught.value.reason == "invalid_credential"
    assert svc.cards() == []


def test_trust_list_from_an_untrusted_key_is_refused(make_service: Callable[..., WalletService]) -> None:
    other = DemoAgency(now=NOW)
    svc = make_service(client_factory=other.client)  # configured with the session agency's anchor
    onb = svc.new_onboarding()
    svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    with pytest.raises(TrustListError) as caught:
        svc.receive_offer(other.make_offer()[0])
    assert caught.value.reason == "unknown_signer"
    assert svc.cards() == [] and svc.trust_list() is None


def test_failed_save_changes_nothing(onboarded: WalletService, agency: DemoAgency,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_data: bytes) -> None:
        raise VaultWriteError("full", reason="disk_full")

    monkeypatch.setattr(onboarded.vault, "save", full)
    with pytest.raises(VaultWriteError):
        onboarded.receive_offer(agency.make_offer()[0])
    assert onboarded.cards() == []


def test_service_base() -> None:
    assert service_base("https://a.example/v1/issue") == "https://a.example"
    assert service_base("http://127.0.0.1:8000/agency/v1/issue") == "http://127.0.0.1:8000/agency"
    assert service_base("https://a.example/issue") == "https://a.example"
    assert service_base("") is None and service_base("ftp://x/v1/issue") is None


# -- consent and presentation --------------------------------------------------------------


def test_consent_view_in_plain_words(with_card: WalletService, agency: DemoAgency) -> None:
    view = with_card.consider_request(agency.request())
    assert view.verified and view.requester == "Agency B field desk"
    assert view.purpose == "Cash assistance, December round"
    assert [(i.label, i.value) for i in view.shown] == [("Region", "North")]
    assert view.proven == ("Household size is at least 5", "Card still valid on 1 Dec 2026")
    assert view.issuer == "Agency A registration" and view.card_title == "Household registration"
    assert view.warnings == ()
    with_card.set_language("fr")
    fr = with_card.consider_request(agency.request())
    assert fr.purpose == "Aide en espèces, tour de décembre"
    assert [(i.label, i.value) for i in fr.shown] == [("Région", "Nord")]
    assert fr.proven == ("Le ménage compte au moins 5 personnes", "Carte encore valable le 1 déc. 2026")


def test_consent_for_age_and_generic_predicates(with_card: WalletService, agency: DemoAgency) -> None:
    sixty = date_to_days(dt.date(1966, 12, 1))
    req = agency.request(disclose=(), predicates=(
        PredicateSpec("head_birth_date", "le", (sixty,)),
        PredicateSpec("registration_date", "between", (date_to_days(dt.date(2026, 1, 1)),
                                                      date_to_days(dt.date(2026, 12, 1)))),
        PredicateSpec("household_size", "between", (3, 8)),
    ))
    view = with_card.consider_request(req)
    assert view.shown == ()
    assert view.proven == (
        "Head of household born on or before 1 Dec 1966 (aged 60 or more)",
        "Registration date: between 1 Jan 2026 and 1 Dec 2026",
        "Household size is between 3 and 8",
    )


def test_unverified_request_says_so(with_card: WalletService, agency: DemoAgency) -> None:
    request = agency.request(signed=False)
    view = with_card.consider_request(request)
    assert not view.verified and view.requester == "agency-b-desk-3"
    codes = with_card.accept()  # the person may still choose to share
    assert agency.verify(reassemble(codes), request).disclosed == {"region": "north"}
    assert with_card.history()[0].verified is False


def test_forged_request_is_refused(with_card: WalletService, agency: DemoAgency) -> None:
    from sdk.credential import VerifierKey, build_request

    impostor = VerifierKey(agency.verifier.name, VerifierKey.generate("x").private_key)  # type: ignore[union-attr]
    # same kid as the real verifier, wrong key: rebuild with the real kid in the envelope
    from sdk.wire import parse_sign1, sign1

    assert agency.issuer is not None
    payload = build_request(verifier_id="agency-b", scope="cva/2026-12/round-1", issuers=[agency.issuer.kid],
                            schema=agency.schema, disclose=("region",), purpose={"en": "x"}, now=NOW)
    forged = sign1(payload, impostor.private_key, agency.verifier.kid)  # type: ignore[union-attr]
    assert parse_sign1(forged, max_bytes=10000).kid == agency.verifier.kid  # type: ignore[union-attr]
    with pytest.raises(CredentialError) as caught:
        with_card.consider_request(forged)
    assert caught.value.reason == "request_bad_signature"
    assert with_card.pending_consent is None


def test_decline_computes_and_records_nothing(with_card: WalletService, agency: DemoAgency,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(Holder, "present", lambda self, a, **kw: calls.append(a) or b"")
    with_card.consider_request(agency.request())
    with_card.decline()
    assert calls == [] and with_card.pending_consent is None
    assert with_card.history() == []
    with pytest.raises(WalletError) as caught:
        with_card.accept()
    assert caught.value.reason == "no_request"
    assert calls == []


def test_accept_produces_exactly_what_was_agreed(with_card: WalletService, agency: DemoAgency,
                                                 clock: Any) -> None:
    request = agency.request()
    with_card.consider_request(request)
    clock.now += 120
    codes = with_card.accept()
    assert codes.animated and codes.parts >= 2  # two predicate proofs do not fit one code
    verified = agency.verify(reassemble(codes), request)
    assert verified.disclosed == {"region": "north"}  # and nothing else
    assert verified.predicates == (("household_size", "ge", (5,)),
                                   ("valid_until", "ge", (date_to_days(dt.date(2026, 12, 1)),)))
    (h,) = with_card.history()
    assert h.requester == "Agency B field desk" and h.verified
    local = dt.datetime.fromtimestamp(NOW + 120)
    assert h.when == f"{local.day} {'Nov' if local.month == 11 else 'Dec'} 2026, {local:%H:%M}"
    assert [(i.label, i.value) for i in h.shown] == [("Region", "North")]
    assert h.proven == ("Household size is at least 5", "Card still valid on 1 Dec 2026")
    # history is kept encrypted on the phone and survives a restart
    with_card.lock()
    with_card.unlock(PIN)
    assert len(with_card.history()) == 1
    raw = with_card.vault.path.read_bytes()
    assert b"Agency B" not in raw and b"north" not in raw


def test_small_presentation_is_one_code(with_card: WalletService, agency: DemoAgency) -> None:
    request = agency.request(predicates=())
    with_card.consider_request(request)
    codes = with_card.accept()
    assert not codes.animated and codes.loop() == (codes.payload,)
    assert agency.verify(codes.payload, request).disclosed == {"region": "north"}


def test_request_the_card_cannot_meet(with_card: WalletService, agency: DemoAgency) -> None:
    with pytest.raises(CredentialError) as caught:
        with_card.consider_request(agency.request(predicates=(PredicateSpec("household_size", "ge", (9,)),)))
    assert caught.value.reason == "predicate_not_satisfied"
    assert with_card.pending_consent is None


def test_request_without_cards(onboarded: WalletService, agency: DemoAgency) -> None:
    with pytest.raises(WalletError) as caught:
        onboarded.consider_request(agency.request())
    assert caught.value.reason == "no_cards"


def test_scanned_kind(with_card: WalletService, agency: DemoAgency) -> None:
    assert with_card.scanned_kind(agency.make_offer()[0]) == "offer"
    assert with_card.scanned_kind(agency.request()) == "request"
    assert with_card.scanned_kind(agency.request(signed=False)) == "request"
    assert with_card.scanned_kind(b"\xd9\xd9\xf7\xa0") == "other"


def test_language_is_remembered_before_unlock(onboarded: WalletService,
                                              make_service: Callable[..., WalletService]) -> None:
    onboarded.set_language("fr")
    onboarded.lock()
    again = make_service()  # same data dir, a new app start
    assert again.language == "fr" and again.t("unlock.title") == "Tapez votre code PIN"


def test_restore_recovers_the_same_pseudonym(make_service: Callable[..., WalletService],
                                             agency: DemoAgency) -> None:
    """Lost phone: the recovery code and a re-issue with the same signer entropy give the
    same scope pseudonym, so a second enrollment in the round is caught."""
    first = make_service("phone-1")
    onb = first.new_onboarding()
    first.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    first.finish_onboarding(onb, PIN)
    first.receive_offer(agency.make_offer()[0])
    entropy = agency.entropies[-1]
    req1 = agency.request()
    first.consider_request(req1)
    nym1 = agency.verify(reassemble(first.accept()), req1).pseudonym

    second = make_service("phone-2")
    second.restore(onb.recovery_code, "135792")
    second.receive_offer(agency.make_offer(entropy=entropy)[0])
    req2 = agency.request()
    second.consider_request(req2)
    nym2 = agency.verify(reassemble(second.accept()), req2).pseudonym
    assert nym2 == nym1

    # a different wallet (another seed) has another pseudonym, even with the same entropy
    third = make_service("phone-3")
    third.restore(make_service("x").new_onboarding().recovery_code, "135792")
    third.receive_offer(agency.make_offer(entropy=entropy)[0])
    req3 = agency.request()
    third.consider_request(req3)
    assert agency.verify(reassemble(third.accept()), req3).pseudonym != nym1


def test_config_file(tmp_path: Any, agency: DemoAgency, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from wallet_app.config import ConfigError, WalletConfig

    path = tmp_path / "wallet.json"
    path.write_text(json.dumps({"service_url": "https://agency.example",
                                "trust_anchors": [agency.anchor.public_key.hex()]}))
    monkeypatch.setenv("ZKAID_WALLET_HOME", str(tmp_path / "home"))
    cfg = WalletConfig.from_file(path)
    assert cfg.trust_anchors == (agency.anchor,) and cfg.data_dir == tmp_path / "home"
    assert WalletConfig.from_file(path, data_dir=tmp_path / "d").data_dir == tmp_path / "d"
    path.write_text(json.dumps({"trust_anchors": ["abcd"]}))
    with pytest.raises(ConfigError):
        WalletConfig.from_file(path)
    with pytest.raises(ConfigError) as caught:
        WalletConfig(data_dir=tmp_path, trust_anchors=())
    assert caught.value.reason == "no_trust_anchor"


def test_prepare_checks_range_parameters_ahead(with_card: WalletService, agency: DemoAgency) -> None:
    from sdk.curves import get_backend
    from sdk.predicates import load_range_params

    load_range_params.cache_clear()
    with_card.prepare()
    info = load_range_params.cache_info()
    assert info.currsize == 1
    with_card.consider_request(agency.request())  # uses the cached check
    assert load_range_params.cache_info().hits > info.hits
    assert get_backend(None) is not None


def test_warnings_for_an_old_agency_list_and_an_old_request(with_card: WalletService, agency: DemoAgency,
                                                            clock: Any) -> None:
    clock.now += 31 * 86400  # past the list's next_update, within its grace period
    before = agency.now
    agency.now = int(clock.now) - 2 * 3600  # a request made two hours ago (a day old is refused)
    try:
        request = agency.request()
    finally:
        agency.now = before
    view = with_card.consider_request(request)
    assert view.warnings == (with_card.t("consent.warn_trust_list"), with_card.t("consent.warn_old_request"))


def test_history_failure_still_shows_the_code(with_card: WalletService, agency: DemoAgency,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    request = agency.request(predicates=())
    with_card.consider_request(request)

    def full(_data: bytes) -> None:
        raise VaultWriteError("full", reason="disk_full")

    monkeypatch.setattr(with_card.vault, "save", full)
    codes = with_card.accept()
    assert not codes.history_saved
    assert agency.verify(codes.payload, request).disclosed == {"region": "north"}
    assert with_card.history() == []


def test_the_person_can_remove_a_card_and_clear_the_history(with_card: WalletService, agency: DemoAgency) -> None:
    """Data subject control on a shared phone: forget the history, remove a card; both are
    gone from the encrypted vault after a restart, and nothing else changes."""
    request = agency.request()
    with_card.consider_request(request)
    with_card.accept()
    assert len(with_card.history()) == 1
    assert with_card.clear_history() == 1
    assert with_card.history() == []
    (card,) = with_card.cards()
    with pytest.raises(WalletError) as exc:
        with_card.remove_card("no-such-card")
    assert exc.value.reason == "unknown_card"
    with_card.remove_card(card.id)
    assert with_card.cards() == []
    with_card.lock()
    with_card.unlock(PIN)
    assert with_card.cards() == [] and with_card.history() == []
    with pytest.raises(WalletError) as exc:  # nothing left to answer with
        with_card.consider_request(agency.request())
    assert exc.value.reason == "no_cards"
