"""draft-irtf-cfrg-bbs-blind-signatures-02 vectors (tests/vectors/bbs-blind), every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdk import bbs
from sdk.bbs.blind import blind_generators
from sdk.bbs.ciphersuite import resolve_suite
from sdk.bbs.generators import create_generators_raw
from sdk.bbs.utils import mocked_rng
from sdk.curves import get_backend
from tests.vectorlib import SUITES, cases, h, load, read, scalar

SUITE_PARAMS = [pytest.param(s, d, id=d) for s, d in SUITES.items()]


@pytest.mark.parametrize(("suite", "d"), SUITE_PARAMS)
def test_generators(suite: str, d: str, backend: str) -> None:
    cs = resolve_suite(suite)
    be = get_backend(backend)
    v = load("bbs-blind", d, "generators.json")
    _, octs = create_generators_raw(len(v["generators"]["MsgGenerators"]) + 1, cs.blind_api_id, cs, be)
    assert [o.hex() for o in octs] == [v["generators"]["Q1"], *v["generators"]["MsgGenerators"]]
    bg = blind_generators(len(v["blindGenerators"]["MsgGenerators"]) + 1, cs.blind_api_id, cs, be)
    assert bg.q1_octets.hex() == v["blindGenerators"]["Q1"]
    assert [o.hex() for o in bg.h_octets] == v["blindGenerators"]["MsgGenerators"]


@pytest.mark.parametrize(("suite", "path"), cases("bbs-blind", "commit"))
def test_commit(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    cs = resolve_suite(suite)
    rng = mocked_rng(v["mockRngParameters"]["SEED"].encode(), v["mockRngParameters"]["commit"]["DST"].encode(), cs)
    cwp, blind = bbs.commit([h(m) for m in v["committedMessages"]], suite=suite, backend=backend, rng=rng)
    assert cwp.hex() == v["commitmentWithProof"]
    assert blind == scalar(v["proverBlind"])


@pytest.mark.parametrize(("suite", "path"), cases("bbs-blind", "signature"))
def test_blind_sign(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    sk, pk = h(v["signerKeyPair"]["secretKey"]), h(v["signerKeyPair"]["publicKey"])
    cwp = h(v["commitmentWithProof"]) if v["commitmentWithProof"] else None
    msgs = [h(m) for m in v["messages"]]
    sig = bbs.blind_sign(sk, pk, cwp, h(v["header"]), msgs, suite=suite, backend=backend)
    assert sig.hex() == v["signature"]
    committed = [h(m) for m in (v["committedMessages"] or [])]
    blind = scalar(v["proverBlind"]) if v["proverBlind"] else 0
    assert bbs.verify_blind_sign(pk, sig, h(v["header"]), msgs, committed, blind, suite=suite, backend=backend)
    assert not bbs.verify_blind_sign(pk, sig, h(v["header"]) + b"x", msgs, committed, blind, suite=suite, backend=backend)


@pytest.mark.parametrize(("suite", "path"), cases("bbs-blind", "proof"))
def test_blind_proof(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    cs = resolve_suite(suite)
    allm = load("bbs-blind", "messages.json")
    msgs = [h(m) for m in allm["messages"]]
    committed = [h(m) for m in allm["committedMessages"]] if v["revealedCommittedMessages"] is not None else []
    rev = {int(k): h(m) for k, m in v["revealedMessages"].items()}
    crev = {int(k): h(m) for k, m in (v["revealedCommittedMessages"] or {}).items()}
    pk = h(v["signerPublicKey"])
    blind = scalar(v["proverBlind"]) if v["proverBlind"] else 0
    rng = mocked_rng(v["mockRngParameters"]["SEED"].encode(), v["mockRngParameters"]["proof"]["DST"].encode(), cs)
    args = (h(v["header"]), h(v["presentationHeader"]))
    di, dci = sorted(rev), sorted(crev)
    proof = bbs.blind_proof_gen(
        pk, h(v["signature"]), *args, msgs, committed, di, dci, blind, suite=suite, backend=backend, rng=rng
    )
    assert proof.hex() == v["proof"]
    assert bbs.blind_proof_verify(
        pk, proof, *args, v["L"], [rev[i] for i in di], [crev[j] for j in dci], di, dci, suite=suite, backend=backend
    )
    # the same proof under another presentation header is INVALID
    assert not bbs.blind_proof_verify(
        pk, proof, args[0], args[1] + b"\x00", v["L"], [rev[i] for i in di], [crev[j] for j in dci], di, dci,
        suite=suite, backend=backend,
    )
