"""The BBS proof as commit -> challenge -> respond, with room for attached proof parts.

draft-irtf-cfrg-bbs-signatures §3.7 "Proof Protocol Subroutines" (ProofInit,
ProofChallengeCalculate, ProofFinalize, ProofVerifyInit) and, for pseudonyms,
draft-irtf-cfrg-bbs-per-verifier-linkability-02 §7.3 (PseudonymProofInit,
PseudonymProofVerifyInit) and §8.1 (ProofWithPseudonymChallengeCalculate). The one-shot
operations (``proof_gen``, ``proof_verify``, ``proof_gen_with_nym``, ...) are thin wrappers
over this module; the shape follows mattrglobal/pairing_crypto's ``proof_committed_builder``:
the prover first commits (ProofInit), anyone who wants to prove something more about the
same hidden messages commits too, one challenge covers everything, then each part responds.

Attaching a proof part (specs/prover.md; sdk/predicates/range_proof.py is a worked part)::

    from sdk.bbs.batch import PairingBatch
    from sdk.bbs.prover import Layout, NymInputs, parse_proof, proof_commit, proof_verify_start
    from sdk.credential.profile import presentation_header   # the ph fold of the zkaid profile

    # prover (sdk/credential/holder.py, Holder.present)
    state = proof_commit(pk, signature, header, msg_scalars, disclosed,
                         nym=NymInputs(nym_secrets, context_id, prover_blind),
                         suite=suite, backend=be)
    m_tilde = state.blinding(i)              # BBS blinding m~_i of hidden message i
    t = my_part.commit(m_tilde)              # its first round, e.g. T = m~_i*G + r~*H, as bytes
    ph = presentation_header(request_digest, [t])   # the part's commitments enter the challenge
    proof = state.respond(ph)                # BbsProof: Abar, Bbar, D, e^, r1^, r3^, m^, c, pseudonym
    part_response = my_part.respond(proof.challenge)   # same c; m^_i is not sent twice
    wire_proof, wire_nym = proof.to_octets(), proof.pseudonym_octets()

    # verifier (sdk/credential/verifier.py, prepare_presentation)
    layout = Layout.for_nym(L, N, disclosed)
    proof = parse_proof(wire_proof, layout, pseudonym=wire_nym, backend=be)   # decoded once
    m_hat = proof.m_hat_of(i)                # m^_i = m~_i + m_i * c, shared with the part
    t = my_part.recompute(part_response, m_hat, proof.challenge)   # its first round again
    check = proof_verify_start(pk, proof, header, disclosed_scalars, context_id=context_id,
                               suite=suite)
    ok = check.challenge_matches(presentation_header(request_digest, [t]))
    batch = PairingBatch(be)                 # pairings last, all in one multi-pairing
    batch.add(check.pairing_equation())      # plus any Equation the part needs
    ok = ok and batch.check()

The part's first round is folded into the presentation header ``ph``, which the draft's
challenge already hashes: the IETF vectors (empty or fixed ph) stay byte-exact, and the
one challenge binds the BBS proof, the pseudonym and every attached part. ``blindings=``
lets a caller choose m~_i for chosen hidden messages instead (they MUST be fresh uniform
scalars drawn from the OS CSPRNG and used once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from sdk.bbs.batch import Equation
from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.encoding import (
    Signature,
    octets_to_proof,
    octets_to_pubkey,
    octets_to_signature,
    proof_to_octets,
)
from sdk.bbs.generators import (
    MAX_GENERATORS,
    Generators,
    blind_generators,
    create_generators,
    hash_to_curve_g1,
)
from sdk.bbs.signature import clear_bases, domain_and_base
from sdk.bbs.utils import RNG, R, hash_to_scalar, random_scalars
from sdk.bbs.utils import BackendArg as Backend
from sdk.bbs.utils import SuiteArg as Suite
from sdk.curves import CurveBackend, get_backend
from sdk.curves.base import G1, G2
from sdk.curves.hashing import i2osp
from sdk.errors import EncodingError, ParameterError
from sdk.reasons import BbsReason

__all__ = [
    "MAX_NYMS",
    "BbsProof",
    "InitResult",
    "Layout",
    "NymInputs",
    "ProofCheck",
    "ProverState",
    "Responses",
    "challenge_prefix",
    "check_disclosed_indexes",
    "clear_caches",
    "combined_disclosed",
    "disclosed_base",
    "neg_bp2",
    "nym_generators",
    "nym_header",
    "op_and_z",
    "parse_proof",
    "poly",
    "proof_challenge_calculate",
    "proof_commit",
    "proof_commit_core",
    "proof_finalize",
    "proof_init",
    "proof_verify_init",
    "proof_verify_start",
    "proof_verify_start_core",
    "pseudonym_challenge_calculate",
]

MAX_NYMS = 1024


# ------------------------------------------------------------------ index layout


def check_disclosed_indexes(indexes: Sequence[int], L: int) -> list[int]:
    """Indexes are 0-based, strictly ascending (so unique) and within [0, L-1]."""
    out = []
    prev = -1
    for i in indexes:
        if not isinstance(i, int) or isinstance(i, bool):
            raise ParameterError("disclosed indexes must be integers")
        if i < 0 or i >= L:
            raise ParameterError(f"disclosed index {i} is out of range for {L} messages")
        if i <= prev:
            raise ParameterError("disclosed indexes must be strictly ascending (sorted, unique)")
        prev = i
        out.append(i)
    return out


def combined_disclosed(
    L: int, disclosed_indexes: Sequence[int], disclosed_commitment_indexes: Sequence[int],
    M: int,
) -> list[int]:
    """Blind draft §4.2 / nym draft §6.2: indexes into msgs || secret_prover_blind ||
    committed; committed message j sits at L + 1 + j."""
    d = check_disclosed_indexes(disclosed_indexes, L)
    dc = check_disclosed_indexes(disclosed_commitment_indexes, M)
    return d + [L + 1 + j for j in dc]


def _check_n(N: int) -> None:
    if not isinstance(N, int) or isinstance(N, bool) or N < 1 or N > MAX_NYMS:
        raise ParameterError(f"the number of nym secrets N must be in 1..{MAX_NYMS}")


@dataclass(frozen=True)
class Layout:
    """Which entries of the signed scalar vector a proof discloses.

    Plain BBS: the vector is the L messages. Pseudonym proofs (nym draft §6.2): the vector
    is messages (L) || secret_prover_blind || committed messages (M) || nym_secrets (N),
    and ``disclosed`` holds indexes into that combined vector.
    """

    L: int
    disclosed: tuple[int, ...]
    N: int = 0
    M: int = 0

    @property
    def total(self) -> int:
        return self.L + 1 + self.M + self.N if self.N else self.L

    @cached_property
    def undisclosed(self) -> tuple[int, ...]:
        # cached on the (frozen) instance: the prover and verifier ask for it several times
        d = set(self.disclosed)
        return tuple(j for j in range(self.total) if j not in d)

    @classmethod
    def plain(cls, L: int, disclosed_indexes: Sequence[int]) -> Layout:
        if not isinstance(L, int) or L < 0 or L + 1 > MAX_GENERATORS:
            raise ParameterError("the number of messages is out of range")
        return cls(L, tuple(check_disclosed_indexes(disclosed_indexes, L)))

    @classmethod
    def for_nym(
        cls, L: int, N: int, disclosed_indexes: Sequence[int], M: int = 0,
        disclosed_commitment_indexes: Sequence[int] = (),
    ) -> Layout:
        _check_n(N)
        if not isinstance(L, int) or L < 0 or L + 1 > MAX_GENERATORS:
            raise ParameterError("the number of messages is out of range")
        if not isinstance(M, int) or M < 0 or M + N + 1 > MAX_GENERATORS:
            raise ParameterError("the number of committed messages is out of range")
        disclosed = combined_disclosed(L, disclosed_indexes, disclosed_commitment_indexes, M)
        return cls(L, tuple(disclosed), N, M)


# ------------------------------------------------------------- pseudonym helpers


def nym_header(header: bytes, N: int) -> bytes:
    """The combined header header || I2OSP(N, 8) that binds N into the signature."""
    return header + i2osp(N, 8)


@lru_cache(maxsize=256)
def op_and_z(context_id: bytes, api_id: bytes, suite: Ciphersuite, backend: CurveBackend) -> tuple[G1, int]:
    """Nym draft §4: OP = hash_to_curve_g1(context_id, api_id) and
    z = hash_to_scalar(context_id, api_id || "VECT_NYM_SECRETS"). Cached: a field device
    checks many people in the same scope."""
    OP = hash_to_curve_g1(context_id, api_id, suite, backend)
    z = hash_to_scalar(context_id, api_id + b"VECT_NYM_SECRETS", suite)
    backend.g1_prepare_fixed(OP, uses=2)  # every pseudonym in this scope is a multiple of OP
    return OP, z


def poly(coeffs: Sequence[int], z: int) -> int:
    """sum_i coeffs[i] * z^i mod r (Horner)."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * z + c) % R
    return acc


@lru_cache(maxsize=256)
def nym_generators(L: int, M_total: int, suite: Ciphersuite, backend: CurveBackend) -> Generators:
    """(Q_1, H_1..H_L) || (Q_2, J_1..J_{M+N}) under the pseudonym api_id; cached per
    shape (a verifier checks many presentations of one schema)."""
    api = suite.nym_api_id
    return create_generators(L + 1, api, suite, backend).extend(
        blind_generators(M_total + 1, api, suite, backend)
    )


def _layout_generators(layout: Layout, suite: Ciphersuite, backend: CurveBackend) -> tuple[Generators, bytes]:
    if layout.N:
        return nym_generators(layout.L, layout.M + layout.N, suite, backend), suite.nym_api_id
    return create_generators(layout.L + 1, suite.api_id, suite, backend), suite.api_id


# ------------------------------------------------------- §3.7 proof subroutines


@dataclass(frozen=True)
class InitResult:
    """(Abar, Bbar, D, T1, T2, domain) as returned by ProofInit / ProofVerifyInit."""

    Abar: G1
    Bbar: G1
    D: G1
    T1: G1
    T2: G1
    domain: int
    # Abar || Bbar || D compressed, when already at hand (a parsed proof's own bytes), so
    # the challenge does not encode them again
    abd_octets: bytes = field(default=b"", repr=False, compare=False)


def proof_init(
    pk: bytes, sig: Signature, gens: Generators, rand: Sequence[int], header: bytes,
    msg_scalars: Sequence[int], undisclosed: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend,
) -> InitResult:
    """§3.7.1 ProofInit."""
    # (r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU) = random_scalars
    r1, r2, e_t, r1_t, r3_t = rand[:5]
    m_t = rand[5:]
    # domain = calculate_domain(PK, Q_1, (H_1, ..., H_L), header, api_id)
    domain, base = domain_and_base(pk, gens, header, api_id, suite, backend)
    if len(msg_scalars) > len(gens.h):
        raise ParameterError("more messages than generators")
    # B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L  (P1 + Q_1 * domain cached per key)
    # D = B * r2  (one multi-scalar multiplication with the scalars multiplied out)
    D = backend.g1_msm(
        [base, *gens.h[: len(msg_scalars)]], [r2, *(m * r2 % R for m in msg_scalars)]
    )
    # Abar = A * (r1 * r2)
    Abar = backend.g1_mul(sig.A, r1 * r2 % R)
    # Bbar = D * r1 - Abar * e
    Bbar = backend.g1_msm([D, Abar], [r1, (-sig.e) % R])
    # T1 = Abar * e~ + D * r1~
    T1 = backend.g1_msm([Abar, D], [e_t, r1_t])
    # T2 = D * r3~ + H_j1 * m~_j1 + ... + H_jU * m~_jU
    T2 = backend.g1_msm([D, *(gens.h[j] for j in undisclosed)], [r3_t, *m_t])
    # encoded once: the challenge hashes them and the proof carries them (§4.2.4.4)
    abd = b"".join(backend.g1_to_bytes(P) for P in (Abar, Bbar, D))
    return InitResult(Abar, Bbar, D, T1, T2, domain, abd)


def challenge_prefix(
    disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int], init: InitResult,
    backend: CurveBackend,
) -> bytes:
    """serialize((R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2)), shared by §3.7.4
    and the pseudonym draft's challenge (which appends pseudonym and Ut before domain)."""
    parts = [i2osp(len(disclosed_indexes), 8)]
    for i, m in zip(disclosed_indexes, disclosed_scalars, strict=True):
        parts.append(i2osp(i, 8))
        parts.append(m.to_bytes(32, "big"))
    if init.abd_octets:
        parts.append(init.abd_octets)
    else:
        parts += [backend.g1_to_bytes(P) for P in (init.Abar, init.Bbar, init.D)]
    parts.append(backend.g1_to_bytes(init.T1))
    parts.append(backend.g1_to_bytes(init.T2))
    return b"".join(parts)


def proof_challenge_calculate(
    init: InitResult, disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int],
    ph: bytes, api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
) -> int:
    """§3.7.4 ProofChallengeCalculate.

    c_arr = (R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2, domain)
    c_octs = serialize(c_arr) || I2OSP(length(ph), 8) || ph
    challenge = hash_to_scalar(c_octs, api_id || "H2S_")
    """
    c_octs = (
        challenge_prefix(disclosed_indexes, disclosed_scalars, init, backend)
        + init.domain.to_bytes(32, "big")
        + i2osp(len(ph), 8)
        + ph
    )
    return hash_to_scalar(c_octs, api_id + b"H2S_", suite)


def pseudonym_challenge_calculate(
    init: InitResult, disclosed_indexes: Sequence[int], disclosed_scalars: Sequence[int],
    pseudonym: G1, Ut: G1, ph: bytes, context_id: bytes, api_id: bytes, suite: Ciphersuite,
    backend: CurveBackend, pseudonym_octets: bytes = b"",
) -> int:
    """Nym draft §8.1 ProofWithPseudonymChallengeCalculate.

    c_arr = (R, i1, msg_i1, ..., Abar, Bbar, D, T1, T2, pseudonym, Ut, domain)
    c_octs = serialize(c_arr) || I2OSP(len(ph), 8) || ph || I2OSP(len(context_id), 8) || context_id
    """
    c_octs = (
        challenge_prefix(disclosed_indexes, disclosed_scalars, init, backend)
        + (pseudonym_octets or backend.g1_to_bytes(pseudonym))
        + backend.g1_to_bytes(Ut)
        + init.domain.to_bytes(32, "big")
        + i2osp(len(ph), 8)
        + ph
        + i2osp(len(context_id), 8)
        + context_id
    )
    return hash_to_scalar(c_octs, api_id + b"H2S_", suite)


@dataclass(frozen=True)
class Responses:
    """(e^, r1^, r3^, (m^_j1, ..., m^_jU), c) of §3.7.2, with the ProofInit points."""

    e_hat: int
    r1_hat: int
    r3_hat: int
    m_hat: tuple[int, ...]
    challenge: int
    init: InitResult


def proof_finalize(
    init: InitResult, challenge: int, e: int, rand: Sequence[int], undisclosed_scalars: Sequence[int],
) -> Responses:
    """§3.7.2 ProofFinalize: the responses (serialised by ``BbsProof.to_octets``, §4.2.4.4)."""
    r1, r2, e_t, r1_t, r3_t = rand[:5]
    m_t = rand[5:]
    # r3 = r2^-1 (mod r)
    r3 = pow(r2, -1, R)
    # e^ = e~ + e_value * challenge;  r1^ = r1~ - r1 * challenge;  r3^ = r3~ - r3 * challenge
    e_h = (e_t + e * challenge) % R
    r1_h = (r1_t - r1 * challenge) % R
    r3_h = (r3_t - r3 * challenge) % R
    # m^_j = m~_j + undisclosed_j * challenge
    m_h = tuple((mt + m * challenge) % R for mt, m in zip(m_t, undisclosed_scalars, strict=True))
    return Responses(e_h, r1_h, r3_h, m_h, challenge, init)


def proof_verify_init(
    pk: bytes, Abar: G1, Bbar: G1, D: G1, e_hat: int, r1_hat: int, r3_hat: int,
    m_hat: Sequence[int], c: int, gens: Generators, header: bytes,
    disclosed_scalars: Sequence[int], disclosed_indexes: Sequence[int], api_id: bytes,
    suite: Ciphersuite, backend: CurveBackend, abd_octets: bytes = b"",
) -> InitResult:
    """§3.7.3 ProofVerifyInit.

    T1 = Bbar * c + Abar * e^ + D * r1^
    Bv = P1 + Q_1 * domain + H_i1 * msg_i1 + ... + H_iR * msg_iR
    T2 = Bv * c + D * r3^ + H_j1 * m^_j1 + ... + H_jU * m^_jU
    Bv depends only on the key, the header and the disclosed values, so it is computed once
    per combination (``disclosed_base``): people checked at one site mostly disclose the
    same values (a region, a programme), and each proof then costs U + 2 points for T2
    instead of R + U + 2.
    """
    L = len(gens.h)
    disclosed = set(disclosed_indexes)
    undisclosed = [j for j in range(L) if j not in disclosed]
    domain, Bv = disclosed_base(pk, gens, header, disclosed_indexes, disclosed_scalars, api_id, suite, backend)
    T1 = backend.g1_msm([Bbar, Abar, D], [c, e_hat, r1_hat])
    pts = [Bv, D, *(gens.h[j] for j in undisclosed)]
    scs = [c, r3_hat, *m_hat]
    if len(scs) != len(pts):
        raise ParameterError("the proof's m^ do not match the undisclosed messages")
    T2 = backend.g1_msm(pts, scs)
    return InitResult(Abar, Bbar, D, T1, T2, domain, abd_octets)


_BV: dict[tuple[object, ...], tuple[int, G1]] = {}
_MAX_BV = 4096


def disclosed_base(
    pk: bytes, gens: Generators, header: bytes, disclosed_indexes: Sequence[int],
    disclosed_scalars: Sequence[int], api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
) -> tuple[int, G1]:
    """(domain, Bv) with Bv = P1 + Q_1 * domain + H_i1 * msg_i1 + ... + H_iR * msg_iR (§3.7.3),
    cached per (key, generators, header, disclosed values): public values only."""
    domain, base = domain_and_base(pk, gens, header, api_id, suite, backend)
    if not disclosed_indexes:
        return domain, base
    idx, vals = tuple(disclosed_indexes), tuple(disclosed_scalars)
    if len(idx) != len(vals):
        raise ParameterError("one disclosed value is needed per disclosed index")
    key = (bytes(pk), gens.q1_octets, gens.h_octets, bytes(header), api_id, suite, backend, idx, vals)
    hit = _BV.get(key)
    if hit is not None:
        # disclosed values met again (a region, a programme): worth a table from the 3rd use
        backend.g1_prepare_fixed(hit[1], uses=3)
        return hit
    Bv = backend.g1_add(base, backend.g1_msm([gens.h[i] for i in idx], list(vals)))
    if len(_BV) >= _MAX_BV:
        _BV.clear()
    _BV[key] = (domain, Bv)
    return domain, Bv


def clear_caches() -> None:
    """Forget the cached (domain, Bv) values (benchmarks of first-time verification)."""
    _BV.clear()
    clear_bases()


# ------------------------------------------------------------------ parsed proof


@dataclass(frozen=True)
class BbsProof:
    """A BBS proof decoded once: (Abar, Bbar, D, e^, r1^, r3^, (m^_j1..m^_jU), c) of §3.7.2,
    the layout it was made for and, for pseudonym proofs, the pseudonym point."""

    Abar: G1
    Bbar: G1
    D: G1
    e_hat: int
    r1_hat: int
    r3_hat: int
    m_hat: tuple[int, ...]
    challenge: int
    layout: Layout
    backend: CurveBackend = field(repr=False, compare=False)
    pseudonym: G1 | None = None
    # the compressed Abar || Bbar || D and pseudonym as received or first encoded, so that
    # neither the challenge nor to_octets encodes a point twice
    abd_octets: bytes = field(default=b"", repr=False, compare=False)
    nym_octets: bytes = field(default=b"", repr=False, compare=False)

    def m_hat_of(self, index: int) -> int:
        """m^_i = m~_i + m_i * c for the hidden entry ``index`` of the signed vector."""
        try:
            k = self.layout.undisclosed.index(index)
        except ValueError:
            raise ParameterError(f"entry {index} is disclosed or out of range, it has no m^") from None
        return self.m_hat[k]

    def to_octets(self) -> bytes:
        """§4.2.4.4 proof_to_octets."""
        scalars = [self.e_hat, self.r1_hat, self.r3_hat, *self.m_hat, self.challenge]
        if self.abd_octets:
            return self.abd_octets + b"".join(s.to_bytes(32, "big") for s in scalars)
        return proof_to_octets(self.Abar, self.Bbar, self.D, scalars, self.backend)

    def pseudonym_octets(self) -> bytes:
        if self.pseudonym is None:
            raise ParameterError("this proof carries no pseudonym")
        return self.nym_octets or self.backend.g1_to_bytes(self.pseudonym)


def parse_proof(
    data: bytes, layout: Layout, *, pseudonym: bytes | None = None, backend: Backend = None,
) -> BbsProof:
    """Decode a proof (and its pseudonym) once: §4.2.4.5 octets_to_proof with every point
    checked on the curve, in the subgroup and not the identity, every scalar in 1..r-1, and
    the number of m^ matching ``layout``. Raises EncodingError."""
    be = get_backend(backend)
    prf = octets_to_proof(data, be)
    U = len(layout.undisclosed)
    if len(prf.m_hat) != U:
        raise EncodingError(
            f"the proof hides {len(prf.m_hat)} values where {U} were expected", reason=BbsReason.INVALID_LENGTH
        )
    if bool(layout.N) != (pseudonym is not None):
        raise EncodingError("a pseudonym goes with a pseudonym proof and only there", reason=BbsReason.FIELD)
    if pseudonym is not None and not isinstance(pseudonym, (bytes, bytearray)):
        raise EncodingError("a pseudonym must be bytes", reason=BbsReason.FIELD)
    nym_octets = bytes(pseudonym) if pseudonym is not None else b""
    nym = be.g1_from_bytes(nym_octets) if pseudonym is not None else None
    return BbsProof(
        prf.Abar, prf.Bbar, prf.D, prf.e_hat, prf.r1_hat, prf.r3_hat, prf.m_hat, prf.challenge,
        layout, be, nym, bytes(data[:144]), nym_octets,
    )


# ----------------------------------------------------------------------- prover


@dataclass(frozen=True)
class NymInputs:
    """The prover's pseudonym inputs of nym draft §6.2 ProofGenWithNym."""

    nym_secrets: Sequence[int] = field(repr=False)
    context_id: bytes
    prover_blind: int = field(repr=False)
    committed_scalars: Sequence[int] = field(default=(), repr=False)
    disclosed_commitment_indexes: Sequence[int] = ()


@dataclass(frozen=True)
class _NymCommitment:
    context_id: bytes
    pseudonym: G1
    Ut: G1
    pseudonym_octets: bytes


class ProverState:
    """ProofInit done (and PseudonymProofInit for nym proofs); waiting for the challenge.

    Holds the random scalars: never log it, never reuse it for a second ``respond``.
    """

    __slots__ = (
        "_api_id", "_backend", "_disclosed", "_disclosed_scalars", "_e", "_init", "_layout",
        "_m_tilde", "_nym", "_rand5", "_responded", "_suite", "_undisclosed_scalars",
    )

    def __init__(
        self, *, init: InitResult, rand5: tuple[int, ...], m_tilde: tuple[int, ...], e: int,
        layout: Layout, disclosed_scalars: tuple[int, ...], undisclosed_scalars: tuple[int, ...],
        nym: _NymCommitment | None, api_id: bytes, suite: Ciphersuite, backend: CurveBackend,
    ) -> None:
        self._init, self._rand5, self._m_tilde, self._e = init, rand5, m_tilde, e
        self._layout, self._nym = layout, nym
        self._disclosed = layout.disclosed
        self._disclosed_scalars, self._undisclosed_scalars = disclosed_scalars, undisclosed_scalars
        self._api_id, self._suite, self._backend = api_id, suite, backend
        self._responded = False

    def __repr__(self) -> str:
        return f"ProverState(layout={self._layout!r}, <random scalars>)"

    @property
    def init(self) -> InitResult:
        return self._init

    @property
    def layout(self) -> Layout:
        return self._layout

    @property
    def pseudonym(self) -> G1 | None:
        return self._nym.pseudonym if self._nym is not None else None

    def blinding(self, index: int) -> int:
        """m~_index: the BBS blinding of a hidden entry, for a part that proves something
        about the same message (its response then equals the BBS m^ for that entry)."""
        try:
            k = self._layout.undisclosed.index(index)
        except ValueError:
            raise ParameterError(f"entry {index} is disclosed or out of range, it has no blinding") from None
        return self._m_tilde[k]

    def challenge(self, ph: bytes) -> int:
        """§3.7.4 ProofChallengeCalculate (or nym §8.1) over ph, which carries the attached
        parts' first rounds."""
        if not isinstance(ph, (bytes, bytearray)) or len(ph) > 2**64 - 1:
            raise ParameterError("the presentation header must be bytes")
        ph = bytes(ph)
        if self._nym is None:
            return proof_challenge_calculate(
                self._init, self._disclosed, self._disclosed_scalars, ph, self._api_id,
                self._suite, self._backend,
            )
        return pseudonym_challenge_calculate(
            self._init, self._disclosed, self._disclosed_scalars, self._nym.pseudonym,
            self._nym.Ut, ph, self._nym.context_id, self._api_id, self._suite, self._backend,
            self._nym.pseudonym_octets,
        )

    def respond(self, ph: bytes) -> BbsProof:
        """Challenge, then §3.7.2 ProofFinalize. One response per state: a second one would
        give two answers to two challenges over the same randomness and leak the witness."""
        if self._responded:
            raise ParameterError("this prover state has already responded; commit again")
        c = self.challenge(ph)
        self._responded = True
        r = proof_finalize(self._init, c, self._e, [*self._rand5, *self._m_tilde], self._undisclosed_scalars)
        i = self._init
        return BbsProof(
            i.Abar, i.Bbar, i.D, r.e_hat, r.r1_hat, r.r3_hat, r.m_hat, c, self._layout,
            self._backend, self.pseudonym, i.abd_octets,
            self._nym.pseudonym_octets if self._nym is not None else b"",
        )


def proof_commit_core(
    pk: bytes, signature: bytes, gens: Generators, header: bytes, scalars: Sequence[int],
    layout: Layout, api_id: bytes, suite: Ciphersuite, backend: CurveBackend, *,
    nym: NymInputs | None = None, blindings: Mapping[int, int] | None = None,
    rng: RNG | None = None,
) -> ProverState:
    """ProofInit over the full scalar vector (§3.6.3 steps 1-6, nym draft §6.2 + §7.3.1)."""
    if len(scalars) != len(gens.h) or len(scalars) != layout.total:
        raise ParameterError("the proof needs exactly one generator per signed value")
    sig = octets_to_signature(signature, backend)
    octets_to_pubkey(pk, backend)  # §6.1: validate PK
    undisclosed = layout.undisclosed
    # random_scalars = calculate_random_scalars(5 + U)
    rand = random_scalars(5 + len(undisclosed), rng)
    m_tilde = list(rand[5:])
    for idx, value in (blindings or {}).items():
        if idx not in undisclosed:
            raise ParameterError(f"entry {idx} is disclosed or out of range: it cannot take a blinding")
        if not isinstance(value, int) or not 0 < value < R:
            raise ParameterError("a supplied blinding must be a scalar in 1..r-1")
        m_tilde[undisclosed.index(idx)] = value
    init = proof_init(
        pk, sig, gens, [*rand[:5], *m_tilde], header, scalars, undisclosed, api_id, suite, backend
    )
    nym_c = None
    if nym is not None:
        N = layout.N
        # §7.3.1 PseudonymProofInit: pseudonym = OP * poly(nym_secrets, z); the nym secrets
        # are the last N undisclosed entries, so their blindings are the last N m~.
        OP, z = op_and_z(nym.context_id, api_id, suite, backend)
        P = backend.g1_mul(OP, poly(scalars[-N:], z))
        if backend.g1_is_identity(P):
            raise ParameterError("nym secrets give the identity pseudonym")
        # Ut = OP * poly(m~_nym, z)
        Ut = backend.g1_mul(OP, poly(m_tilde[-N:], z))
        nym_c = _NymCommitment(bytes(nym.context_id), P, Ut, backend.g1_to_bytes(P))
    return ProverState(
        init=init, rand5=tuple(rand[:5]), m_tilde=tuple(m_tilde), e=sig.e, layout=layout,
        disclosed_scalars=tuple(scalars[i] for i in layout.disclosed),
        undisclosed_scalars=tuple(scalars[j] for j in undisclosed), nym=nym_c, api_id=api_id,
        suite=suite, backend=backend,
    )


def proof_commit(
    pk: bytes, signature: bytes, header: bytes, msg_scalars: Sequence[int],
    disclosed_indexes: Sequence[int], *, nym: NymInputs | None = None,
    blindings: Mapping[int, int] | None = None, suite: Suite = "BLS12-381-SHA-256",
    backend: Backend = None, rng: RNG | None = None,
) -> ProverState:
    """Commit: ProofInit for ProofGen (§3.5.3) or, with ``nym``, ProofGenWithNym (nym §6.2).

    ``msg_scalars`` are the signer's messages already mapped to scalars (under the suite's
    api_id, or its pseudonym api_id for nym proofs). ``blindings`` maps hidden message
    indexes to caller-chosen m~ (fresh CSPRNG scalars only). ``rng`` is for vectors only.
    """
    cs = resolve_suite(suite)
    be = get_backend(backend)
    L = len(msg_scalars)
    if nym is None:
        layout = Layout.plain(L, disclosed_indexes)
        gens, api = _layout_generators(layout, cs, be)
        return proof_commit_core(
            pk, signature, gens, header, list(msg_scalars), layout, api, cs, be,
            blindings=blindings, rng=rng,
        )
    N, Mc = len(nym.nym_secrets), len(nym.committed_scalars)
    layout = Layout.for_nym(L, N, disclosed_indexes, Mc, nym.disclosed_commitment_indexes)
    gens, api = _layout_generators(layout, cs, be)
    # messages || secret_prover_blind || committed_messages || nym_secrets
    scalars = [
        *msg_scalars, nym.prover_blind % R, *nym.committed_scalars, *(n % R for n in nym.nym_secrets)
    ]
    return proof_commit_core(
        pk, signature, gens, nym_header(header, N), scalars, layout, api, cs, be, nym=nym,
        blindings=blindings, rng=rng,
    )


# --------------------------------------------------------------------- verifier


@lru_cache(maxsize=8)
def neg_bp2(backend: CurveBackend) -> tuple[G2, bytes]:
    """-BP2 and the id under which pairing batches share it."""
    return backend.g2_neg(backend.g2_generator()), b"-BP2"


@dataclass(frozen=True)
class ProofCheck:
    """ProofVerifyInit done (and PseudonymProofVerifyInit): the challenge can be recomputed
    for a given ph, and the pairing equation e(Abar, W) * e(Bbar, -BP2) == 1 is ready to be
    checked alone or batched with others (``batch_pairing_terms``)."""

    proof: BbsProof
    pk: bytes
    W: G2
    init: InitResult
    disclosed_scalars: tuple[int, ...]
    api_id: bytes
    suite: Ciphersuite
    context_id: bytes | None
    Uv: G1 | None

    def challenge(self, ph: bytes) -> int:
        be, p = self.proof.backend, self.proof
        if self.context_id is None or self.Uv is None or p.pseudonym is None:
            return proof_challenge_calculate(
                self.init, p.layout.disclosed, self.disclosed_scalars, bytes(ph), self.api_id,
                self.suite, be,
            )
        return pseudonym_challenge_calculate(
            self.init, p.layout.disclosed, self.disclosed_scalars, p.pseudonym, self.Uv, bytes(ph),
            self.context_id, self.api_id, self.suite, be, p.nym_octets,
        )

    def challenge_matches(self, ph: bytes) -> bool:
        """The Fiat-Shamir check: the recomputed challenge equals the proof's c."""
        return self.challenge(ph) == self.proof.challenge

    def pairing_equation(self) -> Equation:
        """h(Abar, W) * h(Bbar, -BP2) == Identity_GT (§3.6.4 step 8), as an equation that
        can join a small-exponent batch (sdk.bbs.batch)."""
        be = self.proof.backend
        return Equation(((self.proof.Abar, self.W, self.pk), (self.proof.Bbar, *neg_bp2(be))))

    def pairing_holds(self) -> bool:
        """h(Abar, W) * h(Bbar, -BP2) == Identity_GT, checked alone."""
        be = self.proof.backend
        return be.pairing_check([(P, Q) for P, Q, _ in self.pairing_equation().terms])

    def verify(self, ph: bytes) -> bool:
        """§3.6.4 CoreProofVerify (nym §6.3) result: VALID (True) or INVALID (False)."""
        return self.challenge_matches(ph) and self.pairing_holds()


def proof_verify_start_core(
    pk: bytes, proof: BbsProof, gens: Generators, header: bytes, disclosed_scalars: Sequence[int],
    api_id: bytes, suite: Ciphersuite, *, context_id: bytes | None = None,
) -> ProofCheck:
    """ProofVerifyInit (§3.7.3), plus PseudonymProofVerifyInit (nym §7.3.2) when the proof
    carries a pseudonym. Raises EncodingError/ParameterError on inputs that cannot verify."""
    be = proof.backend
    layout = proof.layout
    W = octets_to_pubkey(pk, be)
    if len(disclosed_scalars) != len(layout.disclosed):
        raise ParameterError("one disclosed value is needed per disclosed index")
    if len(gens.h) != layout.total:
        raise ParameterError("the generators do not match the proof layout")
    dsc = tuple(m % R for m in disclosed_scalars)
    init = proof_verify_init(
        pk, proof.Abar, proof.Bbar, proof.D, proof.e_hat, proof.r1_hat, proof.r3_hat,
        proof.m_hat, proof.challenge, gens, header, dsc, layout.disclosed, api_id, suite, be,
        proof.abd_octets,
    )
    Uv = None
    if layout.N:
        if context_id is None or proof.pseudonym is None:
            raise ParameterError("a pseudonym proof needs its context_id and pseudonym")
        # §7.3.2: Uv = OP * sum m^_nym[i] * z^i - pseudonym * c
        OP, z = op_and_z(bytes(context_id), api_id, suite, be)
        Uv = be.g1_msm(
            [OP, proof.pseudonym], [poly(proof.m_hat[-layout.N :], z), (-proof.challenge) % R]
        )
    return ProofCheck(proof, bytes(pk), W, init, dsc, api_id, suite, bytes(context_id) if context_id is not None else None, Uv)


def proof_verify_start(
    pk: bytes, proof: BbsProof, header: bytes, disclosed_scalars: Sequence[int], *,
    context_id: bytes | None = None, suite: Suite = "BLS12-381-SHA-256",
) -> ProofCheck:
    """Verifier side of ProofVerify (§3.5.4) / ProofVerifyWithNym (nym §6.3) over a parsed
    proof: the generators and header follow from ``proof.layout``."""
    cs = resolve_suite(suite)
    gens, api = _layout_generators(proof.layout, cs, proof.backend)
    hdr = nym_header(header, proof.layout.N) if proof.layout.N else header
    return proof_verify_start_core(
        pk, proof, gens, hdr, disclosed_scalars, api, cs, context_id=context_id
    )
