"""Issue 13, "expired cards are enrolled": the field app's default request proves
``valid_until >= today``, so an expired card is turned away at the default request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from field_app.config import DEFAULT_PREDICATES, FieldConfig, RequestTemplate
from field_app.service import FieldService
from sdk.credential.schema import date_to_days
from sdk.errors import CredentialError
from tests.field_app.demo import SCOPE, Deployment, MutableClock
from tests.sdk.credential.world import NOW


def default_device(deployment: Deployment, data_dir: Path) -> FieldService:
    svc = FieldService(data_dir, clock=MutableClock(), backend=deployment.backend)
    cfg = FieldConfig(agency="agency-b", device_id="desk-9", scope=SCOPE, anchors=(deployment.anchor_hex,),
                      # the operator changed nothing but the kind of card (this world issues household@1;
                      # the default round, household@2, is in tests/field_app/test_revocation.py)
                      template=RequestTemplate(schema=deployment.world.schema.ref))
    svc.configure(cfg, api_key="key-agency-b-desk-9")
    svc.import_trust_list(deployment.trust_list().signed)
    return svc


def test_default_request_proves_the_card_is_valid_today(deployment: Deployment, tmp_path: Path) -> None:
    svc = default_device(deployment, tmp_path)
    req = svc.new_request().received.request
    today = dt.datetime.fromtimestamp(NOW, dt.UTC).date()
    assert [(p.attribute, p.op, tuple(p.bounds)) for p in req.predicates] == [
        ("valid_until", "ge", (date_to_days(today),))]
    valid = deployment.person(valid_until=today + dt.timedelta(days=1))
    result = svc.check(deployment.answer(valid, svc.current_request.data))  # type: ignore[union-attr]
    assert result.ok, result.detail


def test_an_expired_card_cannot_answer_the_default_request(deployment: Deployment, tmp_path: Path) -> None:
    svc = default_device(deployment, tmp_path)
    issued = svc.new_request()
    today = dt.datetime.fromtimestamp(NOW, dt.UTC).date()
    expired = deployment.person(valid_until=today - dt.timedelta(days=1))
    with pytest.raises(CredentialError) as err:
        deployment.answer(expired, issued.data)  # the honest wallet says it cannot meet the condition
    assert err.value.reason == "predicate_not_satisfied"
    assert "Valid until" in str(err.value)


def test_saved_setups_without_conditions_keep_them_and_new_ones_get_expiry() -> None:
    assert RequestTemplate().predicates == DEFAULT_PREDICATES
    assert RequestTemplate.from_json({"disclose": ["region"]}).predicates == DEFAULT_PREDICATES
    assert RequestTemplate.from_json({"disclose": ["region"], "predicates": []}).predicates == ()


def test_the_round_is_written_in_one_spelling_at_setup(deployment: Deployment) -> None:
    """Issue 13 §5: an NFD spelling of the round is the NFC one; an upper-case one is refused."""
    import unicodedata

    from field_app.config import SetupError

    nfd = unicodedata.normalize("NFD", "cva/2026-12/région-1")
    cfg = FieldConfig(agency="a", device_id="d", scope=nfd, anchors=(deployment.anchor_hex,))
    assert cfg.scope == unicodedata.normalize("NFC", nfd) != nfd
    with pytest.raises(SetupError) as err:
        FieldConfig(agency="a", device_id="d", scope="CVA/2026-12/Round-1", anchors=(deployment.anchor_hex,))
    assert err.value.reason == "bad_scope" and "lower case" in str(err.value)
