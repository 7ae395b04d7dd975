"""Small-exponent batching of pairing-product equations (specs/prover.md, "Batches").

Each equation is prod_t e(P_t, Q_t) == 1 in GT. Many of them are checked at once as

    prod_k e(sum_{(i, t): Q_it = Q_k} rho_i * P_it, Q_k) == 1

with rho_i independent uniform 64-bit integers from ``secrets``: one multi-Miller loop over
the distinct second arguments and one final exponentiation. This is the small-exponent
batch test of Bellare, Garay and Rabin (EUROCRYPT 1998), applied to pairing equations as
in Camenisch, Hohenberger and Pedersen (EUROCRYPT 2007): if any single equation fails, the
batch holds with probability at most 2^-64, PROVIDED every point is in its prime-order
subgroup, which every decoder in sdk checks. A batch that fails says only that some
equation fails; callers find which by checking parts (``find_failures``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sdk.curves import CurveBackend
from sdk.curves.base import G1, G2

__all__ = ["Equation", "PairingBatch", "check_equations", "find_failures"]

# A term: (P in G1, Q in G2, a stable id of Q so that equal second arguments share one pairing).
Term = tuple[G1, G2, bytes]


@dataclass(frozen=True)
class Equation:
    """prod_t e(P_t, Q_t) == 1."""

    terms: tuple[Term, ...]


class PairingBatch:
    """Collects equations, then checks them all with one multi-pairing."""

    def __init__(self, backend: CurveBackend) -> None:
        self._be = backend
        self._buckets: dict[bytes, tuple[G2, list[G1], list[int]]] = {}
        self._count = 0
        self._first: Equation | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, equation: Equation, weight: int | None = None) -> None:
        """Add one equation under a fresh random 64-bit weight (``weight`` for tests only)."""
        if self._count == 0:
            self._first = equation
        rho = secrets.randbits(64) | 1 if weight is None else weight
        for P, Q, qid in equation.terms:
            bucket = self._buckets.setdefault(qid, (Q, [], []))
            bucket[1].append(P)
            bucket[2].append(rho)
        self._count += 1

    def check(self) -> bool:
        """True when every added equation holds (up to probability 2^-64 of a false True)."""
        if not self._buckets:
            return True
        be = self._be
        if self._count == 1 and self._first is not None:
            # one equation needs no weight: check it as it is
            return be.pairing_check([(P, Q) for P, Q, _ in self._first.terms])
        pairs = [(be.g1_msm(pts, ws), Q) for Q, pts, ws in self._buckets.values()]
        return be.pairing_check(pairs)


def check_equations(equations: Sequence[Equation], backend: CurveBackend) -> bool:
    batch = PairingBatch(backend)
    for eq in equations:
        batch.add(eq)
    return batch.check()


def find_failures(
    items: Sequence[int], holds: Callable[[Sequence[int]], bool], *, known_bad: bool = False,
) -> list[int]:
    """The items whose equations fail, by bisection: ``holds(subset)`` batch-checks a
    subset. With f failures among n items this costs about 2 f log2(n) batch checks, and an
    item is only declared bad by a failing check of that item alone (or of a pair whose
    other half passed). ``known_bad`` says the caller already saw ``items`` fail."""
    if not items:
        return []
    if not known_bad and holds(items):
        return []
    if len(items) == 1:
        return list(items)
    mid = len(items) // 2
    left, right = items[:mid], items[mid:]
    if holds(left):
        return find_failures(right, holds, known_bad=True)
    return find_failures(left, holds, known_bad=True) + find_failures(right, holds)
