"""The registry sync contract is defined once, in sdk.client, and parsed once.

The service's HTTP schema (verifier_service.schemas) has exactly the SDK types' fields and is
built from them in one place; an answer with a missing or mistyped field is a typed
``bad_response``, never a KeyError inside an app; no other module redefines the messages.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from sdk.client import DuplicateEvent, SyncAnswer, SyncDuplicate, SyncItem, SyncUpdate
from sdk.errors import ServiceError
from verifier_service import schemas

ROOT = Path(__file__).resolve().parent.parent
NYM = bytes(range(48))
ANSWER = SyncAnswer(
    accepted=2, replayed=1,
    duplicates=(SyncDuplicate("cva/2026-12/round-1", NYM, "agency-a", 100, 200),),
    updates=(SyncUpdate("cva/2026-12/round-1", NYM[::-1], "agency-b", 150),),
    cursor=42, log_size=7, log_indexes=(5, 6),
)


def fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize(("http", "sdk_type"), [
    (schemas.SyncItemIn, SyncItem), (schemas.SyncDuplicateOut, SyncDuplicate), (schemas.UpdateOut, SyncUpdate),
    (schemas.SyncOut, SyncAnswer), (schemas.DuplicateOut, DuplicateEvent),
])
def test_the_http_schema_has_exactly_the_sdk_fields(http: type, sdk_type: type) -> None:
    assert set(http.model_fields) == fields(sdk_type)  # type: ignore[attr-defined]


def test_answers_round_trip_through_the_http_schema() -> None:
    out = schemas.SyncOut.from_sdk(ANSWER)
    assert SyncAnswer.from_json(out.model_dump(mode="json")) == ANSWER
    event = DuplicateEvent(3, "cva/2026-12/round-1", NYM, "agency-a", 100, "agency-b", 200, 300, "sync")
    assert DuplicateEvent.from_json(schemas.DuplicateOut.from_sdk(event).model_dump(mode="json")) == event
    item = SyncItem("cva/2026-12/round-1", NYM, 100)
    assert schemas.SyncItemIn.model_validate(item.to_json()).to_sdk() == item


@pytest.mark.parametrize("broken", [
    {},  # nothing
    {"accepted": 1, "cursor": 0, "duplicates": [{"scope": "s"}]},  # a duplicate without its fields
    {"accepted": "1", "cursor": 0},  # a count as text
    {"accepted": 1, "cursor": -1},
    {"accepted": True, "cursor": 0},
    {"accepted": 1, "cursor": 0, "updates": {"scope": "s"}},  # not a list
    {"accepted": 1, "cursor": 0, "updates": [{"scope": "s", "pseudonym": "zz", "agency": "a", "enrolled_at": 1}]},
    {"accepted": 1, "cursor": 0, "log_indexes": ["1"]},
    [1, 2, 3],
])
def test_a_malformed_answer_is_a_typed_bad_response(broken: object) -> None:
    with pytest.raises(ServiceError) as err:
        SyncAnswer.from_json(broken)
    assert err.value.reason == "bad_response" and "unexpected answer" in str(err.value)


def test_fields_the_service_never_sends_are_not_guessed() -> None:
    """An event carrying only made-up names (duplicate_agency, agency) is refused, not read."""
    made_up = {"id": 1, "scope": "s", "pseudonym": NYM.hex(), "first_agency": "a", "first_enrolled_at": 1,
               "duplicate_agency": "b", "agency": "b", "enrolled_at": 2, "detected_at": 3, "source": "sync"}
    with pytest.raises(ServiceError):
        DuplicateEvent.from_json(made_up)


def test_no_module_redefines_the_sync_messages() -> None:
    names = {"SyncItem", "SyncDuplicate", "SyncUpdate", "SyncAnswer", "DuplicateEvent", "UpdateInfo", "DuplicateInfo"}
    found = []
    for top in ("sdk", "field_app", "wallet_app", "verifier_service", "zkaid"):
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name in names and "BaseModel" not in {
                        getattr(b, "id", "") for b in node.bases}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    # sdk.client defines each once; the database model DuplicateEvent is a table, not a message
    assert sorted(f.split(" ")[1] for f in found if f.startswith("sdk/client.py")) == sorted(
        names - {"UpdateInfo", "DuplicateInfo"})
    others = [f for f in found if not f.startswith("sdk/client.py")
              and not f.startswith("verifier_service/registry/models.py")]
    assert not others, others
