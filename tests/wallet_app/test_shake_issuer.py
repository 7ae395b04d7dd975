"""A card from an issuer on the BLS12-381-SHAKE-256 suite, end to end through the wallet.

The wallet must commit, verify and prove under the issuer's suite (from the trust list), not
a default one: issue -> wallet receives and verifies -> the person presents -> the desk verifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sdk.credential import IssuerKey, household_schema
from tests.wallet_app.conftest import FAST_KDF, NOW, PIN, Clock
from wallet_app.config import WalletConfig
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService
from wallet_app.storage import DelayPolicy

SHAKE = "BLS12-381-SHAKE-256"


@pytest.fixture(scope="module")
def shake_agency() -> DemoAgency:
    schema = household_schema()
    issuer = IssuerKey.generate("SHAKE issuer", schemas=(schema.ref,), suite=SHAKE, nym_count=2)
    return DemoAgency(now=NOW, schema=schema, issuer=issuer)


def test_a_shake_256_card_is_received_presented_and_verified(tmp_path: Path, shake_agency: DemoAgency,
                                                             clock: Clock) -> None:
    assert shake_agency.trust.issuer(shake_agency.issuer.kid).suite == SHAKE  # type: ignore[union-attr]
    cfg = WalletConfig(data_dir=tmp_path, trust_anchors=(shake_agency.anchor,), service_url="http://agency.invalid",
                       kdf=FAST_KDF, delay=DelayPolicy())
    wallet = WalletService(cfg, client_factory=shake_agency.client, clock=clock)  # type: ignore[arg-type]
    onb = wallet.new_onboarding()
    assert wallet.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    wallet.finish_onboarding(onb, PIN)

    offer, _code = shake_agency.make_offer()
    card = wallet.receive_offer(offer)  # the wallet verifies the signature under SHAKE-256
    assert card.issuer == "SHAKE issuer"

    request = shake_agency.request(predicates=())
    wallet.consider_request(request)
    codes = wallet.accept()
    assert not codes.animated  # no predicates: one code
    verified = shake_agency.verify(codes.payload, request)
    assert verified.disclosed == {"region": "north"}
    assert verified.issuer.suite == SHAKE and len(verified.pseudonym) == 48
    wallet.lock()
