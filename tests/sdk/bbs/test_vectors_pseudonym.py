"""draft-irtf-cfrg-bbs-per-verifier-linkability-02 vectors (tests/vectors/bbs-pseudonyms)."""

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
    v = load("bbs-pseudonyms", d, "generators.json")
    assert v["generators"]["api_id"].encode() == cs.nym_api_id
    _, octs = create_generators_raw(len(v["generators"]["MsgGenerators"]) + 1, cs.nym_api_id, cs, be)
    assert [o.hex() for o in octs] == [v["generators"]["Q1"], *v["generators"]["MsgGenerators"]]
    bg = blind_generators(len(v["blindGenerators"]["MsgGenerators"]) + 1, cs.nym_api_id, cs, be)
    assert [bg.q1_octets.hex(), *(o.hex() for o in bg.h_octets)] == [
        v["blindGenerators"]["Q1"], *v["blindGenerators"]["MsgGenerators"]
    ]


@pytest.mark.parametrize(("suite", "path"), cases("bbs-pseudonyms", "nymCommit"))
def test_commit_with_nym(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    cs = resolve_suite(suite)
    rng = mocked_rng(v["mockRngParameters"]["SEED"].encode(), v["mockRngParameters"]["commit"]["DST"].encode(), cs)
    cwp, blind = bbs.commit_with_nym(
        [h(m) for m in v["committedMessages"]], [scalar(n) for n in v["proverNyms"]],
        suite=suite, backend=backend, rng=rng,
    )
    assert cwp.hex() == v["commitmentWithProof"]
    assert blind == scalar(v["proverBlind"])


@pytest.mark.parametrize(("suite", "path"), cases("bbs-pseudonyms", "nymSignature"))
def test_blind_sign_with_nym(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    sk, pk = h(v["signerKeyPair"]["secretKey"]), h(v["signerKeyPair"]["publicKey"])
    nyms = [scalar(n) for n in v["proverNyms"]]
    entropy = scalar(v["signer_nym_entropy"])
    msgs = [h(m) for m in v["messages"]]
    committed = [h(m) for m in v["committedMessages"]]
    sig = bbs.blind_sign_with_nym(
        sk, pk, h(v["commitmentWithProof"]), len(nyms), entropy, h(v["header"]), msgs,
        suite=suite, backend=backend,
    )
    assert sig.hex() == v["signature"]
    secrets_ = bbs.verify_finalize_with_nym(
        pk, sig, h(v["header"]), msgs, committed, nyms, entropy, scalar(v["proverBlind"]),
        suite=suite, backend=backend,
    )
    assert secrets_ == [scalar(n) for n in v["nym_secrets"]]


@pytest.mark.parametrize(("suite", "path"), cases("bbs-pseudonyms", "nymProof"))
def test_proof_with_nym(suite: str, path: Path, backend: str) -> None:
    v = read(path)
    cs = resolve_suite(suite)
    pk = h(v["signerPublicKey"])
    msgs = [h(m) for m in v["messages"]]
    committed = [h(m) for m in v["committedMessages"]]
    nym_secrets = [scalar(n) for n in v["nym_secrets"]]
    rev = {int(k): h(m) for k, m in (v["revealedMessages"] or {}).items()}
    crev = {int(k): h(m) for k, m in (v["revealedCommittedMessages"] or {}).items()}
    di, dci = sorted(rev), sorted(crev)
    ctx = h(v["context_id"])
    rng = mocked_rng(v["mockRngParameters"]["SEED"].encode(), v["mockRngParameters"]["proof"]["DST"].encode(), cs)
    args = (h(v["header"]), h(v["presentationHeader"]))
    proof, nym = bbs.proof_gen_with_nym(
        pk, h(v["signature"]), *args, nym_secrets, ctx, msgs, committed, di, dci,
        scalar(v["proverBlind"]), suite=suite, backend=backend, rng=rng,
    )
    assert nym.hex() == v["pseudonym"]
    assert proof.hex() == v["proof"]
    assert bbs.calculate_pseudonym(ctx, nym_secrets, suite=suite, backend=backend).hex() == v["pseudonym"]
    N = len(nym_secrets)
    dm, dcm = [rev[i] for i in di], [crev[j] for j in dci]
    assert bbs.proof_verify_with_nym(pk, proof, *args, nym, ctx, N, v["L"], dm, dcm, di, dci, suite=suite, backend=backend)
    # another scope, or another N, is INVALID for the same proof
    assert not bbs.proof_verify_with_nym(pk, proof, *args, nym, ctx + b"x", N, v["L"], dm, dcm, di, dci, suite=suite, backend=backend)
    assert not bbs.proof_verify_with_nym(pk, proof, *args, nym, ctx, N + 1, v["L"], dm, dcm, di, dci, suite=suite, backend=backend)
