"""Issue 13 in the wallet: a registry pseudonym only for a verified requester allowed that
round; anyone else gets a one-time pseudonym, and the consent screen says so in words."""

from __future__ import annotations

from pathlib import Path

from sdk.wire import Presentation, decode
from sdk.wire.scope import is_request_scope
from tests.wallet_app.conftest import FAST_KDF, NOW, PIN, Clock
from tests.wallet_app.test_service import reassemble
from wallet_app.config import WalletConfig
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService
from wallet_app.storage import DelayPolicy


def test_an_unsigned_request_gets_a_one_time_pseudonym_and_the_person_is_told(
        with_card: WalletService, agency: DemoAgency) -> None:
    signed = agency.request()
    view = with_card.consider_request(signed)
    assert view.scope == "cva/2026-12/round-1"
    assert not any("one-time number" in w for w in view.warnings)
    registry_nym = decode(reassemble(with_card.accept()), Presentation).pseudonym

    nyms = set()
    for _ in range(2):  # a tracker with no key, twice
        request = agency.request(signed=False)
        view = with_card.consider_request(request)
        assert is_request_scope(view.scope)
        assert any("not verified for the round it names (cva/2026-12/round-1)" in w and "one-time number" in w
                   for w in view.warnings)
        pres = reassemble(with_card.accept())
        v = agency.verify(pres, request)  # still a valid proof, in the one-time scope
        assert v.scope == decode(pres, Presentation).scope and is_request_scope(v.scope)
        nyms.add(decode(pres, Presentation).pseudonym)
    assert len(nyms) == 2 and registry_nym not in nyms


def test_the_warning_is_in_french_too(with_card: WalletService, agency: DemoAgency) -> None:
    with_card.set_language("fr")
    view = with_card.consider_request(agency.request(signed=False))
    assert any("numéro à usage unique" in w for w in view.warnings)



def test_a_card_with_a_revocation_handle_never_shows_it(tmp_path: Path, clock: Clock) -> None:
    """household@2 cards: the card screen lists the household's values, never the handle."""
    from sdk.credential import household_schema

    agency2 = DemoAgency(now=NOW, schema=household_schema(2), issuer_name="Agency A registration (v2)")
    cfg = WalletConfig(data_dir=tmp_path / "phone", trust_anchors=(agency2.anchor,),
                       service_url="http://agency.invalid", kdf=FAST_KDF, delay=DelayPolicy())
    svc = WalletService(cfg, client_factory=agency2.client, clock=clock)  # type: ignore[arg-type]
    onb = svc.new_onboarding()
    assert svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    offer, _code = agency2.make_offer()
    svc.receive_offer(offer)
    (card,) = svc.cards()
    labels = [item.label for item in card.items]
    assert "Region" in labels and len(labels) == len(household_schema(2).attributes) - 1
    assert not any("handle" in label.lower() for label in labels)
