"""Range predicates on hidden BBS messages (specs/predicates.md).

Statement, for a hidden signed message m (an ``int`` or ``date`` attribute), one of
    ge: m >= a          delta = m - a
    le: m <= b          delta = b - m
    between: a <= m <= b   two deltas (m - a, b - m)
with each delta in [0, u^ell), proven in zero knowledge.

Construction: the base-u signature-based range proof of Camenisch, Chaabouni and shelat
(ASIACRYPT 2008, §4), composed with the BBS pseudonym proof by sharing its Fiat-Shamir
challenge c and its response m^ = m~ + m*c for the hidden message:

    C    = m * G + r * H                       Pedersen commitment to m (G, H: zkaid generators)
    for every digit j of every delta:
    V_j  = v_j * A_{d_j}                       blinded digit signature (A_i from RangeParams)
    W_j  = -d_j * V_j + v_j * BP1              (= x * V_j: checked by e(V_j, y) == e(W_j, BP2))
    T_C  = m~ * G + r~ * H
    T_j  = -d~_j * V_j + v~_j * BP1
with sum_j d~_j u^j = +m~ (ge) or -m~ (le), so that the responses satisfy the linear
relation of the witnesses: sum_j d^_j u^j = m^ - a*c (ge) or b*c - m^ (le). The last digit
response is therefore not sent; the verifier derives it from m^.

The first-round values (C, T_C, V_j, W_j, T_j, with the statement) are hashed into the BBS
presentation header, so the BBS challenge covers them; responses are r^, d^_j, v^_j.

The part attaches through the commit -> challenge -> respond prover of sdk.bbs.prover
(specs/prover.md): ``PredicateProver.attach(state, ...)`` takes m~ from
``state.blinding(index)``, and ``verify_predicate_part`` reads m^ and c from the parsed
BBS proof, so no caller handles random-scalar layouts or proof byte offsets.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sdk.bbs.batch import Equation
from sdk.bbs.ciphersuite import BLS12_381_SHA_256
from sdk.bbs.generators import create_generators
from sdk.bbs.prover import BbsProof, ProverState, neg_bp2
from sdk.bbs.utils import RNG, R
from sdk.curves import CurveBackend
from sdk.curves.base import G1
from sdk.curves.hashing import i2osp
from sdk.errors import EncodingError, ParameterError
from sdk.predicates.params import RangeParams
from sdk.reasons import PredicateReason

__all__ = [
    "OPS",
    "PredicateProver",
    "PredicateStatement",
    "PredicateVerification",
    "pedersen_generators",
    "proof_length",
    "verify_predicate",
    "verify_predicate_part",
]

OPS = ("ge", "le", "between")
_API_ID = b"ZKAID_PREDICATES_V1_"


def pedersen_generators(backend: CurveBackend) -> tuple[G1, G1]:
    """G, H = create_generators(2, "ZKAID_PREDICATES_V1_") (nothing-up-my-sleeve points)."""
    g = create_generators(2, _API_ID, BLS12_381_SHA_256, backend)
    return g.q1, g.h[0]


@dataclass(frozen=True)
class PredicateStatement:
    """A predicate on message ``index`` of the signed vector."""

    index: int
    op: str
    bounds: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ParameterError(f"unsupported predicate operator '{self.op}'")
        if len(self.bounds) != (2 if self.op == "between" else 1):
            raise ParameterError(f"predicate '{self.op}' has the wrong number of bounds")
        if any(not 0 <= b < 2**63 for b in self.bounds):
            raise ParameterError("predicate bounds must be in [0, 2^63)")

    @property
    def sides(self) -> tuple[tuple[int, int], ...]:
        """(sign, bound) per delta: delta = sign * m - sign * bound."""
        if self.op == "ge":
            return ((1, self.bounds[0]),)
        if self.op == "le":
            return ((-1, self.bounds[0]),)
        return ((1, self.bounds[0]), (-1, self.bounds[1]))

    def holds(self, m: int) -> bool:
        return all(s * (m - b) >= 0 for s, b in self.sides)

    def encode(self) -> bytes:
        return i2osp(self.index, 2) + self.op.encode() + b"".join(i2osp(b, 8) for b in self.bounds)


def proof_length(op: str, ell: int) -> int:
    sides = 2 if op == "between" else 1
    return 48 + 32 + sides * (ell * (48 + 48 + 32) + (ell - 1) * 32)


def _digits(delta: int, u: int, ell: int) -> list[int]:
    return [(delta // u**j) % u for j in range(ell)]


def _transcript(stmt: PredicateStatement, params: RangeParams, C: G1, T_C: G1,
                sides: Sequence[Sequence[tuple[G1, G1, G1]]], backend: CurveBackend) -> bytes:
    enc = backend.g1_to_bytes
    parts = [b"zkaid/predicate/v1", stmt.encode(), i2osp(params.u, 2), i2osp(params.ell, 1),
             hashlib.sha256(params.encoded).digest(), enc(C), enc(T_C)]
    for side in sides:
        for V, W, T in side:
            parts += [enc(V), enc(W), enc(T)]
    return b"".join(parts)


def _draw(rng: RNG | None, n: int) -> list[int]:
    if rng is None:
        return [secrets.randbelow(R - 1) + 1 for _ in range(n)]
    out = list(rng(n))
    if len(out) != n:
        raise ParameterError(f"rng must return {n} scalars")
    return [x % R for x in out]


@dataclass(frozen=True)
class _SideSecrets:
    digits: list[int]
    v: list[int]
    v_t: list[int]
    d_t: list[int]


@dataclass(frozen=True)
class _ProverState:
    r: int
    r_t: int
    C: G1
    first: list[list[tuple[G1, G1, G1]]]
    sides: list[_SideSecrets]


@dataclass
class PredicateProver:
    """Two-move prover: ``commit`` before the BBS challenge, ``respond`` after it.

    ``m_tilde`` MUST be the BBS proof's blinding scalar for the same message, which is what
    ties the predicate to the signed value. ``unsafe_digits`` is a TEST-ONLY hook that
    replaces the honest digit decomposition (to show that forged proofs are rejected).
    """

    stmt: PredicateStatement
    m: int
    m_tilde: int
    params: RangeParams
    backend: CurveBackend
    rng: RNG | None = None
    unsafe_digits: Sequence[Sequence[int]] | None = None
    _state: _ProverState | None = field(default=None, repr=False)

    @classmethod
    def attach(
        cls, bbs: ProverState, stmt: PredicateStatement, m: int, params: RangeParams,
        backend: CurveBackend, rng: RNG | None = None,
    ) -> PredicateProver:
        """A predicate on hidden message ``stmt.index`` of the BBS proof being built, using
        that proof's blinding m~ for the message (``rng`` for vectors only)."""
        return cls(stmt, m, bbs.blinding(stmt.index), params, backend, rng)

    def commit(self) -> bytes:
        """First round; returns the transcript bytes to hash into the presentation header."""
        be, p = self.backend, self.params
        u, ell = p.u, p.ell
        G, H = pedersen_generators(be)
        sides = self.stmt.sides
        if self.unsafe_digits is None:
            deltas = [s * (self.m - b) for s, b in sides]
            if any(d < 0 for d in deltas):
                raise ParameterError("the predicate does not hold for this value")
            if any(d > p.max_delta for d in deltas):
                raise ParameterError("the value is too far from the bound to prove with these parameters")
            digit_sets = [_digits(d, u, ell) for d in deltas]
        else:
            digit_sets = [list(ds) for ds in self.unsafe_digits]
        n_rand = 2 + len(sides) * (2 * ell + (ell - 1))
        rnd = _draw(self.rng, n_rand)
        r, r_t = rnd[0], rnd[1]
        rest = rnd[2:]
        C = be.g1_msm([G, H], [self.m, r])
        T_C = be.g1_msm([G, H], [self.m_tilde, r_t])
        first: list[list[tuple[G1, G1, G1]]] = []
        secrets_: list[_SideSecrets] = []
        for (sign, _b), digits in zip(sides, digit_sets, strict=True):
            v = rest[:ell]
            v_t = rest[ell : 2 * ell]
            d_t = rest[2 * ell : 3 * ell - 1]
            rest = rest[3 * ell - 1 :]
            # sum_j d~_j u^j = sign * m~: the last blinding is fixed by the others
            last = (sign * self.m_tilde - sum(dt * u**j for j, dt in enumerate(d_t))) * pow(u**(ell - 1), -1, R)
            d_t = [*d_t, last % R]
            side = []
            for j in range(ell):
                A = p.digits[digits[j]] if 0 <= digits[j] < u else be.g1_mul(be.g1_generator(), digits[j] + 7)
                V = be.g1_mul(A, v[j])
                W = be.g1_msm([V, be.g1_generator()], [-digits[j], v[j]])
                T = be.g1_msm([V, be.g1_generator()], [-d_t[j], v_t[j]])
                side.append((V, W, T))
            first.append(side)
            secrets_.append(_SideSecrets(digits, v, v_t[:ell], d_t))
        self._state = _ProverState(r, r_t, C, first, secrets_)
        return _transcript(self.stmt, p, C, T_C, first, be)

    def respond(self, c: int) -> bytes:
        """Responses for the BBS challenge ``c``; returns the predicate proof bytes."""
        be, ell = self.backend, self.params.ell
        st = self._state
        if st is None:
            raise ParameterError("commit() must run before respond()")
        out = [be.g1_to_bytes(st.C), i2osp((st.r_t + st.r * c) % R, 32)]
        for side, sec in zip(st.first, st.sides, strict=True):
            for V, W, _T in side:
                out += [be.g1_to_bytes(V), be.g1_to_bytes(W)]
            # v^_j = v~_j + v_j * c;  d^_j = d~_j + d_j * c (the last one is derived by the verifier)
            out += [i2osp((sec.v_t[j] + sec.v[j] * c) % R, 32) for j in range(ell)]
            out += [i2osp((sec.d_t[j] + sec.digits[j] * c) % R, 32) for j in range(ell - 1)]
        return b"".join(out)


@dataclass(frozen=True)
class PredicateVerification:
    """What the verifier reconstructs: transcript bytes and the (V, W) pairs to batch-check."""

    transcript: bytes
    pairs: tuple[tuple[G1, G1], ...]

    def equations(self, params: RangeParams, backend: CurveBackend) -> list[Equation]:
        """e(V_j, y) * e(W_j, -BP2) == 1 for every digit, to join a pairing batch."""
        y_id = b"range-y:" + params.encoded[:100]  # version, u, ell, y: names the key
        nb = neg_bp2(backend)
        return [Equation(((V, params.y, y_id), (W, *nb))) for V, W in self.pairs]


def _scalar(data: bytes) -> int:
    x = int.from_bytes(data, "big")
    if x >= R:
        raise EncodingError("predicate proof scalar out of range", reason=PredicateReason.INVALID_SCALAR)
    return x


def verify_predicate(
    stmt: PredicateStatement, proof: bytes, m_hat: int, c: int, params: RangeParams, backend: CurveBackend
) -> PredicateVerification:
    """Reconstruct the first round from the responses (raises EncodingError if malformed).

    The caller hashes ``transcript`` into the presentation header, verifies the BBS proof
    with it (which checks c), and runs the pairing check e(V, y) == e(W, BP2) on ``pairs``.
    """
    be, u, ell = backend, params.u, params.ell
    if not isinstance(proof, bytes) or len(proof) != proof_length(stmt.op, ell):
        raise EncodingError("predicate proof has the wrong length", reason=PredicateReason.INVALID_LENGTH)
    G, H = pedersen_generators(be)
    BP1 = be.g1_generator()
    C = be.g1_from_bytes(proof[:48])
    r_h = _scalar(proof[48:80])
    off = 80
    T_C = be.g1_msm([G, H, C], [m_hat, r_h, -c])
    sides_out: list[list[tuple[G1, G1, G1]]] = []
    pairs: list[tuple[G1, G1]] = []
    for sign, bound in stmt.sides:
        VW = []
        for _ in range(ell):
            V = be.g1_from_bytes(proof[off : off + 48])
            W = be.g1_from_bytes(proof[off + 48 : off + 96])
            VW.append((V, W))
            off += 96
        v_h = [_scalar(proof[off + 32 * j : off + 32 * (j + 1)]) for j in range(ell)]
        off += 32 * ell
        d_h = [_scalar(proof[off + 32 * j : off + 32 * (j + 1)]) for j in range(ell - 1)]
        off += 32 * (ell - 1)
        # sum_j d^_j u^j = sign * (m^ - bound * c)
        target = sign * (m_hat - bound * c)
        last = (target - sum(d * u**j for j, d in enumerate(d_h))) * pow(u**(ell - 1), -1, R)
        d_h.append(last % R)
        side = []
        for (V, W), dj, vj in zip(VW, d_h, v_h, strict=True):
            T = be.g1_msm([V, BP1, W], [-dj, vj, -c])
            side.append((V, W, T))
            pairs.append((V, W))
        sides_out.append(side)
    return PredicateVerification(_transcript(stmt, params, C, T_C, sides_out, be), tuple(pairs))


def verify_predicate_part(
    stmt: PredicateStatement, proof: bytes, bbs: BbsProof, params: RangeParams, backend: CurveBackend,
) -> PredicateVerification:
    """``verify_predicate`` with m^ and c taken from the parsed BBS proof the part is
    attached to (raises ParameterError if the message is disclosed there)."""
    return verify_predicate(stmt, proof, bbs.m_hat_of(stmt.index), bbs.challenge, params, backend)
