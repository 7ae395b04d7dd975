"""A tamper-evident, append-only log in the shape of RFC 9162 (Certificate Transparency 2.0).

Pure functions over bytes, so that the registry service, a witness (``zkaid witness``) and a
field device all use the same code: the service builds proofs from stored subtree hashes,
the others only verify. Sections of RFC 9162 implemented here:

- §2.1.1 Merkle Tree Hash: ``MTH({}) = SHA-256()``, leaf ``SHA-256(0x00 || d)``, node
  ``SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` with ``k`` the largest power of two < n;
- §2.1.3.1 / §2.1.3.2 inclusion proofs (PATH) and their verification;
- §2.1.4.1 / §2.1.4.2 consistency proofs (PROOF / SUBPROOF) and their verification.

Tree heads (RFC 9162 §4.10 in spirit) are signed as COSE_Sign1 with Ed25519, like the trust
list; a witness co-signs the same payload with its own key. Log entries hold digests only:
an enrollment leaf carries SHA-256 of the scope, of the pseudonym and of the agency id, and
the time; no personal data and nothing a reader could reverse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sdk.errors import VerificationError, WireError
from sdk.reasons import LogReason
from sdk.wire.cbor import MAGIC, decode_canonical, encode_canonical
from sdk.wire.cose import ed25519_kid, parse_sign1, sign1, verify_sign1

__all__ = [
    "HASH_SIZE",
    "LEAF_KINDS",
    "CompactRange",
    "LogEntry",
    "LogError",
    "TreeHead",
    "consistency_proof",
    "cosign_tree_head",
    "decode_entry",
    "digest",
    "empty_root",
    "enrollment_entry",
    "inclusion_proof",
    "leaf_hash",
    "log_id_of",
    "match_entry",
    "mth",
    "node_hash",
    "revocation_entry",
    "root_from_proof",
    "roots_of",
    "sign_tree_head",
    "verify_consistency",
    "verify_cosignature",
    "verify_inclusion",
    "verify_tree_head",
]

HASH_SIZE = 32
MAX_PROOF = 128  # a proof for any 64-bit tree size has at most 2*64 hashes
LEAF_KINDS = ("enrollment", "duplicate", "match", "revocation")
STH_TYPE = "zkaid/tree-head/v1"
COSIGN_TYPE = "zkaid/cosigned-tree-head/v1"
ENTRY_VERSION = 1

#: A function giving MTH(D[start:end]) of the log, for start < end (how the prover reaches
#: its stored hashes).
Subtree = Callable[[int, int], bytes]


class LogError(VerificationError):
    """A proof, tree head or log entry does not verify; ``reason`` says which check failed."""

    default_reason: ClassVar[str] = LogReason.LOG_INVALID


# ----------------------------------------------------------------- §2.1.1 hashing

def empty_root() -> bytes:
    """MTH({}) = SHA-256() (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from the leaf hashes (RFC 9162 §2.1.1), for tests and small trees."""
    n = len(leaf_hashes)
    if n == 0:
        return empty_root()
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(mth(leaf_hashes[:k]), mth(leaf_hashes[k:]))


@dataclass
class CompactRange:
    """The right edge of a growing tree: the roots of its perfect subtrees, largest first
    (one per set bit of the size). Appending is O(1) amortised and the root of the whole
    tree is O(log n), so a witness can mirror a log of millions of entries cheaply."""

    size: int = 0
    peaks: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        h, n = leaf, self.size
        while n & 1:  # every trailing one bit is a perfect subtree this leaf completes
            h = node_hash(self.peaks.pop(), h)
            n >>= 1
        self.peaks.append(h)
        self.size += 1

    def root(self) -> bytes:
        """MTH of the tree so far: the peaks folded right to left (§2.1.1 splits at the
        largest power of two, which is exactly the largest peak)."""
        if not self.peaks:
            return empty_root()
        h = self.peaks[-1]
        for p in reversed(self.peaks[:-1]):
            h = node_hash(p, h)
        return h


# ------------------------------------------------------- §2.1.3 inclusion proofs

def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, from the prover's subtree hashes."""
    if not 0 <= index < size:
        raise LogError(f"no entry {index} in a log of {size}", reason=LogReason.LOG_BAD_INDEX)
    path: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:  # PATH(m, D[0:k]) : MTH(D[k:n])
            path.append(subtree(start + k, start + n))
            n = k
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            path.append(subtree(start, start + k))
            start, m, n = start + k, m - k, n - k
    path.reverse()  # the recursion appends from the root down; the proof lists leaf-side first
    return path


def root_from_proof(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-5, without the final
    comparison); raises LogError when the proof has the wrong shape for (index, size)."""
    _check_hashes(path, "inclusion proof")
    if not 0 <= index < size:  # step 1
        raise LogError(f"entry {index} is outside a log of {size}", reason=LogReason.LOG_BAD_INDEX)
    fn, sn, r = index, size - 1, leaf  # steps 2-3
    for p in path:  # step 4
        if sn == 0:  # 4a
            raise LogError("the inclusion proof is too long", reason=LogReason.LOG_BAD_PROOF)
        if fn & 1 or fn == sn:  # 4b
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    if sn != 0:  # step 5
        raise LogError("the inclusion proof is too short", reason=LogReason.LOG_BAD_PROOF)
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: raise LogError unless ``leaf`` is entry ``index`` of the tree of
    ``size`` entries whose root is ``root``."""
    if root_from_proof(index, size, leaf, path) != root:
        raise LogError(f"entry {index} is not in the log of {size} entries with this root",
                       reason=LogReason.LOG_NOT_INCLUDED)


# ----------------------------------------------------- §2.1.4 consistency proofs

def consistency_proof(first: int, second: int, subtree: Subtree) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1 (empty when m = n or m = 0)."""
    if not 0 <= first <= second:
        raise LogError(f"no consistency proof from {first} to {second} entries", reason=LogReason.LOG_BAD_INDEX)
    if first in (0, second):
        return []
    out: list[bytes] = []
    start, m, n, b = 0, first, second, True
    while m != n:
        k = _split(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            out.append(subtree(start + k, start + n))
            n = k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            out.append(subtree(start, start + k))
            start, m, n, b = start + k, m - k, n - k, False
    if not b:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        out.append(subtree(start, start + n))
    out.reverse()
    return out


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: raise LogError unless the tree of ``second`` entries with root
    ``second_root`` extends the tree of ``first`` entries with root ``first_root``."""
    _check_hashes(proof, "consistency proof")
    if not 0 <= first <= second:
        raise LogError(f"the log shrank from {first} to {second} entries", reason=LogReason.LOG_SHRUNK)
    if first == second:
        if proof or first_root != second_root:
            raise LogError(f"two different roots for the same size {first}", reason=LogReason.LOG_INCONSISTENT)
        return
    if first == 0:  # the empty tree is a prefix of every tree
        if proof:
            raise LogError("a proof from the empty log must be empty", reason=LogReason.LOG_BAD_PROOF)
        return
    if not proof:  # step 1
        raise LogError("the consistency proof is empty", reason=LogReason.LOG_BAD_PROOF)
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of 2
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            raise LogError("the consistency proof is too long", reason=LogReason.LOG_BAD_PROOF)
        if fn & 1 or fn == sn:  # 6b
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1  # 6c
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:  # step 7
        raise LogError(f"the log of {second} entries does not extend the log of {first} entries it "
                       "showed before: an entry was deleted or rewritten", reason=LogReason.LOG_INCONSISTENT)


def _check_hashes(path: Sequence[bytes], what: str) -> None:
    if len(path) > MAX_PROOF or any(not isinstance(h, bytes) or len(h) != HASH_SIZE for h in path):
        raise LogError(f"the {what} is malformed", reason=LogReason.LOG_BAD_PROOF)


# ------------------------------------------------------------------ tree heads

@dataclass(frozen=True)
class TreeHead:
    """A signed statement "the log had ``size`` entries with root ``root`` at ``timestamp``"."""

    size: int
    root: bytes
    timestamp: int
    log_id: bytes  # SHA-256 of the log's Ed25519 public key

    def payload(self) -> bytes:
        return encode_canonical({"type": STH_TYPE, "log": self.log_id, "size": self.size,
                                 "root": self.root, "at": self.timestamp})


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def log_id_of(public_key: bytes) -> bytes:
    return hashlib.sha256(b"zkaid-log-id" + public_key).digest()


def sign_tree_head(size: int, root: bytes, timestamp: int, key: Ed25519PrivateKey) -> bytes:
    """A COSE_Sign1 (Ed25519) over the tree head."""
    pub = _raw_public(key)
    head = TreeHead(size, root, timestamp, log_id_of(pub))
    return sign1(head.payload(), key, ed25519_kid(pub))


def _decode(data: bytes, limit: int, what: str) -> Any:
    try:
        return decode_canonical(data, max_bytes=limit)
    except WireError as exc:
        raise LogError(f"the {what} is not readable: {exc.message}", reason=LogReason.LOG_BAD_ENTRY) from exc


def _parse_head(payload: bytes) -> TreeHead:
    value = _decode(payload, 1024, "tree head")
    if (not isinstance(value, dict) or set(value) != {"type", "log", "size", "root", "at"}
            or value["type"] != STH_TYPE):
        raise LogError("not a zkaid tree head", reason=LogReason.LOG_BAD_TREE_HEAD)
    size, root, at, log = value["size"], value["root"], value["at"], value["log"]
    if (type(size) is not int or not 0 <= size < 2**63 or type(at) is not int or not 0 <= at < 2**63
            or not isinstance(root, bytes) or len(root) != HASH_SIZE
            or not isinstance(log, bytes) or len(log) != HASH_SIZE):
        raise LogError("the tree head has a malformed field", reason=LogReason.LOG_BAD_TREE_HEAD)
    return TreeHead(size, root, at, log)


def verify_tree_head(signed: bytes, public_key: bytes) -> TreeHead:
    """The tree head, if ``signed`` is a tree head signed by the log key ``public_key``."""
    try:
        env = parse_sign1(signed, max_bytes=2048)
    except WireError as exc:
        raise LogError(f"the tree head is not a signed envelope: {exc.message}",
                       reason=LogReason.LOG_BAD_TREE_HEAD) from exc
    if not verify_sign1(env, public_key):
        raise LogError("the tree head is not signed by this log's key", reason=LogReason.LOG_BAD_SIGNATURE)
    head = _parse_head(env.payload)
    if head.log_id != log_id_of(public_key):
        raise LogError("the tree head names another log", reason=LogReason.LOG_BAD_TREE_HEAD)
    return head


def _cosign_payload(head: TreeHead) -> bytes:
    return encode_canonical({"type": COSIGN_TYPE, "head": head.payload()})


def cosign_tree_head(head: TreeHead, witness_key: Ed25519PrivateKey) -> bytes:
    """A witness's signature over a tree head it checked (COSE_Sign1, Ed25519)."""
    return sign1(_cosign_payload(head), witness_key, ed25519_kid(_raw_public(witness_key)))


def verify_cosignature(cosignature: bytes, head: TreeHead, witness_public_key: bytes) -> None:
    try:
        env = parse_sign1(cosignature, max_bytes=4096)
    except WireError as exc:
        raise LogError(f"the co-signature is malformed: {exc.message}", reason=LogReason.LOG_BAD_COSIGNATURE) from exc
    if env.payload != _cosign_payload(head) or not verify_sign1(env, witness_public_key):
        raise LogError("the co-signature does not cover this tree head under this witness key",
                       reason=LogReason.LOG_BAD_COSIGNATURE)


# --------------------------------------------------------------------- entries

@dataclass(frozen=True)
class LogEntry:
    """One log entry: its kind, a time, and digests (never values)."""

    kind: str
    at: int
    digests: dict[str, bytes]

    def encode(self) -> bytes:
        # MAGIC || deterministic CBOR (RFC 8949 §4.2.1). cbor2's C encoder in canonical mode
        # gives the same bytes for these short text keys (length-first order = bytewise order
        # of their encodings) at a fraction of the cost: the registry encodes one per enrollment.
        return MAGIC + cbor2.dumps({"v": ENTRY_VERSION, "kind": self.kind, "at": self.at, "d": dict(self.digests)},
                                   canonical=True)

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.encode())


def digest(value: str | bytes) -> bytes:
    """SHA-256 of a value put in a log entry (text as UTF-8)."""
    return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).digest()


def enrollment_entry(scope: str, pseudonym: bytes, agency: str, enrolled_at: int) -> LogEntry:
    """The entry logged for an enrollment; a field device rebuilds it from what it synced to
    check its inclusion proof."""
    return LogEntry("enrollment", enrolled_at,
                    {"scope": digest(scope), "nym": digest(pseudonym), "agency": digest(agency)})


def match_entry(record: bytes, agency: str, credential_id: str | None, registered_at: int) -> LogEntry:
    """The entry logged when a registration match record is stored (issue 14): SHA-256 of the
    record's bytes (threshold-OPRF outputs, so only a holder of the record can recompute it),
    of the registering agency id and, when the record belongs to a card, of its credential id."""
    d = {"record": digest(record), "agency": digest(agency)}
    if credential_id is not None:
        d["card"] = digest(credential_id)
    return LogEntry("match", registered_at, d)


def revocation_entry(credential_id: str, agency: str, reason: str, revoked_at: int) -> LogEntry:
    """The entry logged when one card is revoked (issue 13): SHA-256 of the card's credential
    id, of its issuing agency id and of the reason code; never its revocation handle or tokens."""
    return LogEntry("revocation", revoked_at,
                    {"card": digest(credential_id), "agency": digest(agency), "reason": digest(reason)})


def decode_entry(data: bytes) -> LogEntry:
    """A log entry from its bytes, strictly (LogError on anything else)."""
    value = _decode(data, 4096, "log entry")
    if (not isinstance(value, dict) or set(value) != {"v", "kind", "at", "d"} or value["v"] != ENTRY_VERSION
            or value["kind"] not in LEAF_KINDS or type(value["at"]) is not int or not isinstance(value["d"], dict)
            or not all(isinstance(k, str) and isinstance(v, bytes) and len(v) == HASH_SIZE
                       for k, v in value["d"].items())):
        raise LogError("not a zkaid log entry", reason=LogReason.LOG_BAD_ENTRY)
    return LogEntry(value["kind"], value["at"], dict(value["d"]))


def roots_of(leaves: Iterable[bytes]) -> CompactRange:
    """A compact range over the given leaf hashes."""
    cr = CompactRange()
    for h in leaves:
        cr.append(h)
    return cr
