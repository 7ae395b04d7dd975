"""Key generation (draft-irtf-cfrg-bbs-signatures §3.4 "Key Generation Operations")."""

from __future__ import annotations

from sdk.bbs.ciphersuite import Ciphersuite, resolve_suite
from sdk.bbs.utils import R, hash_to_scalar
from sdk.curves import CurveBackend, get_backend
from sdk.curves.hashing import i2osp
from sdk.errors import InvalidScalarError, ParameterError

__all__ = ["keygen", "octets_to_secret_key", "sk_to_pk"]


def keygen(
    key_material: bytes,
    key_info: bytes = b"",
    key_dst: bytes | None = None,
    *,
    suite: str | Ciphersuite = "BLS12-381-SHA-256",
) -> bytes:
    """§3.4.1 KeyGen: SK = hash_to_scalar(key_material || I2OSP(len(key_info), 2) || key_info, key_dst).

    The default key_dst is ``api_id || "KEYGEN_DST_"``: the draft text says
    ``ciphersuite_id || "KEYGEN_DST_"`` but every published vector uses the api_id form
    (see tests/vectors/README.md), and the vectors are normative for zkaid.
    Returns the 32-byte secret key.
    """
    cs = resolve_suite(suite)
    if len(key_material) < 32:
        raise ParameterError("key_material must be at least 32 bytes of entropy")
    if len(key_info) > 65535:
        raise ParameterError("key_info must be at most 65535 bytes")
    if key_dst is None:
        key_dst = cs.api_id + b"KEYGEN_DST_"
    derive_input = key_material + i2osp(len(key_info), 2) + key_info
    sk = hash_to_scalar(derive_input, key_dst, cs)
    if sk == 0:  # probability ~2^-255; the draft says return INVALID
        raise ParameterError("key material produced SK = 0; use other key material")
    return i2osp(sk, 32)


def octets_to_secret_key(sk: bytes) -> int:
    """A 32-byte secret key as a scalar in [1, r-1]."""
    if not isinstance(sk, (bytes, bytearray)) or len(sk) != 32:
        raise InvalidScalarError("a BBS secret key is 32 bytes")
    x = int.from_bytes(sk, "big")
    if x == 0 or x >= R:
        raise InvalidScalarError("BBS secret key out of range (must be in 1..r-1)")
    return x


def sk_to_pk(
    sk: bytes,
    *,
    suite: str | Ciphersuite = "BLS12-381-SHA-256",
    backend: str | CurveBackend | None = None,
) -> bytes:
    """§3.4.2 SkToPk: W = SK * BP2, as a 96-byte compressed G2 point."""
    resolve_suite(suite)
    be = get_backend(backend)
    x = octets_to_secret_key(sk)
    return be.g2_to_bytes(be.g2_mul(be.g2_generator(), x))
