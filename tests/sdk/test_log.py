"""The Merkle log of sdk.log against RFC 9162 (§2.1.1 hashing, §2.1.3 inclusion and §2.1.4
consistency proofs), checked exhaustively on small trees against a direct MTH."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sdk.log import (
    LEAF_KINDS,
    CompactRange,
    LogError,
    consistency_proof,
    cosign_tree_head,
    decode_entry,
    digest,
    enrollment_entry,
    inclusion_proof,
    leaf_hash,
    match_entry,
    mth,
    revocation_entry,
    sign_tree_head,
    verify_consistency,
    verify_cosignature,
    verify_inclusion,
    verify_tree_head,
)

# The leaf inputs of the RFC 6962 / RFC 9162 reference test data (certificate-transparency
# merkle tree tests): roots of the first n leaves, as published with that data.
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                        "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
N = 33
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(N)]


def sub(leaves: list[bytes]):  # type: ignore[no-untyped-def]
    return lambda a, b: mth(leaves[a:b])


def test_empty_root_and_the_reference_roots() -> None:
    assert mth([]) == hashlib.sha256(b"").digest()
    hashes = [leaf_hash(x) for x in CT_LEAVES]
    for n, root in CT_ROOTS.items():
        assert mth(hashes[:n]).hex() == root


def test_compact_range_matches_mth_at_every_size() -> None:
    cr = CompactRange()
    for n in range(N):
        assert cr.root() == mth(LEAVES[:n]) and cr.size == n
        cr.append(LEAVES[n])


def test_inclusion_proofs_verify_and_fail_when_altered() -> None:
    for n in range(1, N + 1):
        root = mth(LEAVES[:n])
        for i in range(n):
            path = inclusion_proof(i, n, sub(LEAVES))
            verify_inclusion(i, n, LEAVES[i], path, root)
            with pytest.raises(LogError):
                verify_inclusion(i, n, leaf_hash(b"other"), path, root)
            if path:
                bad = [*path[:-1], bytes(32)]
                with pytest.raises(LogError):
                    verify_inclusion(i, n, LEAVES[i], bad, root)
                with pytest.raises(LogError):
                    verify_inclusion(i, n, LEAVES[i], path[:-1], root)
            with pytest.raises(LogError):
                verify_inclusion(i, n, LEAVES[i], [*path, root], root)
        with pytest.raises(LogError):
            verify_inclusion(n, n, LEAVES[0], [], root)


def test_consistency_proofs_verify_and_detect_rewrites() -> None:
    for n in range(1, N + 1):
        second = mth(LEAVES[:n])
        for m in range(0, n + 1):
            first = mth(LEAVES[:m])
            proof = consistency_proof(m, n, sub(LEAVES))
            verify_consistency(m, n, first, second, proof)
            if 0 < m < n:
                # the same sizes, but an entry below m was rewritten: no proof can pass
                forged = list(LEAVES)
                forged[m - 1] = leaf_hash(b"rewritten")
                with pytest.raises(LogError, match="deleted or rewritten"):
                    verify_consistency(m, n, first, mth(forged[:n]), consistency_proof(m, n, sub(forged)))
                with pytest.raises(LogError):
                    verify_consistency(m, n, first, second, proof[:-1])
    with pytest.raises(LogError, match="shrank"):
        verify_consistency(5, 4, mth(LEAVES[:5]), mth(LEAVES[:4]), [])


def test_a_deleted_entry_breaks_consistency() -> None:
    m, n = 20, 30
    first = mth(LEAVES[:m])
    deleted = LEAVES[:7] + LEAVES[8:n + 1]  # entry 7 removed, the rest shifted down
    with pytest.raises(LogError):
        verify_consistency(m, n, first, mth(deleted[:n]), consistency_proof(m, n, sub(deleted)))


def test_signed_tree_heads_and_cosignatures() -> None:
    key, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    wpub = witness.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signed = sign_tree_head(12, mth(LEAVES[:12]), 1_800_000_000, key)
    head = verify_tree_head(signed, pub)
    assert (head.size, head.root, head.timestamp) == (12, mth(LEAVES[:12]), 1_800_000_000)
    with pytest.raises(LogError, match="not signed"):
        verify_tree_head(signed, wpub)
    with pytest.raises(LogError):
        verify_tree_head(signed[:-1] + bytes([signed[-1] ^ 1]), pub)
    co = cosign_tree_head(head, witness)
    verify_cosignature(co, head, wpub)
    with pytest.raises(LogError):
        verify_cosignature(co, head, pub)
    other = verify_tree_head(sign_tree_head(13, mth(LEAVES[:13]), 1_800_000_001, key), pub)
    with pytest.raises(LogError):
        verify_cosignature(co, other, wpub)


def test_entries_hold_digests_only() -> None:
    nym = bytes(range(48))
    e = enrollment_entry("cva/2026-12/round-1", nym, "agency-a", 1_800_000_000)
    data = e.encode()
    assert nym not in data and b"agency-a" not in data and b"cva/" not in data
    assert decode_entry(data) == e
    from sdk.wire.cbor import encode_canonical

    assert data == encode_canonical({"v": 1, "kind": e.kind, "at": e.at, "d": e.digests})  # the fast path agrees
    for bad in (b"", b"\xd9\xd9\xf7\xa0", e.encode()[:-3]):
        with pytest.raises(LogError):
            decode_entry(bad)


def test_match_and_revocation_entries_hold_digests_only() -> None:
    record, cid = bytes(range(200)), "5f0c1e2d3a4b5c6d7e8f90a1b2c3d4e5"
    m = match_entry(record, "agency-a", cid, 1_800_000_000)
    r = revocation_entry(cid, "agency-a", "stolen", 1_800_000_060)
    unbound = match_entry(record, "agency-a", None, 1_800_000_000)
    assert m.digests == {"record": digest(record), "agency": digest("agency-a"), "card": digest(cid)}
    assert set(unbound.digests) == {"record", "agency"}
    assert r.digests == {"card": digest(cid), "agency": digest("agency-a"), "reason": digest("stolen")}
    for e in (m, r, unbound):
        assert e.kind in LEAF_KINDS and decode_entry(e.encode()) == e
        data = e.encode()
        assert record not in data and cid.encode() not in data and b"agency-a" not in data and b"stolen" not in data
    # every field is bound: another reason or card gives another leaf
    assert revocation_entry(cid, "agency-a", "issued_in_error", 1_800_000_060).leaf_hash() != r.leaf_hash()
    assert match_entry(record, "agency-a", "0" * 32, 1_800_000_000).leaf_hash() != m.leaf_hash()
