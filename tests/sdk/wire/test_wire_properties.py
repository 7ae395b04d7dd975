"""Wire format properties: round trips for every message type; hostile bytes give only
zkaid errors (never a crash, never silent acceptance of non-canonical input)."""

from __future__ import annotations

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sdk.errors import WireError, ZkaidError
from sdk.wire import (
    MAGIC,
    AttributeDef,
    IssuanceRequest,
    IssuedCredential,
    IssuerEntry,
    Message,
    Offer,
    PredicateSpec,
    Presentation,
    PresentationRequest,
    RevocationUpdate,
    SchemaDef,
    StoredCredential,
    TrustListPayload,
    VerifierEntry,
    decode,
    encode,
    message_types,
)

u64 = st.integers(0, 2**64 - 1)
u32 = st.integers(0, 2**32 - 1)
kid = st.binary(min_size=8, max_size=8)
text = st.text(max_size=40)
name = st.text(min_size=1, max_size=40)
value = st.one_of(st.integers(-(2**63), 2**63 - 1), st.booleans(), st.text(max_size=30), st.binary(max_size=30))
labels = st.dictionaries(st.text(min_size=1, max_size=5), text, max_size=3)

attr_def = st.builds(AttributeDef, name, st.sampled_from(["int", "date", "enum"]),
                     st.one_of(st.none(), st.lists(text, max_size=4).map(tuple)), st.one_of(st.none(), labels))
schema_def = st.builds(SchemaDef, name, u32, st.lists(attr_def, min_size=1, max_size=4).map(tuple), st.one_of(st.none(), labels))
predicate = st.builds(PredicateSpec, name, st.sampled_from(["ge", "le", "between"]),
                      st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=2).map(tuple))
nym_count = st.integers(1, 256)
suite_name = st.text(min_size=1, max_size=32)  # the wire limit of a ciphersuite name
issuer_entry = st.builds(IssuerEntry, kid, name, st.binary(min_size=96, max_size=96), suite_name, nym_count,
                         st.lists(st.text(min_size=3, max_size=40), max_size=3).map(tuple), u64, u64, st.one_of(st.none(), st.binary(max_size=64)))
verifier_entry = st.builds(VerifierEntry, kid, name, st.binary(min_size=32, max_size=32), u64, u64)

MESSAGES: dict[type[Message], st.SearchStrategy[Message]] = {
    Offer: st.builds(Offer, kid, name, u32, st.binary(min_size=16, max_size=64), text, u64, nym_count),
    IssuanceRequest: st.builds(IssuanceRequest, st.binary(min_size=16, max_size=64), kid, nym_count,
                               st.binary(min_size=112, max_size=400)),
    IssuedCredential: st.builds(IssuedCredential, kid, name, u32, st.lists(value, max_size=8).map(tuple),
                                st.binary(min_size=80, max_size=80), st.binary(min_size=32, max_size=32)),
    PresentationRequest: st.builds(PresentationRequest, name, st.binary(min_size=16, max_size=32), name,
                                   st.lists(kid, min_size=1, max_size=3).map(tuple), name, u32,
                                   st.lists(name, max_size=3).map(tuple), st.lists(predicate, max_size=2).map(tuple),
                                   u64, st.dictionaries(st.text(min_size=1, max_size=5), text, max_size=3)),
    Presentation: st.builds(Presentation, st.binary(min_size=32, max_size=32), kid, name, u32,
                            st.dictionaries(st.integers(0, 63), value, max_size=4), st.binary(min_size=48, max_size=48),
                            st.binary(min_size=272, max_size=600),
                            st.one_of(st.none(), st.lists(st.binary(min_size=1, max_size=50), max_size=2).map(tuple))),
    StoredCredential: st.builds(StoredCredential, kid, name, u32, suite_name, st.lists(value, max_size=6).map(tuple),
                                st.binary(min_size=80, max_size=80),
                                st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=3).map(tuple),
                                st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32), u64),
    RevocationUpdate: st.builds(RevocationUpdate, u64, u64, u64, u64, name, st.binary(max_size=64),
                                st.one_of(st.none(), st.binary(max_size=64))),
    TrustListPayload: st.builds(TrustListPayload, u64, u64, u64, u64, st.lists(issuer_entry, max_size=2).map(tuple),
                                st.lists(verifier_entry, max_size=2).map(tuple), st.lists(schema_def, max_size=2).map(tuple)),
}


def test_every_message_type_has_a_strategy() -> None:
    assert set(MESSAGES) == set(message_types().values())


@pytest.mark.parametrize("cls", list(MESSAGES), ids=lambda c: c.__name__)
@given(data=st.data())
def test_round_trip(cls: type[Message], data: st.DataObject) -> None:
    msg = data.draw(MESSAGES[cls])
    raw = encode(msg)
    assert raw.startswith(MAGIC)
    assert decode(raw, cls) == msg
    assert encode(decode(raw, cls)) == raw  # deterministic


@pytest.mark.parametrize("cls", list(MESSAGES), ids=lambda c: c.__name__)
@given(data=st.data())
def test_mutated_bytes_raise_only_zkaid_errors(cls: type[Message], data: st.DataObject) -> None:
    raw = bytearray(encode(data.draw(MESSAGES[cls])))
    op = data.draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
    pos = data.draw(st.integers(0, len(raw) - 1))
    if op == "flip":
        raw[pos] ^= data.draw(st.integers(1, 255))
    elif op == "truncate":
        del raw[pos:]
    elif op == "insert":
        raw.insert(pos, data.draw(st.integers(0, 255)))
    else:
        del raw[pos]
    try:
        out = decode(bytes(raw), tuple(MESSAGES))
    except ZkaidError:
        return
    # a mutation that still decodes must be a canonical, re-encodable message
    assert encode(out) == bytes(raw)


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_zkaid_errors(blob: bytes) -> None:
    for data in (blob, MAGIC + blob):
        with pytest.raises(ZkaidError):
            decode(data, tuple(MESSAGES))


def _offer() -> Offer:
    return Offer(b"k" * 8, "org.zkaid.household", 1, b"t" * 16, "http://x", 10, 1)


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda m: {**m, 1: 2}, "unknown_version"),
        (lambda m: {**m, 0: 99}, "unknown_type"),
        (lambda m: {k: v for k, v in m.items() if k != 5}, "missing_field"),
        (lambda m: {**m, 42: 1}, "extra_field"),
        (lambda m: {**m, 5: "not bytes"}, "field"),
        (lambda m: {**m, 7: -1}, "field"),
        (lambda m: {**m, 8: True}, "field"),
        (lambda m: [m], "malformed"),
    ],
)
def test_strict_decoding_reasons(mangle, reason: str) -> None:  # type: ignore[no-untyped-def]
    m = _offer().to_map()
    data = MAGIC + cbor2.dumps(mangle(m), canonical=True)
    with pytest.raises(WireError) as exc:
        decode(data, Offer)
    assert exc.value.reason == reason


def test_non_canonical_and_oversized_inputs() -> None:
    good = encode(_offer())
    body = cbor2.loads(good[3:])
    # same content, non-canonical forms
    indefinite = MAGIC + b"\xbf" + good[4:] + b"\xff"  # indefinite-length map
    unsorted = MAGIC + cbor2.dumps(dict(sorted(body.items(), reverse=True)), canonical=False)
    for data in (indefinite, unsorted, good + b"\x00"):
        with pytest.raises(WireError) as exc:
            decode(data, Offer)
        assert exc.value.reason in ("non_canonical", "malformed")
    with pytest.raises(WireError) as exc:
        decode(MAGIC + b"\x5a\xff\xff\xff\xff" + bytes(10), Offer)  # declared 4 GiB string
    assert exc.value.reason == "malformed"
    with pytest.raises(WireError) as exc:
        decode(MAGIC + bytes(70_000), Offer)
    assert exc.value.reason == "too_large"
    with pytest.raises(WireError) as exc:
        decode(MAGIC + b"\x81" * 5000 + b"\x00", Offer)  # deep nesting
    assert exc.value.reason in ("malformed", "non_canonical")
    with pytest.raises(WireError) as exc:
        decode(encode(_offer()), Presentation)
    assert exc.value.reason == "wrong_type"
