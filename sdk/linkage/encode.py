"""Match records: exact keys and key-salted Bloom-filter segments, all keyed by the OPRF.

A match record (specs/linkage.md §4) holds, for one person:

- ``keys``: a handful of 16-byte blocking keys, each ``SHA-256("zkaid/linkage/key" || F(x))``
  where ``F`` is the stewards' threshold OPRF (:mod:`sdk.linkage.oprf`) and ``x`` one
  combination of normalised fields (both names' consonant skeletons; given name + date of
  birth; family name + date of birth; date of birth + area; identity number; phone).
  Two records are compared only when they share a key.
- ``filter``: one Bloom-filter segment per key (``SEGMENT_BITS`` bits each, same order as
  ``keys``). The person's character bigrams and field tokens make a Bloom filter B (never
  stored); segment i is B with its bit positions permuted by a permutation keyed by the OPRF
  output behind ``keys[i]``. Two segments share a bit layout only when their records share
  that block (key-dependent salting, Christen et al.), so nobody can build a segment for a
  guessed person without t stewards, and bit patterns do not line up across the database for
  pattern mining or frequency analysis.

``compare`` is the Dice coefficient of the segments of a shared key (the best one),
``link`` is blocking on keys + greedy one-to-one assignment above a threshold, ``cluster``
joins records within one list by union-find over pairs above the threshold.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import cbor2
import numpy as np

from sdk.errors import EncodingError, ParameterError
from sdk.linkage.normalise import NormalisedPerson, skeleton
from sdk.reasons import LinkageReason

__all__ = [
    "DEFAULT_THRESHOLD",
    "KEY_BYTES",
    "MAX_BLOCK",
    "MAX_KEYS",
    "SEGMENT_BITS",
    "Evaluator",
    "MatchRecord",
    "cluster",
    "compare",
    "encode",
    "link",
    "oprf_inputs",
]

Evaluator = Callable[[list[bytes]], list[bytes]]

VERSION = 1
KEY_BYTES = 16
SEGMENT_BITS = 1024
SEGMENT_BYTES = SEGMENT_BITS // 8
MAX_KEYS = 8
MAX_BLOCK = 1000  # a key shared by more records than this is too common to block on
DEFAULT_THRESHOLD = 0.55  # FEBRL4: recall 0.988 at precision 1.0 (bench/linkage.py)
_DOMAIN = b"zkaid/linkage/v1\x00"
_CONTEXT_DOMAIN = b"zkaid/linkage/v1/context\x00"
MAX_CONTEXT = 64

# Hash positions per gram, by kind: the field weights of the filter. Date of birth, sex, phone
# and identity number weigh as much as a whole name token: with only name bigrams dominating,
# two different people with a common name pair matched even with dates of birth decades apart
# (bench/linkage.py, speed section).
_K = {"n": 2, "s": 4, "g": 3, "y": 32, "md": 32, "m": 12, "d": 12, "x": 12, "a": 2, "p": 32, "i": 32}
_MAX_K = 32


@dataclass(frozen=True)
class MatchRecord:
    """What leaves the registrar for one person: opaque keys and one filter segment per key."""

    keys: tuple[bytes, ...]
    filter: bytes

    def __post_init__(self) -> None:
        if not 1 <= len(self.keys) <= MAX_KEYS:
            raise EncodingError(f"a match record has 1 to {MAX_KEYS} keys, not {len(self.keys)}",
                                reason=LinkageReason.BAD_MATCH_RECORD)
        if any(not isinstance(k, bytes) or len(k) != KEY_BYTES for k in self.keys):
            raise EncodingError(f"match keys are {KEY_BYTES} bytes each", reason=LinkageReason.BAD_MATCH_RECORD)
        if not isinstance(self.filter, bytes) or len(self.filter) != len(self.keys) * SEGMENT_BYTES:
            raise EncodingError(f"the filter must hold {SEGMENT_BYTES} bytes per key",
                                reason=LinkageReason.BAD_MATCH_RECORD)

    def segment(self, i: int) -> int:
        """Segment i (the filter of keys[i]) as an integer bit set."""
        return int.from_bytes(self.filter[i * SEGMENT_BYTES:(i + 1) * SEGMENT_BYTES], "big")

    def to_bytes(self) -> bytes:
        """CBOR [version 1, [key, ...], filter] (at most ~1.2 kB)."""
        return cbor2.dumps([VERSION, list(self.keys), self.filter])

    @classmethod
    def from_bytes(cls, data: bytes) -> MatchRecord:
        """Strict decode with size limits; raises EncodingError."""
        if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_KEYS * (SEGMENT_BYTES + KEY_BYTES + 8) + 32:
            raise EncodingError("match record too large or not bytes", reason=LinkageReason.BAD_MATCH_RECORD)
        try:
            obj = cbor2.loads(bytes(data))
        except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError) as exc:
            raise EncodingError(f"not a match record: {exc}", reason=LinkageReason.BAD_MATCH_RECORD) from exc
        if (not isinstance(obj, list) or len(obj) != 3 or obj[0] != VERSION
                or not isinstance(obj[1], list) or not isinstance(obj[2], bytes)):
            raise EncodingError("not a version-1 match record", reason=LinkageReason.BAD_MATCH_RECORD)
        return cls(tuple(obj[1]), obj[2])


def _dob_parts(p: NormalisedPerson) -> tuple[str, str]:
    """(full date key swap-invariant, or "") and the year ("" when unknown)."""
    year = str(p.dob_year) if p.dob_year is not None else ""
    if p.dob_year is None or p.dob_month is None or p.dob_day is None:
        return "", year
    lo, hi = sorted((p.dob_month, p.dob_day))  # a day/month swap gives the same key
    return f"{p.dob_year:04d}{lo:02d}{hi:02d}", year


def _prefix(context: bytes) -> bytes:
    """``"zkaid/linkage/v1" || 0x00`` without a context; ``"zkaid/linkage/v1/context" || 0x00
    || I2OSP(len(context), 1) || context`` with one (specs/linkage.md §4.1): the two prefixes
    differ at byte 16, so no input of one domain is an input of the other."""
    if not context:
        return _DOMAIN
    if not isinstance(context, bytes) or len(context) > MAX_CONTEXT:
        raise ParameterError(f"an encoding context is 1 to {MAX_CONTEXT} bytes")
    return _CONTEXT_DOMAIN + bytes([len(context)]) + context


def oprf_inputs(p: NormalisedPerson, context: bytes = b"") -> list[bytes]:
    """The OPRF inputs of one person: one per blocking key, each bound to its slot name.

    A non-empty ``context`` (a list comparison's id) puts the inputs in a domain of their own:
    the records then match only records made with the same context, and nothing made
    without it (the registry's match records, other comparisons).

    G and F are the consonant skeletons of the first given-name token and the last family
    token, {G,F} the pair in sorted order (so swapped columns agree), D the date of birth
    with day and month in sorted order (so a swap agrees), Y the year, A the area."""
    names = [t for t in (*p.given, *p.family) if t]
    skels = sorted({skeleton(t) for t in names if skeleton(t)})
    g = skeleton(p.given[0]) if p.given else ""
    f = skeleton(p.family[-1]) if p.family else ""
    gf = "|".join(sorted((g, f))) if g and f else ""
    dob, year = _dob_parts(p)
    slots: list[tuple[str, str]] = []
    if len(skels) >= 2:
        slots.append(("names", "|".join(skels)))
    if dob and g:
        slots.append(("given+dob", f"{g}|{dob}"))
    if dob and f:
        slots.append(("family+dob", f"{f}|{dob}"))
    if gf and year:
        slots.append(("pair+year", f"{gf}|{year}"))
    if gf and p.admin_area:
        slots.append(("pair+area", f"{gf}|{p.admin_area}"))
    if dob and p.admin_area:
        slots.append(("dob+area", f"{dob}|{p.admin_area}"))
    if p.id_number:
        slots.append(("id", p.id_number))
    if p.phone and (g or f):
        slots.append(("given+phone", f"{g or f}|{p.phone}"))
    if not slots:  # a single-token name and nothing else: block on what there is
        slots.append(("names", "|".join(skels) or "-"))
    prefix = _prefix(context)
    return [prefix + s.encode() + b"\x00" + v.encode() for s, v in slots[:MAX_KEYS]]


def _bigrams(token: str) -> list[str]:
    padded = f"_{token}_"
    return [padded[i:i + 2] for i in range(len(padded) - 1)]


def _grams(p: NormalisedPerson) -> list[tuple[str, int]]:
    """The (gram, hash positions) pairs of this person's filter B, by field."""
    out: list[tuple[str, int]] = []
    for t in sorted({*p.given, *p.family}):
        out += _name_grams(t)
    if p.given:  # the person's own name weighs more than the father's name after it
        out += [("g:" + b, _K["g"]) for b in _bigrams(skeleton(p.given[0]))]
    if p.dob_year is not None:
        out.append((f"y:{p.dob_year}", _K["y"]))
    if p.dob_month is not None and p.dob_day is not None:
        lo, hi = sorted((p.dob_month, p.dob_day))
        out.append((f"md:{lo}-{hi}", _K["md"]))
        out.append((f"m:{p.dob_month}", _K["m"]))
        out.append((f"d:{p.dob_day}", _K["d"]))
    elif p.dob_month is not None:
        out.append((f"m:{p.dob_month}", _K["m"]))
    if p.sex:
        out.append(("x:" + p.sex, _K["x"]))
    for w in p.admin_area.split():
        out += [("a:" + b, _K["a"]) for b in _bigrams(w)]
    if p.phone:
        out.append(("p:" + p.phone, _K["p"]))
    if p.id_number:
        out.append(("i:" + p.id_number, _K["i"]))
        out += [("j:" + b, 1) for b in _bigrams(p.id_number)]
    return out


@lru_cache(maxsize=1 << 16)
def _name_grams(token: str) -> list[tuple[str, int]]:
    return ([("n:" + b, _K["n"]) for b in _bigrams(token)]
            + [("s:" + b, _K["s"]) for b in _bigrams(skeleton(token))])


@lru_cache(maxsize=1 << 18)
def _gram_positions(gram: str, k: int) -> tuple[int, ...]:
    """The k positions of a gram in the person's plain Bloom filter B (public hashing: B is
    never stored; only its keyed permutations are)."""
    d = hashlib.blake2b(gram.encode(), digest_size=32, person=b"zkaid-link-gram").digest()
    if k > 16:  # positions 17..32 from a second hash: the first 16 stay what they always were
        d += hashlib.blake2b(gram.encode(), digest_size=32, person=b"zkaid-link-gram2").digest()
    return tuple(int(x) & (SEGMENT_BITS - 1) for x in memoryview(d).cast("H")[:k])


def _positions(p: NormalisedPerson) -> np.ndarray[Any, np.dtype[np.int64]]:
    out: list[int] = []
    for g, k in _grams(p):
        out.extend(_gram_positions(g, min(k, _MAX_K)))
    return np.array(out, dtype=np.int64)


def _permutation(seg_key: bytes) -> np.ndarray[Any, np.dtype[np.intp]]:
    """A keyed random permutation of the SEGMENT_BITS positions: the positions sorted by
    16-bit words of SHAKE-256(seg_key) (a random-key shuffle; the stable radix sort orders the
    few equal words by position, a negligible bias that leaves the layout unpredictable
    without seg_key)."""
    words = np.frombuffer(hashlib.shake_256(seg_key).digest(2 * SEGMENT_BITS), dtype="<u2")
    return np.argsort(words, kind="stable")


def _segment(seg_key: bytes, positions: np.ndarray[Any, np.dtype[np.int64]]) -> bytes:
    """Segment = sigma(B): the person's filter B with its bit positions permuted by sigma, the
    permutation keyed by this block's OPRF output."""
    bits = np.zeros(SEGMENT_BITS, dtype=np.uint8)
    bits[_permutation(seg_key)[positions]] = 1
    return bytes(np.packbits(bits).tobytes())


def encode(persons: Sequence[NormalisedPerson], evaluator: Evaluator, *, context: bytes = b"") -> list[MatchRecord]:
    """Match records of ``persons``, with ONE evaluator round trip for all their OPRF inputs.

    ``evaluator`` maps OPRF inputs to outputs (:func:`sdk.linkage.oprf.local_evaluator` for the
    try-out set, a steward client otherwise); identical inputs are sent once. ``context``
    (see :func:`oprf_inputs`) binds the records to one comparison."""
    per_person = [oprf_inputs(p, context) for p in persons]
    unique = list(dict.fromkeys(x for xs in per_person for x in xs))
    outputs = evaluator(unique) if unique else []
    if len(outputs) != len(unique):
        raise EncodingError(f"the evaluator returned {len(outputs)} outputs for {len(unique)} inputs",
                            reason=LinkageReason.EVALUATOR)
    value = dict(zip(unique, outputs, strict=True))
    records = []
    for p, xs in zip(persons, per_person, strict=True):
        positions = _positions(p)
        keys: list[bytes] = []
        segs: list[bytes] = []
        for x in xs:
            out = value[x]
            keys.append(hashlib.sha256(b"zkaid/linkage/key" + out).digest()[:KEY_BYTES])
            seg_key = hashlib.sha256(b"zkaid/linkage/filter" + out).digest()
            segs.append(_segment(seg_key, positions))
        records.append(MatchRecord(tuple(keys), b"".join(segs)))
    return records


def _dice(a: int, b: int) -> float:
    total = a.bit_count() + b.bit_count()
    return 2.0 * (a & b).bit_count() / total if total else 0.0


def compare(a: MatchRecord, b: MatchRecord) -> float:
    """Similarity in [0, 1]: the best Dice coefficient over the segments of shared keys
    (0.0 when the records share no key: their segments are not comparable)."""
    where = {k: j for j, k in enumerate(b.keys)}
    best = 0.0
    for i, k in enumerate(a.keys):
        j = where.get(k)
        if j is not None:
            best = max(best, _dice(a.segment(i), b.segment(j)))
    return best


class _Indexed:
    """An inverted index key -> (record number, segment position); segments are read only
    for candidates, and only the segment of the shared key."""

    def __init__(self, records: Sequence[MatchRecord]) -> None:
        self.records = records
        self.index: dict[bytes, list[tuple[int, int]]] = defaultdict(list)
        for n, r in enumerate(records):
            for pos, k in enumerate(r.keys):
                self.index[k].append((n, pos))

    def scores(self, a: MatchRecord, above: int = -1) -> dict[int, float]:
        """Best Dice over shared keys for every candidate of ``a`` (numbers above ``above``)."""
        best: dict[int, float] = {}
        recs = self.records
        for i, k in enumerate(a.keys):
            block = self.index.get(k)
            if block is None or len(block) > MAX_BLOCK:
                continue
            sa = a.segment(i)
            wa = sa.bit_count()
            for n, pos in block:
                if n <= above:
                    continue
                sb = int.from_bytes(recs[n].filter[pos * SEGMENT_BYTES:(pos + 1) * SEGMENT_BYTES], "big")
                total = wa + sb.bit_count()
                d = 2.0 * (sa & sb).bit_count() / total if total else 0.0
                if d > best.get(n, -1.0):
                    best[n] = d
        return best


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ParameterError(f"the match threshold must be in (0, 1], not {threshold}")


def link(left: Sequence[MatchRecord], right: Sequence[MatchRecord],
         threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, int]]:
    """Pairs (i, j) of left[i] and right[j] taken for the same person, 0-based, one-to-one.

    Blocking on shared keys (keys held by more than MAX_BLOCK right records are skipped),
    Dice of the shared segments, then greedy assignment by decreasing score."""
    _check_threshold(threshold)
    idx = _Indexed(right)
    scored: list[tuple[float, int, int]] = []
    for i, r in enumerate(left):
        scored += [(s, i, j) for j, s in idx.scores(r).items() if s >= threshold]
    scored.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_l: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for _s, i, j in scored:
        if i not in used_l and j not in used_r:
            used_l.add(i)
            used_r.add(j)
            pairs.append((i, j))
    pairs.sort()
    return pairs


def cluster(records: Sequence[MatchRecord], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of two or more records (0-based, sorted) taken for the same person."""
    _check_threshold(threshold)
    idx = _Indexed(records)
    parent = list(range(len(records)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, a in enumerate(records):
        for j, s in idx.scores(a, above=i).items():
            if s >= threshold and find(i) != find(j):
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for n in range(len(records)):
        groups[find(n)].append(n)
    return sorted((g for g in groups.values() if len(g) >= 2), key=lambda g: g[0])
