"""FieldService without any UI: setup on disk, requests, every yes and no, freshness."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from field_app.config import FieldConfig, PredicateRule, RequestTemplate, SetupError
from field_app.i18n import LANGUAGES, Translator
from field_app.present import result_view
from field_app.reasons import CheckReason
from field_app.service import NO_REASONS, FieldService
from sdk.credential import REASONS, read_request
from sdk.credential.schema import date_to_days
from sdk.errors import TrustListError, VerificationError
from sdk.trust import FreshnessState
from sdk.wire import Presentation, decode, encode
from tests.field_app.demo import DAY, NOW, Deployment, MutableClock


def test_every_sdk_reason_is_a_field_reason() -> None:
    assert set(REASONS) <= set(NO_REASONS)
    assert {"already_enrolled_here", "already_enrolled_elsewhere", "unreadable", "foreign"} <= set(NO_REASONS)


def test_a_reason_without_words_is_shown_as_unknown_never_as_another(
        deployment: Deployment, tmp_path: Path, clock: MutableClock, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = deployment.device(tmp_path, clock=clock)
    alice = deployment.person(size=6)
    answer = deployment.answer(alice, svc.new_request().data)

    def newer_sdk(*_a: object, **_k: object) -> None:
        raise VerificationError("a check this app predates", reason="revoked_in_2031")

    monkeypatch.setattr("field_app.checking.verify_presentation", newer_sdk)
    r = svc.check(answer)
    assert not r.ok and r.reason == "revoked_in_2031" and not r.known
    for lang in LANGUAGES:
        view = result_view(r, Translator(lang))
        assert "revoked_in_2031" in view.message, lang
        assert view.message != Translator(lang)("reason.invalid_proof")
    known = svc.refuse(CheckReason.UNREADABLE)
    assert known.known and result_view(known, Translator("en")).message == Translator("en")("reason.unreadable")
    svc.close()


def test_setup_is_stored_with_secrets_private(deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock)
    key = svc.create_verifier_key()
    folder = svc.folder
    for secret in (folder.api_key_path, folder.verifier_key_path):
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600, secret
    assert stat.S_IMODE(os.stat(tmp_path).st_mode) == 0o700
    assert "key-agency-b-desk-1" not in folder.config_path.read_text()
    assert "PRIVATE KEY" not in folder.config_path.read_text()
    svc.close()

    again = FieldService(tmp_path, clock=clock, backend=deployment.backend)  # after a restart
    assert again.config == deployment.config()
    assert again.has_api_key
    assert again.trust_list is not None and again.trust_list.signed == svc.trust_list.signed  # type: ignore[union-attr]
    assert again.verifier_key().public_key == key.public_key  # type: ignore[union-attr]
    assert again.readiness().ready
    again.close()


def test_bad_setup_values_say_which(deployment: Deployment) -> None:
    good = deployment.config()
    for change, reason in [({"agency": ""}, "missing_agency"), ({"device_id": "a b"}, "missing_device"),
                           ({"scope": " "}, "missing_scope"), ({"service_url": "ftp://x"}, "bad_url"),
                           ({"anchors": ("abcd",)}, "bad_anchor")]:
        with pytest.raises(SetupError) as exc:
            dataclasses.replace(good, **change)  # type: ignore[arg-type]
        assert exc.value.reason == reason
    for text in ("household_size", "household_size gt 5", "household_size between 5"):
        with pytest.raises(SetupError) as exc:
            PredicateRule.parse(text)
        assert exc.value.reason == "bad_predicate"
    with pytest.raises(SetupError) as exc:
        RequestTemplate(disclose=("household_size",), predicates=(PredicateRule.parse("household_size ge 5"),))
    assert exc.value.reason == "bad_predicate"
    with pytest.raises(SetupError) as exc:
        RequestTemplate(schema="household")
    assert exc.value.reason == "bad_schema"
    assert FieldConfig.from_json(json.loads(json.dumps(good.to_json()))) == good


def test_each_request_is_fresh_and_conditions_are_resolved_to_today(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock, predicates=["valid_until ge today", "head_birth_date le today-60y",
                                                             "household_size between 2 9"])
    a, b = svc.new_request(), svc.new_request()
    assert a.received.request.nonce != b.received.request.nonce
    assert svc.open_requests == (b,)  # the app keeps one open request: the one on screen
    preds = {p.attribute: p.bounds for p in b.received.request.predicates}
    assert preds == {"valid_until": (date_to_days(dt.date(2026, 12, 1)),),
                     "head_birth_date": (date_to_days(dt.date(1966, 12, 1)),),
                     "household_size": (2, 9)}
    clock.advance(DAY)
    c = svc.new_request()
    assert c.received.request.predicates[0].bounds == (date_to_days(dt.date(2026, 12, 2)),)
    assert c.received.request.scope == "cva/2026-12/round-1"
    assert c.received.request.issuers == (deployment.world.issuer.kid,)
    svc.close()


def test_requests_are_signed_once_the_device_key_is_registered(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock)
    assert svc.signing_status() == "none"
    assert not svc.new_request().signed
    key = svc.create_verifier_key()
    assert svc.signing_status() == "unregistered"
    assert not svc.new_request().signed  # an unknown signer would only puzzle the wallet
    svc.import_trust_list(deployment.trust_list(verifiers=[key]).signed)  # the service registered it
    assert svc.signing_status() == "registered"
    issued = svc.new_request()
    assert issued.signed
    seen_by_wallet = read_request(issued.data, svc.trust_list, now=NOW)
    assert seen_by_wallet.verified and seen_by_wallet.signer.name == "agency-b"  # type: ignore[union-attr]
    svc.close()


def test_yes_then_already_enrolled_here_then_elsewhere(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock, predicates=["household_size ge 5"])
    alice = deployment.person(size=6)
    yes = svc.check(deployment.answer(alice, svc.new_request().data))
    assert yes.ok and yes.reason == "enrolled"
    assert yes.disclosed == {"region": "north"}
    assert yes.predicates == (("household_size", "ge", (5,)),)
    assert yes.freshness is not None and yes.freshness.state is FreshnessState.FRESH
    assert yes.elapsed_ms > 0

    clock.advance(3600)
    again = svc.check(deployment.answer(alice, svc.new_request().data))
    assert not again.ok and again.reason == "already_enrolled_here"
    assert again.message_args == {"agency": "agency-b", "date": "2026-12-01", "time": "00:00",
                                  "reason": "already_enrolled_here"}
    assert again.disclosed == {"region": "north"}  # verified, but not enrolled a second time

    # What the last sync brought: agency A enrolled Bob on 28 November.
    bob = deployment.person(size=5)
    first = svc.check(deployment.answer(bob, svc.new_request().data), enroll=False)  # dry run
    assert first.ok
    assert svc.ledger.lookup(svc.config.scope, first.pseudonym) is None  # type: ignore[union-attr,arg-type]
    svc.ledger.add_remote(svc.config.scope, first.pseudonym, agency="agency-a", at=NOW - 3 * DAY)  # type: ignore[union-attr,arg-type]
    elsewhere = svc.check(deployment.answer(bob, svc.new_request().data))
    assert elsewhere.reason == "already_enrolled_elsewhere"
    assert elsewhere.message_args["agency"] == "agency-a" and elsewhere.message_args["date"] == "2026-11-28"
    assert svc.stats().local == 1 and svc.stats().remote == 1  # type: ignore[union-attr]
    svc.close()


def _tamper(pres: bytes, **changes: object) -> bytes:
    return encode(dataclasses.replace(decode(pres, Presentation), **changes))  # type: ignore[arg-type]


def test_every_kind_of_no(deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock)
    carol = deployment.person()

    def reason(data: bytes) -> str:
        r = svc.check(data)
        assert not r.ok
        return r.reason

    req = svc.new_request()
    good = deployment.answer(carol, req.data)
    p = decode(good, Presentation)
    flipped = bytearray(p.proof)
    flipped[175] ^= 1  # low bit of a response scalar (byte 100 would hit a point: "malformed")
    assert reason(_tamper(good, proof=bytes(flipped))) == "invalid_proof"
    assert reason(_tamper(good, disclosed={2: 1})) == "invalid_proof"  # region north -> south
    assert reason(_tamper(good, disclosed={})) == "disclosure_mismatch"
    assert reason(good[:-7]) == "malformed"
    assert reason(b"https://example.org/pay?id=7") == "foreign"
    assert reason(req.data) == "not_presentation"  # the device's own request, scanned back
    other = deployment.answer(carol, svc.new_request().data)  # answers the newer request
    assert reason(good) == "request_mismatch"
    current = svc.current_request
    assert current is not None
    assert reason(deployment.answer(deployment.rogue_person(), current.data, force=True)) == "unknown_issuer"
    clock.advance(16 * 60)
    assert reason(other) == "request_expired"
    assert svc.ledger.entries() == []  # no "no" ever wrote the ledger
    assert svc.refuse("unreadable", "blurred").reason == "unreadable"
    with pytest.raises(ValueError):
        svc.refuse("because")
    svc.close()


def test_expired_card_and_expired_issuer_key(deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path / "a", clock=clock, disclose=("region", "valid_until"))
    old_card = deployment.person(valid_until=dt.date(2026, 11, 30))
    r = svc.check(deployment.answer(old_card, svc.new_request().data))
    assert r.reason == "credential_expired" and r.disclosed["valid_until"] == dt.date(2026, 11, 30)
    svc.close()

    withdrawn = deployment.trust_list(issuer_validity=(NOW - 400 * DAY, NOW - DAY))
    svc = deployment.device(tmp_path / "b", clock=clock, trust_list=withdrawn)
    r = svc.check(deployment.answer(deployment.person(), svc.new_request().data))
    assert r.reason == "issuer_not_valid"
    svc.close()


def test_stale_trust_list_warns_and_expired_one_refuses(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    stale = deployment.trust_list(next_update=NOW - 3600, grace=2 * DAY)
    svc = deployment.device(tmp_path, clock=clock, trust_list=stale)
    dan = deployment.person()
    r = svc.check(deployment.answer(dan, svc.new_request().data))
    assert r.ok and r.stale
    assert r.freshness is not None and r.freshness.warning  # the SDK's warning exists too
    assert svc.readiness().ready

    clock.advance(2 * DAY)  # beyond the grace period
    assert svc.readiness().state == "trust_list_expired"
    erin = deployment.person()
    answer = deployment.answer(erin, svc.new_request().data, now=clock.now)
    r = svc.check(answer)
    assert not r.ok and r.reason == "trust_list_expired"
    assert svc.ledger.lookup(svc.config.scope, decode(answer, Presentation).pseudonym) is None  # type: ignore[union-attr]

    # a fresh list brings the device back
    svc.import_trust_list(deployment.trust_list(now=clock.now).signed)
    assert svc.check(deployment.answer(erin, svc.new_request().data, now=clock.now)).ok
    svc.close()


def test_trust_list_must_come_from_the_anchor_and_never_go_back(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    older = deployment.trust_list()
    svc = deployment.device(tmp_path, clock=clock)
    with pytest.raises(TrustListError) as exc:
        svc.import_trust_list(older.signed)
    assert exc.value.reason == "rollback"
    stranger = Deployment(deployment.backend)  # another trust-list key
    with pytest.raises(TrustListError) as exc:
        svc.import_trust_list(stranger.trust_list().signed)
    assert exc.value.reason == "unknown_signer"
    tampered = bytearray(deployment.trust_list().signed)
    tampered[-5] ^= 1
    with pytest.raises(TrustListError) as exc:
        svc.import_trust_list(bytes(tampered))
    assert exc.value.reason == "bad_signature"
    svc.close()


def test_sync_without_a_connection_keeps_everything(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    svc = deployment.device(tmp_path, clock=clock, service_url="http://127.0.0.1:9")
    assert svc.check(deployment.answer(deployment.person(), svc.new_request().data)).ok
    report = svc.sync()
    assert not report.ok and report.reason == "offline"
    assert len(svc.ledger.unsynced([svc.config.scope])) == 1  # type: ignore[union-attr]
    svc.close()

    bare = FieldService(tmp_path / "bare", clock=clock)
    assert bare.sync().reason == "not_set_up"
    assert bare.readiness().state == "not_set_up"
    assert bare.check(b"\xd9\xd9\xf7").reason == "not_set_up"
    bare.configure(deployment.config())
    assert bare.sync().reason == "no_service"
    assert bare.check(b"\xd9\xd9\xf7").reason == "no_trust_list"
    bare.close()


def test_damaged_answers_never_crash_and_never_enroll(
        deployment: Deployment, tmp_path: Path, clock: MutableClock) -> None:
    """A glare-damaged or hostile code is a NO with a reason, never an exception."""
    import random

    svc = deployment.device(tmp_path, clock=clock, predicates=["household_size ge 5"])
    good = deployment.answer(deployment.person(), svc.new_request().data)
    rng = random.Random(8)
    reasons = set()
    for _ in range(300):
        b = bytearray(good)
        mode = rng.random()
        if mode < 0.6:
            for _ in range(rng.choice((1, 2, 8))):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif mode < 0.8:
            del b[rng.randrange(len(b)):]
        else:
            pos = rng.randrange(len(b))
            b[pos:pos] = rng.randbytes(rng.choice((1, 5)))
        if bytes(b) == good:
            continue  # a byte overwritten with itself
        r = svc.check(bytes(b))
        assert not r.ok and r.reason in NO_REASONS
        reasons.add(r.reason)
    assert {"malformed", "invalid_proof"} <= reasons
    assert svc.ledger.entries() == []
    svc.close()
