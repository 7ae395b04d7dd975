"""Issue 13 in the wallet: a registry pseudonym only for a verified requester allowed that
round; anyone else gets a one-time pseudonym, and the consent screen says so in words."""

from __future__ import annotations

from sdk.wire import Presentation, decode
from sdk.wire.scope import is_request_scope
from tests.wallet_app.test_service import reassemble
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService


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
