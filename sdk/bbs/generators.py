"""Generator points (draft-irtf-cfrg-bbs-signatures §4.1.1 "Generators Calculation").

create_generators is deterministic and costly (one hash_to_curve per point), so points
are cached per (ciphersuite, api_id, backend) together with the running seed ``v``,
which lets the list grow later without recomputing it (the draft allows this).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache

from sdk.bbs.ciphersuite import Ciphersuite
from sdk.curves import CurveBackend
from sdk.curves.base import G1
from sdk.curves.hashing import expand_message, hash_to_field_fp, i2osp
from sdk.errors import ParameterError

__all__ = [
    "Generators",
    "blind_generators",
    "create_generators",
    "create_generators_raw",
    "hash_to_curve_g1",
    "p1_point",
]

MAX_GENERATORS = 4096  # far above any credential; bounds work an attacker can ask for


@dataclass(frozen=True)
class Generators:
    """Q_1 and the message generators (H_1..H_L, possibly followed by Q_2, J_1..J_M)."""

    q1: G1
    q1_octets: bytes
    h: tuple[G1, ...]
    h_octets: tuple[bytes, ...]

    def extend(self, other: Generators) -> Generators:
        """gens || blind_gens as the blind/nym drafts combine them: (Q_1, H.., Q_2, J..)."""
        return Generators(
            self.q1,
            self.q1_octets,
            (*self.h, other.q1, *other.h),
            (*self.h_octets, other.q1_octets, *other.h_octets),
        )


def blind_generators(count: int, api_id: bytes, suite: Ciphersuite, backend: CurveBackend) -> Generators:
    """Blind draft §4.1: (Q_2, J_1, ..., J_{count-1}) = create_generators(count, "BLIND_" || api_id)."""
    return create_generators(count, b"BLIND_" + api_id, suite, backend)


def hash_to_curve_g1(msg: bytes, dst: bytes, suite: Ciphersuite, backend: CurveBackend) -> G1:
    """RFC 9380 §3 hash_to_curve for the suite's G1 hash (XMD:SHA-256 or XOF:SHAKE-256)."""
    u0, u1 = hash_to_field_fp(msg, dst, 2, suite.expand)
    return backend.map_to_g1(u0, u1)


class _Stream:
    """The generator sequence for one (seed, DSTs, suite, backend), extended on demand."""

    def __init__(
        self, generator_seed: bytes, seed_dst: bytes, generator_dst: bytes, suite: Ciphersuite,
        backend: CurveBackend,
    ) -> None:
        self.seed_dst = seed_dst
        self.generator_dst = generator_dst
        self.suite = suite
        self.backend = backend
        # v = expand_message(generator_seed, seed_dst, expand_len)
        self.v = expand_message(generator_seed, seed_dst, suite.expand_len, suite.expand)
        self.points: list[G1] = []
        self.octets: list[bytes] = []
        self.lock = threading.Lock()

    def take(self, count: int) -> tuple[list[G1], list[bytes]]:
        with self.lock:
            while len(self.points) < count:
                i = len(self.points) + 1
                # v = expand_message(v || I2OSP(i, 8), seed_dst, expand_len)
                self.v = expand_message(
                    self.v + i2osp(i, 8), self.seed_dst, self.suite.expand_len, self.suite.expand
                )
                # generator_i = hash_to_curve_g1(v, generator_dst)
                g = hash_to_curve_g1(self.v, self.generator_dst, self.suite, self.backend)
                self.points.append(g)
                self.octets.append(self.backend.g1_to_bytes(g))
            pts = self.points[:count]
            for g in pts:
                # every signature and proof multiplies them: the backend may keep tables
                self.backend.g1_prepare_fixed(g)
            return pts, self.octets[:count]


@cache
def _stream(
    generator_seed: bytes, seed_dst: bytes, generator_dst: bytes, suite: Ciphersuite,
    backend: CurveBackend,
) -> _Stream:
    return _Stream(generator_seed, seed_dst, generator_dst, suite, backend)


def create_generators_raw(
    count: int, api_id: bytes, suite: Ciphersuite, backend: CurveBackend
) -> tuple[list[G1], list[bytes]]:
    """§4.1.1 create_generators(count, api_id): the points G_1..G_count and their octets.

    seed_dst = api_id || "SIG_GENERATOR_SEED_"
    generator_dst = api_id || "SIG_GENERATOR_DST_"
    generator_seed = api_id || "MESSAGE_GENERATOR_SEED"
    """
    if count < 0 or count > MAX_GENERATORS:
        raise ParameterError(f"cannot create {count} generators (limit {MAX_GENERATORS})")
    stream = _stream(
        api_id + b"MESSAGE_GENERATOR_SEED",
        api_id + b"SIG_GENERATOR_SEED_",
        api_id + b"SIG_GENERATOR_DST_",
        suite,
        backend,
    )
    return stream.take(count)


def create_generators(
    count: int, api_id: bytes, suite: Ciphersuite, backend: CurveBackend
) -> Generators:
    """create_generators(count, api_id) split as (Q_1, (H_1, ..., H_{count-1}))."""
    if count < 1:
        raise ParameterError("at least one generator (Q_1) is needed")
    pts, octs = create_generators_raw(count, api_id, suite, backend)
    return Generators(pts[0], octs[0], tuple(pts[1:]), tuple(octs[1:]))


def compute_p1(suite: Ciphersuite, backend: CurveBackend) -> G1:
    """§7.2: P1 = create_generators(1) with the ciphersuite's special seed and DSTs."""
    cs = suite.ciphersuite_id
    stream = _Stream(
        cs + b"H2G_HM2S_BP_MESSAGE_GENERATOR_SEED",
        cs + b"H2G_HM2S_SIG_GENERATOR_SEED_",
        cs + b"H2G_HM2S_SIG_GENERATOR_DST_",
        suite,
        backend,
    )
    return stream.take(1)[0][0]


@cache
def p1_point(suite: Ciphersuite, backend: CurveBackend) -> G1:
    """The pinned constant P1 of the suite, decoded (and so checked) once per backend."""
    return backend.g1_from_bytes(suite.p1)
