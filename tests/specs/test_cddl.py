"""The CDDL in specs/wire-format.md compiles in two independent validators, and every vector in
specs/vectors/ validates against the rule of its message type.

The validators: cddl-verifier (a Python implementation of RFC 8610) checks the CDDL exactly as
written; pycddl (a binding to the Rust ``cddl`` crate) lacks two constructs the spec uses,
controls on map-key types and ``.cbor`` on an array member. For pycddl those are relaxed in
this file (named in ``PYCDDL_RELAXED``) and the relaxed parts are checked in code below
(key ranges of the maps, the COSE payload decoding as a message).

The rule of each vector is found from the spec itself: the type registry table (section 4)
names each message type, and the rule is that name in kebab case.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import cbor2
import cddl_verifier
import pycddl
import pytest

from sdk.wire import message_types

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "wire-format.md"
VECTORS = sorted((ROOT / "specs" / "vectors").glob("*.json"))
MAGIC = bytes.fromhex("d9d9f7")
COSE_SIGN1_TAG = 18

# pycddl cannot apply controls to map-key types nor ``.cbor`` on an array member; these
# substitutions relax exactly those places (checked in code by ``_check_relaxed_parts``).
PYCDDL_RELAXED = {
    "attr-index => attr-value": "uint => attr-value",
    "label-lang => label-text": "tstr => label-text",
    "purpose-lang => purpose-text": "tstr => purpose-text",
    "protected:   bstr .cbor { 1: -8 }": "protected:   bstr",
    "payload:     bstr .cbor zkaid-message": "payload:     bstr",
}


def _cddl() -> str:
    blocks = re.findall(r"```cddl\n(.*?)```", SPEC.read_text("utf-8"), re.S)
    assert blocks, "specs/wire-format.md has no cddl block"
    return "\n".join(blocks)


def _registry() -> dict[int, str]:
    """Message type number -> CDDL rule name, read from the spec's section 4 table."""
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*([A-Za-z]+)\s*\|", SPEC.read_text("utf-8"), re.M)
    return {int(n): re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower() for n, name in rows}


def _relaxed_for_pycddl(cddl: str) -> str:
    for before, after in PYCDDL_RELAXED.items():
        assert before in cddl, f"the spec no longer contains {before!r}: update PYCDDL_RELAXED"
        cddl = cddl.replace(before, after)
    return cddl


def _vector_bytes(path: Path) -> bytes:
    return bytes.fromhex(json.loads(path.read_text("utf-8"))["hex"])


def _split(data: bytes) -> tuple[bytes | None, bytes]:
    """(the signed envelope or None, the bare message map without MAGIC)."""
    assert data.startswith(MAGIC)
    outer = cbor2.loads(data[len(MAGIC):])
    if isinstance(outer, cbor2.CBORTag) and outer.tag == COSE_SIGN1_TAG:
        payload = outer.value[2]
        assert payload.startswith(MAGIC)
        return data, payload[len(MAGIC):]
    return None, data[len(MAGIC):]


def _validate(rule: str, data: bytes, cddl: str) -> None:
    result = cddl_verifier.validate(cddl, data, root_type=rule)
    assert result.valid, f"cddl-verifier: {rule}: {result}"
    pycddl.Schema(f"zkaid-root = {rule}\n" + _relaxed_for_pycddl(cddl)).validate_cbor(data)


def _check_relaxed_parts(signed: bytes | None, bare: bytes) -> None:
    """What pycddl could not check: map-key ranges and the COSE protected header."""
    msg = cbor2.loads(bare)

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                # text keys only occur in label and purpose maps: language tags of <= 16
                if isinstance(k, str):
                    assert len(k) <= 16, f"label or purpose language {k!r}"
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(msg)
    disclosed = msg.get(6) if msg.get(0) == 5 else None
    if isinstance(disclosed, dict):
        assert all(isinstance(k, int) and 0 <= k <= 63 for k in disclosed), "attr-index out of range"
    if signed is not None:
        envelope = cbor2.loads(signed[len(MAGIC):]).value
        assert envelope[0] == bytes.fromhex("a10127"), "protected header must be {1: -8}"


def test_spec_cddl_defines_each_rule_once() -> None:
    names = re.findall(r"^([A-Za-z][A-Za-z0-9_-]*)\s*=(?!>)", _cddl(), re.M)
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"defined more than once: {twice}"


def test_spec_cddl_compiles_in_both_validators() -> None:
    cddl = _cddl()
    assert not [d for d in cddl_verifier.schema_diagnostics(cddl) if d.severity == "error"]
    pycddl.Schema("zkaid-root = zkaid-message / signed-message\n" + _relaxed_for_pycddl(cddl))


def test_registry_names_every_message_type_and_each_has_a_rule() -> None:
    registry, cddl = _registry(), _cddl()
    assert set(registry) == set(message_types()), "section 4 and sdk.wire disagree on message types"
    for rule in registry.values():
        assert re.search(rf"^{re.escape(rule)}\s*=", cddl, re.M), f"no CDDL rule {rule!r}"


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector_validates_against_its_rule(path: Path) -> None:
    cddl, registry = _cddl(), _registry()
    data = _vector_bytes(path)
    signed, bare = _split(data)
    rule = registry[cbor2.loads(bare)[0]]
    _validate(rule, bare, cddl)
    _validate("signed-message" if signed else "zkaid-message", data, cddl)
    _check_relaxed_parts(signed, bare)


def test_a_broken_vector_is_refused_by_both_validators() -> None:
    """The check can fail: a presentation whose pseudonym is 47 bytes is refused."""
    cddl, registry = _cddl(), _registry()
    bare = _split(_vector_bytes(ROOT / "specs" / "vectors" / "presentation.json"))[1]
    msg = cbor2.loads(bare)
    msg[7] = msg[7][:47]
    broken = cbor2.dumps(msg, canonical=True)
    assert not cddl_verifier.validate(cddl, broken, root_type=registry[5]).valid
    with pytest.raises(pycddl.ValidationError):
        pycddl.Schema(f"zkaid-root = {registry[5]}\n" + _relaxed_for_pycddl(cddl)).validate_cbor(broken)
