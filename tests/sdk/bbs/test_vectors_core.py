"""draft-irtf-cfrg-bbs-signatures vectors (tests/vectors/bbs), on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdk import bbs
from sdk.bbs.ciphersuite import resolve_suite
from sdk.bbs.generators import compute_p1, create_generators_raw
from sdk.bbs.utils import (
    hash_to_scalar,
    map_message_to_scalar_dst,
    mocked_rng,
    seeded_random_scalars,
)
from sdk.curves import get_backend
from tests.vectorlib import SUITES, cases, h, load, read

SUITE_PARAMS = [pytest.param(s, d, id=d) for s, d in SUITES.items()]


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_keypair(suite: str, d: str, backend: str) -> None:
    v = load("bbs", d, "keypair.json")
    sk = bbs.keygen(h(v["keyMaterial"]), h(v["keyInfo"]), h(v["keyDst"]), suite=suite)
    assert sk.hex() == v["keyPair"]["secretKey"]
    assert bbs.sk_to_pk(sk, suite=suite, backend=backend).hex() == v["keyPair"]["publicKey"]


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_map_message_to_scalar(suite: str, d: str) -> None:
    cs = resolve_suite(suite)
    v = load("bbs", d, "MapMessageToScalarAsHash.json")
    assert h(v["dst"]) == map_message_to_scalar_dst(cs.api_id)
    for case in v["cases"]:
        assert hash_to_scalar(h(case["message"]), h(v["dst"]), cs) == int(case["scalar"], 16)


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_hash_to_scalar(suite: str, d: str) -> None:
    v = load("bbs", d, "h2s.json")
    assert hash_to_scalar(h(v["message"]), h(v["dst"]), resolve_suite(suite)) == int(v["scalar"], 16)


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_generators(suite: str, d: str, backend: str) -> None:
    cs = resolve_suite(suite)
    be = get_backend(backend)
    v = load("bbs", d, "generators.json")
    _, octs = create_generators_raw(len(v["MsgGenerators"]) + 1, cs.api_id, cs, be)
    assert [o.hex() for o in octs] == [v["Q1"], *v["MsgGenerators"]]
    assert cs.p1.hex() == v["P1"]
    assert be.g1_to_bytes(compute_p1(cs, be)).hex() == v["P1"]


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_mocked_rng(suite: str, d: str) -> None:
    v = load("bbs", d, "mockedRng.json")
    got = seeded_random_scalars(h(v["seed"]), h(v["dst"]), v["count"], resolve_suite(suite))
    assert got == [int(x, 16) for x in v["mockedScalars"]]


@pytest.mark.parametrize(("suite", "path"), cases("bbs", "signature"))
def test_signature(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    msgs = [h(m) for m in v["messages"]]
    sk, pk = h(v["signerKeyPair"]["secretKey"]), h(v["signerKeyPair"]["publicKey"])
    expected = v["result"]["valid"]
    assert bbs.verify(pk, h(v["signature"]), h(v["header"]), msgs, suite=suite, backend=backend) is expected
    if expected:
        assert bbs.sign(sk, pk, h(v["header"]), msgs, suite=suite, backend=backend).hex() == v["signature"]


@pytest.mark.parametrize(("suite", "path"), cases("bbs", "proof"))
def test_proof(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    cs = resolve_suite(suite)
    rngv = load("bbs", SUITES[suite], "mockedRng.json")
    rng = mocked_rng(h(rngv["seed"]), h(rngv["dst"]), cs)
    msgs = [h(m) for m in v["messages"]]
    idx = v["disclosedIndexes"]
    pk = h(v["signerPublicKey"])
    args = (h(v["header"]), h(v["presentationHeader"]))
    ok = bbs.proof_verify(pk, h(v["proof"]), *args, [msgs[i] for i in idx], idx, suite=suite, backend=backend)
    assert ok is v["result"]["valid"]
    if v["result"]["valid"]:
        proof = bbs.proof_gen(pk, h(v["signature"]), *args, msgs, idx, suite=suite, backend=backend, rng=rng)
        assert proof.hex() == v["proof"]
