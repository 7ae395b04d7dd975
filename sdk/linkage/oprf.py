"""Threshold 2HashDH OPRF over BLS12-381 G1 with DLEQ proofs (specs/linkage.md §3).

The construction is RFC 9497 ("Oblivious Pseudorandom Functions (OPRFs) Using Prime-Order
Groups") instantiated on a group the RFC does not list, so this is a NON-STANDARD suite built
from the RFC's generic construction:

- identifier ``zkaid-BLS12381G1-SHA256``, mode ``modeVOPRF`` (0x01): each steward is a VOPRF
  server (§3.3.2) whose public key is its *public share*, so a wrong answer is caught by the
  DLEQ proof of §2.2; the combined output is the plain 2HashDH OPRF value of §3.3.1 under the
  dealt key, ``Hash(len || input || len || k * HashToGroup(input) || "Finalize")``;
- contextString = "OPRFV1-" || I2OSP(0x01, 1) || "-" || "zkaid-BLS12381G1-SHA256" (§3.1);
- Group: the prime-order subgroup G1 of BLS12-381, order r; HashToGroup is RFC 9380
  ``BLS12381G1_XMD:SHA-256_SSWU_RO_`` with DST "HashToGroup-" || contextString;
  HashToScalar is hash_to_field mod r (expand_message_xmd, SHA-256, L = 48) with DST
  "HashToScalar-" || contextString; SerializeElement is the 48-byte compressed encoding,
  DeserializeElement checks curve and subgroup and rejects the identity (§4.7.2 rules);
  SerializeScalar is 32 bytes big-endian; Hash is SHA-256 (Nh = 32).

Threshold (Jarecki, Kiayias, Krawczyk, Xu, "TOPPSS: Cost-minimal Password-Protected Secret
Sharing based on Threshold OPRF", ACNS 2017): the key k is Shamir-shared t-of-n, steward i
answers ``k_i * B`` with a DLEQ proof against ``P_i = k_i * G``, and the client recombines
``k * B = sum(lambda_i * k_i * B)`` with Lagrange coefficients at zero, then unblinds.
Fewer than t stewards learn nothing about k; the client cannot evaluate without t stewards.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import cbor2

from sdk.curves import G1, CurveBackend, get_backend
from sdk.curves.hashing import BLS12_381_R, hash_to_field_fp, hash_to_scalar, i2osp
from sdk.errors import EncodingError, InvalidProofError, ParameterError, VerificationError
from sdk.reasons import LinkageReason

__all__ = [
    "CONTEXT_STRING",
    "IDENTIFIER",
    "MAX_BATCH",
    "BlindState",
    "StewardAnswer",
    "StewardProofError",
    "StewardShare",
    "TooFewAnswersError",
    "blind",
    "deal_shares",
    "evaluate",
    "finalize",
    "lagrange_at_zero",
    "local_evaluator",
    "steward_evaluate",
]

IDENTIFIER = b"zkaid-BLS12381G1-SHA256"
MODE_VOPRF = 0x01
# RFC 9497 §3.1: contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier
CONTEXT_STRING = b"OPRFV1-" + i2osp(MODE_VOPRF, 1) + b"-" + IDENTIFIER
_DST_H2G = b"HashToGroup-" + CONTEXT_STRING
_DST_H2S = b"HashToScalar-" + CONTEXT_STRING
NE = 48  # serialized element
NS = 32  # serialized scalar
MAX_BATCH = 1 << 20  # elements in one steward request / answer
MAX_INPUT = 65535  # RFC 9497 §3.3: inputs longer than 2^16 - 1 bytes are refused
R = BLS12_381_R

Rng = Callable[[int], bytes]


class TooFewAnswersError(VerificationError):
    """Fewer than t distinct stewards answered: the OPRF value cannot be computed."""

    default_reason: ClassVar[str] = LinkageReason.TOO_FEW_ANSWERS


class StewardProofError(InvalidProofError):
    """A steward's answer is malformed or its DLEQ proof fails; ``steward`` names it."""

    default_reason: ClassVar[str] = LinkageReason.BAD_STEWARD_PROOF

    def __init__(self, message: str, *, steward: int, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.steward = steward


# -- group helpers (RFC 9497 §2.1 and §4) ----------------------------------------------------


def _random_scalar(rng: Rng | None) -> int:
    """RandomScalar(): uniform in [1, r - 1] by rejection from 64 random bytes reduced mod r."""
    draw = rng or secrets.token_bytes
    while True:
        k = int.from_bytes(draw(64), "big") % R
        if k != 0:
            return k


def _hash_to_group(backend: CurveBackend, msg: bytes) -> G1:
    """HashToGroup: RFC 9380 §3 hash_to_curve (random oracle) for BLS12-381 G1."""
    u0, u1 = hash_to_field_fp(msg, _DST_H2G, 2, "xmd-sha256")
    return backend.map_to_g1(u0, u1)


def _hash_to_scalar(msg: bytes) -> int:
    """HashToScalar with the default DST "HashToScalar-" || contextString (L = 48)."""
    return hash_to_scalar(msg, _DST_H2S, "xmd-sha256", 48)


def _ser_scalar(k: int) -> bytes:
    return i2osp(k % R, NS)


def _de_scalar(data: bytes, what: str) -> int:
    if len(data) != NS:
        raise EncodingError(f"{what} must be {NS} bytes, got {len(data)}", reason=LinkageReason.INVALID_SCALAR)
    k = int.from_bytes(data, "big")
    if k >= R:
        raise EncodingError(f"{what} is not reduced mod r", reason=LinkageReason.INVALID_SCALAR)
    return k


def _de_element(backend: CurveBackend, data: bytes) -> G1:
    """DeserializeElement: length, curve, subgroup; the identity is refused (RFC 9497 §4.7.2)."""
    return backend.g1_from_bytes(bytes(data))


def _len_prefixed(*parts: bytes) -> bytes:
    return b"".join(i2osp(len(p), 2) + p for p in parts)


# -- DLEQ proofs (RFC 9497 §2.2) -------------------------------------------------------------


def _compute_composites(
    backend: CurveBackend, b_ser: bytes, c_ser: Sequence[bytes], c: Sequence[G1],
    d: Sequence[G1], k: int | None,
) -> tuple[G1, G1]:
    """ComputeComposites (§2.2.2), or ComputeCompositesFast (Z = k * M) when ``k`` is given."""
    # seedDST = "Seed-" || contextString; seed = Hash(len(Bm) || Bm || len(seedDST) || seedDST)
    seed = hashlib.sha256(_len_prefixed(b_ser, b"Seed-" + CONTEXT_STRING)).digest()
    weights: list[int] = []
    for i, (ci, dp) in enumerate(zip(c_ser, d, strict=True)):
        di = backend.g1_to_bytes(dp)
        # compositeTranscript = len(seed)||seed||I2OSP(i,2)||len(Ci)||Ci||len(Di)||Di||"Composite"
        transcript = i2osp(len(seed), 2) + seed + i2osp(i, 2) + _len_prefixed(ci, di) + b"Composite"
        weights.append(_hash_to_scalar(transcript))
    # M = sum(d_i * C[i]); Z = sum(d_i * D[i]) (Fast: Z = k * M)
    m = backend.g1_msm(list(c), weights)
    z = backend.g1_mul(m, k) if k is not None else backend.g1_msm(list(d), weights)
    return m, z


def _challenge(backend: CurveBackend, b_ser: bytes, m: G1, z: G1, t2: G1, t3: G1) -> int:
    # challengeTranscript = len(Bm)||Bm||len(a0)||a0||len(a1)||a1||len(a2)||a2||len(a3)||a3||"Challenge"
    parts = [b_ser, *(backend.g1_to_bytes(x) for x in (m, z, t2, t3))]
    return _hash_to_scalar(_len_prefixed(*parts) + b"Challenge")


def _generate_proof(
    backend: CurveBackend, k: int, b: G1, c_ser: Sequence[bytes], c: Sequence[G1],
    d: Sequence[G1], rng: Rng | None,
) -> bytes:
    """GenerateProof (§2.2.1) with A = G, B = k * G, batched over (C[i], D[i] = k * C[i])."""
    b_ser = backend.g1_to_bytes(b)
    m, z = _compute_composites(backend, b_ser, c_ser, c, d, k)
    r = _random_scalar(rng)
    t2 = backend.g1_mul(backend.g1_generator(), r)  # t2 = r * A
    t3 = backend.g1_mul(m, r)  # t3 = r * M
    ch = _challenge(backend, b_ser, m, z, t2, t3)
    s = (r - ch * k) % R  # s = r - c * k
    return _ser_scalar(ch) + _ser_scalar(s)


def _verify_proof(
    backend: CurveBackend, b: G1, c_ser: Sequence[bytes], c: Sequence[G1], d: Sequence[G1],
    proof: bytes,
) -> bool:
    """VerifyProof (§2.2.3): recompute t2 = s*A + c*B and t3 = s*M + c*Z, compare challenges."""
    if len(proof) != 2 * NS:
        return False
    ch = int.from_bytes(proof[:NS], "big")
    s = int.from_bytes(proof[NS:], "big")
    if ch >= R or s >= R:
        return False
    b_ser = backend.g1_to_bytes(b)
    m, z = _compute_composites(backend, b_ser, c_ser, c, d, None)
    t2 = backend.g1_msm([backend.g1_generator(), b], [s, ch])
    t3 = backend.g1_msm([m, z], [s, ch])
    return _challenge(backend, b_ser, m, z, t2, t3) == ch


# -- key dealing (Shamir over Z_r) -----------------------------------------------------------


@dataclass(frozen=True)
class StewardShare:
    """One steward's share k_i = f(i) of the OPRF key and its public share P_i = k_i * G.

    Secret: it never leaves the steward; ``repr`` does not show it."""

    index: int
    share: int = field(repr=False)
    public_share: bytes

    def to_bytes(self) -> bytes:
        """CBOR [version 1, index, share (32 bytes), public share (48 bytes)]."""
        return cbor2.dumps([1, self.index, _ser_scalar(self.share), self.public_share])

    @classmethod
    def from_bytes(cls, data: bytes, *, backend: str | CurveBackend | None = None) -> StewardShare:
        """Strict decode; the public share must be the share times the generator."""
        be = get_backend(backend)
        try:
            obj = cbor2.loads(data) if len(data) <= 256 else None
        except (cbor2.CBORDecodeError, ValueError, TypeError) as exc:
            raise EncodingError(f"not a steward share: {exc}", reason=LinkageReason.BAD_SHARE) from exc
        if (not isinstance(obj, list) or len(obj) != 4 or obj[0] != 1 or not isinstance(obj[1], int)
                or not isinstance(obj[2], bytes) or not isinstance(obj[3], bytes)):
            raise EncodingError("not a version-1 steward share", reason=LinkageReason.BAD_SHARE)
        index, k = obj[1], _de_scalar(obj[2], "steward share")
        if not 1 <= index <= 255 or k == 0:
            raise EncodingError("steward share has an index outside 1..255 or a zero share",
                                reason=LinkageReason.BAD_SHARE)
        if be.g1_to_bytes(be.g1_mul(be.g1_generator(), k)) != obj[3]:
            raise EncodingError("steward share does not match its public share", reason=LinkageReason.BAD_SHARE)
        return cls(index, k, bytes(obj[3]))


def deal_shares(t: int, n: int, rng: Rng | None = None, *,
                backend: str | CurveBackend | None = None) -> tuple[bytes, list[StewardShare]]:
    """Draw a key k and split it t-of-n (Shamir): f(x) = k + a_1 x + ... + a_{t-1} x^{t-1}.

    Returns the public key k * G and the n shares f(1..n) with their public shares. The
    dealer (an offline ceremony, or the local try-out) must forget k and the coefficients."""
    if not 1 <= t <= n <= 255:
        raise ParameterError(f"need 1 <= t <= n <= 255 stewards, got t={t}, n={n}")
    be = get_backend(backend)
    coeffs = [_random_scalar(rng) for _ in range(t)]
    g = be.g1_generator()

    def f(x: int) -> int:
        acc = 0
        for a in reversed(coeffs):  # Horner
            acc = (acc * x + a) % R
        return acc

    shares = []
    for i in range(1, n + 1):
        k_i = f(i)
        while k_i == 0:  # probability 2^-255; re-deal rather than hand out a zero share
            return deal_shares(t, n, rng, backend=be)
        shares.append(StewardShare(i, k_i, be.g1_to_bytes(be.g1_mul(g, k_i))))
    return be.g1_to_bytes(be.g1_mul(g, coeffs[0])), shares


def lagrange_at_zero(indexes: Sequence[int]) -> dict[int, int]:
    """lambda_i = prod_{j != i} j / (j - i) mod r, so that f(0) = sum lambda_i f(i)."""
    if len(set(indexes)) != len(indexes) or any(not 1 <= i < R for i in indexes):
        raise ParameterError("Lagrange interpolation needs distinct positive indexes")
    out = {}
    for i in indexes:
        num, den = 1, 1
        for j in indexes:
            if j != i:
                num = num * j % R
                den = den * (j - i) % R
        out[i] = num * pow(den, -1, R) % R
    return out


# -- the protocol (RFC 9497 §3.3) ------------------------------------------------------------


@dataclass(frozen=True)
class BlindState:
    """What the client keeps between blind() and finalize(): inputs, blinds, blinded elements."""

    inputs: tuple[bytes, ...]
    blinds: tuple[int, ...] = field(repr=False)
    blinded: tuple[bytes, ...] = field(repr=False)
    points: tuple[G1, ...] = field(repr=False, compare=False, default=())


@dataclass(frozen=True)
class StewardAnswer:
    """One steward's batched answer: D[i] = k_i * C[i] and one DLEQ proof for all of them."""

    index: int
    evaluated: tuple[bytes, ...]
    proof: bytes

    def to_bytes(self) -> bytes:
        """CBOR [version 1, index, [element, ...], proof (c || s, 64 bytes)]."""
        return cbor2.dumps([1, self.index, list(self.evaluated), self.proof])

    @classmethod
    def from_bytes(cls, data: bytes) -> StewardAnswer:
        """Strict framing decode (sizes, types); the points are checked in :func:`finalize`."""
        if len(data) > MAX_BATCH * (NE + 3) + 128:
            raise EncodingError("steward answer too large", reason=LinkageReason.TOO_LARGE)
        try:
            obj = cbor2.loads(data)
        except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError) as exc:
            raise EncodingError(f"not a steward answer: {exc}", reason=LinkageReason.BAD_ANSWER) from exc
        if (not isinstance(obj, list) or len(obj) != 4 or obj[0] != 1 or not isinstance(obj[1], int)
                or not isinstance(obj[2], list) or not isinstance(obj[3], bytes)
                or len(obj[3]) != 2 * NS
                or not all(isinstance(e, bytes) and len(e) == NE for e in obj[2])):
            raise EncodingError("not a version-1 steward answer", reason=LinkageReason.BAD_ANSWER)
        return cls(obj[1], tuple(obj[2]), obj[3])


def blind(inputs: Sequence[bytes], rng: Rng | None = None, *,
          backend: str | CurveBackend | None = None) -> tuple[BlindState, list[bytes]]:
    """Blind (§3.3.1): blind = RandomScalar(); blindedElement = blind * HashToGroup(input).

    One fresh blind per input, so a steward cannot relate two inputs of a batch."""
    be = get_backend(backend)
    if len(inputs) > MAX_BATCH:
        raise ParameterError(f"at most {MAX_BATCH} inputs per batch")
    blinds: list[int] = []
    blinded: list[bytes] = []
    points: list[G1] = []
    for x in inputs:
        if not isinstance(x, (bytes, bytearray)) or len(x) > MAX_INPUT:
            raise ParameterError("each OPRF input must be bytes of at most 65535 bytes")
        p = _hash_to_group(be, bytes(x))
        if be.g1_is_identity(p):  # inputElement == G.Identity() -> InvalidInputError
            raise ParameterError("input hashes to the identity element", reason=LinkageReason.INVALID_INPUT)
        r = _random_scalar(rng)
        blinds.append(r)
        points.append(be.g1_mul(p, r))
        blinded.append(be.g1_to_bytes(points[-1]))
    state = BlindState(tuple(bytes(x) for x in inputs), tuple(blinds), tuple(blinded), tuple(points))
    return state, blinded


def steward_evaluate(share: StewardShare, blinded: Sequence[bytes], rng: Rng | None = None, *,
                     backend: str | CurveBackend | None = None) -> StewardAnswer:
    """BlindEvaluate (§3.3.2) with the share: D[i] = k_i * C[i], plus one batched DLEQ proof.

    Every blinded element is decoded with curve and subgroup checks; the identity is refused."""
    be = get_backend(backend)
    if len(blinded) > MAX_BATCH:
        raise ParameterError(f"at most {MAX_BATCH} blinded elements per request")
    c = [_de_element(be, x) for x in blinded]
    d = [be.g1_mul(p, share.share) for p in c]
    proof = _generate_proof(be, share.share, be.g1_from_bytes(share.public_share), list(blinded),
                            c, d, rng)
    return StewardAnswer(share.index, tuple(be.g1_to_bytes(x) for x in d), proof)


def _finalize_hash(x: bytes, n_ser: bytes) -> bytes:
    # hashInput = len(input) || input || len(unblindedElement) || unblindedElement || "Finalize"
    return hashlib.sha256(_len_prefixed(x, n_ser) + b"Finalize").digest()


def finalize(state: BlindState, answers: Sequence[StewardAnswer], public_shares: Mapping[int, bytes],
             t: int, *, backend: str | CurveBackend | None = None) -> list[bytes]:
    """Check each answer's DLEQ proof, combine t of them, unblind, hash (§3.3.1 Finalize).

    N = blind^-1 * sum(lambda_i * D_i); output = Hash(len||input||len||N||"Finalize").
    A malformed or unproven answer raises :class:`StewardProofError` naming the steward (it is
    never silently skipped); fewer than t distinct proven answers raise TooFewAnswersError."""
    be = get_backend(backend)
    if t < 1:
        raise ParameterError("the threshold t must be at least 1")
    seen: set[int] = set()
    valid: list[tuple[int, list[G1]]] = []
    blinded_pts = (list(state.points) if len(state.points) == len(state.blinded)
                   else [be.g1_from_bytes(x) for x in state.blinded])
    for ans in answers:
        if ans.index in seen:
            raise ParameterError(f"two answers from steward {ans.index}")
        seen.add(ans.index)
        if ans.index not in public_shares:
            raise StewardProofError(f"steward {ans.index} is not in the steward configuration",
                                    steward=ans.index, reason=LinkageReason.UNKNOWN_STEWARD)
        if len(ans.evaluated) != len(state.blinded):
            raise StewardProofError(
                f"steward {ans.index} answered {len(ans.evaluated)} elements for "
                f"{len(state.blinded)} asked", steward=ans.index)
        try:
            d = [_de_element(be, x) for x in ans.evaluated]
            pk = _de_element(be, public_shares[ans.index])
        except EncodingError as exc:
            raise StewardProofError(f"steward {ans.index} sent an invalid element: {exc}",
                                    steward=ans.index) from exc
        if not _verify_proof(be, pk, state.blinded, blinded_pts, d, ans.proof):
            raise StewardProofError(
                f"steward {ans.index}'s answer fails its DLEQ proof: it is refused",
                steward=ans.index)
        valid.append((ans.index, d))
    if len(valid) < t:
        raise TooFewAnswersError(
            f"{len(valid)} steward answer(s) for a threshold of {t}: nothing can be computed",
        )
    use = valid[:t]
    lam = lagrange_at_zero([i for i, _ in use])
    out = []
    for j, x in enumerate(state.inputs):
        inv = pow(state.blinds[j], -1, R)
        # N = blind^-1 * sum_i lambda_i * D_i[j]
        n = be.g1_identity()
        for i, d in use:
            n = be.g1_add(n, be.g1_mul(d[j], lam[i] * inv % R))
        out.append(_finalize_hash(x, be.g1_to_bytes(n)))
    return out


def evaluate(secret_key: int, inputs: Sequence[bytes], *,
             backend: str | CurveBackend | None = None) -> list[bytes]:
    """Evaluate (§3.3.1) with the whole key: Hash(len||input||len||k*HashToGroup(input)||"Finalize").

    Only for tests and vectors: in operation nobody holds k (it is recombined from t shares
    only in the exponent)."""
    be = get_backend(backend)
    return [_finalize_hash(x, be.g1_to_bytes(be.g1_mul(_hash_to_group(be, x), secret_key)))
            for x in inputs]


def local_evaluator(shares: Sequence[StewardShare], t: int, *,
                    backend: str | CurveBackend | None = None) -> Callable[[list[bytes]], list[bytes]]:
    """An evaluator ``(inputs) -> outputs`` running t local stewards (the try-out set).

    It goes through the full blind / evaluate / prove / verify / finalize path, so its outputs
    equal those of the real stewards holding the same shares."""
    if len(shares) < t:
        raise TooFewAnswersError(f"{len(shares)} share(s) for a threshold of {t}: cannot encode")
    public = {s.index: s.public_share for s in shares}
    chosen = list(shares)[:t]

    def run(inputs: list[bytes]) -> list[bytes]:
        if not inputs:
            return []
        state, blinded = blind(inputs, backend=backend)
        answers = [steward_evaluate(s, blinded, backend=backend) for s in chosen]
        return finalize(state, answers, public, t, backend=backend)

    return run
