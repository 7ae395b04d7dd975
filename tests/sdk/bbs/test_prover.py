"""The commit -> challenge -> respond prover: shared blindings, attached parts, one parse."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from sdk import bbs
from sdk.bbs.prover import Layout, NymInputs, parse_proof, proof_commit, proof_verify_start
from sdk.bbs.utils import messages_to_scalars
from sdk.curves import get_backend
from sdk.errors import EncodingError, ParameterError

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
SUITE = "BLS12-381-SHA-256"
HEADER = b"zkaid prover test header"
MSGS = [b"alpha", b"beta", b"gamma", b"delta", b"epsilon"]


def signed(backend: str, *, nym: bool) -> tuple[bytes, bytes, list[int], NymInputs | None]:
    sk = bbs.keygen(b"zkaid prover test key material, 32 bytes or more", suite=SUITE)
    pk = bbs.sk_to_pk(sk, suite=SUITE, backend=backend)
    if not nym:
        sig = bbs.sign(sk, pk, HEADER, MSGS, suite=SUITE, backend=backend)
        from sdk.bbs.ciphersuite import resolve_suite

        cs = resolve_suite(SUITE)
        return pk, sig, messages_to_scalars(MSGS, cs.api_id, cs), None
    nyms = [11, 22]
    cwp, blind = bbs.commit_with_nym([], nyms, suite=SUITE, backend=backend)
    sig = bbs.blind_sign_with_nym(sk, pk, cwp, 2, 33, HEADER, MSGS, suite=SUITE, backend=backend)
    secrets_ = bbs.verify_finalize_with_nym(pk, sig, HEADER, MSGS, [], nyms, 33, blind, suite=SUITE,
                                            backend=backend)
    from sdk.bbs.ciphersuite import resolve_suite

    cs = resolve_suite(SUITE)
    return pk, sig, messages_to_scalars(MSGS, cs.nym_api_id, cs), NymInputs(secrets_, b"scope-1", blind)


class SchnorrPart:
    """A toy attached part: proves knowledge of m in C = m * G for the hidden message m,
    sharing the BBS blinding m~, so C is bound to the signed value."""

    def __init__(self, backend: str) -> None:
        self.be = get_backend(backend)
        self.G = self.be.g1_mul(self.be.g1_generator(), 7)

    def first_round(self, C: object, T: object) -> bytes:
        return b"schnorr-part" + self.be.g1_to_bytes(C) + self.be.g1_to_bytes(T)

    def ph(self, first: bytes) -> bytes:
        return hashlib.sha256(b"request digest" + first).digest()


@pytest.mark.parametrize("nym", [False, True])
def test_attached_part_shares_the_blinding(backend: str, nym: bool) -> None:
    pk, sig, scalars, nym_in = signed(backend, nym=nym)
    part = SchnorrPart(backend)
    be = part.be
    hidden = 2
    state = proof_commit(pk, sig, HEADER, scalars, [0, 4], nym=nym_in, suite=SUITE, backend=backend)
    m_tilde = state.blinding(hidden)
    C = be.g1_mul(part.G, scalars[hidden])
    first = part.first_round(C, be.g1_mul(part.G, m_tilde))
    proof = state.respond(part.ph(first))
    # the part's response is the BBS m^ for the same message: nothing extra to send
    assert proof.m_hat_of(hidden) == (m_tilde + scalars[hidden] * proof.challenge) % R
    with pytest.raises(ParameterError):
        state.respond(part.ph(first))  # one response per commitment
    with pytest.raises(ParameterError):
        state.blinding(0)  # disclosed: no blinding

    # verifier: parse once, recompute the part's first round from m^ and c, check both
    layout = Layout.for_nym(len(MSGS), 2, [0, 4]) if nym else Layout.plain(len(MSGS), [0, 4])
    wire_nym = proof.pseudonym_octets() if nym else None
    parsed = parse_proof(proof.to_octets(), layout, pseudonym=wire_nym, backend=backend)
    assert parsed.to_octets() == proof.to_octets() and parsed.m_hat == proof.m_hat
    T = be.g1_msm([part.G, C], [parsed.m_hat_of(hidden), (-parsed.challenge) % R])
    check = proof_verify_start(pk, parsed, HEADER, [scalars[0], scalars[4]],
                               context_id=nym_in.context_id if nym_in else None, suite=SUITE)
    assert check.verify(part.ph(part.first_round(C, T)))
    # a commitment to another value is not bound to the signed message: the challenge differs
    C_other = be.g1_mul(part.G, scalars[hidden] + 1)
    T_other = be.g1_msm([part.G, C_other], [parsed.m_hat_of(hidden), (-parsed.challenge) % R])
    assert not check.challenge_matches(part.ph(part.first_round(C_other, T_other)))


def test_caller_blindings_are_used_and_checked(backend: str) -> None:
    pk, sig, scalars, _ = signed(backend, nym=False)
    chosen = secrets.randbelow(R - 1) + 1
    state = proof_commit(pk, sig, HEADER, scalars, [0], blindings={3: chosen}, suite=SUITE, backend=backend)
    assert state.blinding(3) == chosen
    proof = state.respond(b"ph")
    assert proof.m_hat_of(3) == (chosen + scalars[3] * proof.challenge) % R
    assert bbs.proof_verify(pk, proof.to_octets(), HEADER, b"ph", [MSGS[0]], [0], suite=SUITE, backend=backend)
    for bad in ({0: chosen}, {9: chosen}, {3: 0}, {3: R}):
        with pytest.raises(ParameterError):
            proof_commit(pk, sig, HEADER, scalars, [0], blindings=bad, suite=SUITE, backend=backend)


def test_parse_checks_the_layout_and_the_pseudonym(backend: str) -> None:
    pk, sig, scalars, nym_in = signed(backend, nym=True)
    assert nym_in is not None
    proof = proof_commit(pk, sig, HEADER, scalars, [1], nym=nym_in, suite=SUITE, backend=backend).respond(b"")
    octets, nym = proof.to_octets(), proof.pseudonym_octets()
    good = Layout.for_nym(len(MSGS), 2, [1])
    assert parse_proof(octets, good, pseudonym=nym, backend=backend).challenge == proof.challenge
    with pytest.raises(EncodingError):
        parse_proof(octets, Layout.for_nym(len(MSGS), 2, [1, 2]), pseudonym=nym, backend=backend)
    with pytest.raises(EncodingError):
        parse_proof(octets, good, backend=backend)  # a nym proof needs its pseudonym
    with pytest.raises(EncodingError):
        parse_proof(octets, good, pseudonym=b"\x00" * 48, backend=backend)
    with pytest.raises(EncodingError):
        parse_proof(octets[:-1], good, pseudonym=nym, backend=backend)
    with pytest.raises(ParameterError):
        Layout.for_nym(len(MSGS), 0, [1])
