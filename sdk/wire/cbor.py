"""Canonical CBOR with strict, bounded decoding: the one codec every zkaid message uses.

- Encoding is deterministic (shortest integers and lengths, definite lengths, map keys
  sorted as cbor2's canonical mode does: by encoded length, then bytewise, which for
  zkaid's small-integer keys equals RFC 8949 §4.2.1 bytewise order), and every top-level
  item is preceded by the self-described CBOR tag 55799 (bytes D9 D9 F7), which is how a
  scanner tells a zkaid code from a URL or a payment QR.
- Decoding rejects, with a typed :class:`~sdk.errors.WireError`: input over the size
  limit (before parsing), anything cbor2 cannot parse, trailing bytes, and any encoding
  that is not the canonical one (duplicate map keys, indefinite lengths, non-minimal
  integers, unsorted keys) by re-encoding the decoded value and comparing bytes.
"""

from __future__ import annotations

from typing import Any

import cbor2

from sdk.errors import WireError
from sdk.reasons import WireReason

__all__ = ["MAGIC", "MAX_MESSAGE_BYTES", "decode_canonical", "encode_canonical"]

MAGIC = b"\xd9\xd9\xf7"  # tag 55799, "self-described CBOR"
MAX_MESSAGE_BYTES = 64 * 1024


def _encode(value: Any) -> bytes:
    try:
        return cbor2.dumps(value, canonical=True)
    except (cbor2.CBOREncodeError, TypeError, ValueError) as exc:
        raise WireError(f"cannot encode value as CBOR: {exc}", reason=WireReason.ENCODE) from exc


def encode_canonical(value: Any) -> bytes:
    """MAGIC || deterministic CBOR of ``value`` (ints, bytes, str, bool, None, list, dict, Tag)."""
    return MAGIC + _encode(value)


def decode_canonical(data: bytes, *, max_bytes: int = MAX_MESSAGE_BYTES) -> Any:
    """Strictly decode MAGIC || canonical CBOR; raise WireError on anything else."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError("a zkaid message must be bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise WireError(
            f"message is {len(data)} bytes, over the {max_bytes}-byte limit", reason=WireReason.TOO_LARGE
        )
    if not data.startswith(MAGIC):
        raise WireError("not a zkaid message (missing the CBOR self-describe tag)", reason=WireReason.FOREIGN)
    body = data[len(MAGIC) :]
    if not body:
        raise WireError("empty zkaid message", reason=WireReason.TRUNCATED)
    try:
        value = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise WireError(f"malformed CBOR: {exc}", reason=WireReason.MALFORMED) from exc
    try:
        again = _encode(value)
    except WireError as exc:  # values cbor2 can decode but not encode (e.g. undefined)
        raise WireError("CBOR uses a value zkaid does not accept", reason=WireReason.MALFORMED) from exc
    if again != body:
        raise WireError(
            "CBOR is not in canonical form (or has trailing bytes / duplicate keys)",
            reason=WireReason.NON_CANONICAL,
        )
    return value
