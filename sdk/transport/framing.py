"""Framing: turn one message into QR code contents and back, with no imaging at all.

This module is pure standard library on purpose: the wallet on a cheap phone must be able to
split and reassemble messages even where OpenCV or zxing-cpp are not installed, and the
framing rules are what another implementation (a Kotlin or Swift wallet) has to match
byte for byte. The normative description is ``specs/qr-transport.md``.

Two shapes of code content exist:

* **single code**: a zkaid payload (it begins with ``D9 D9 F7``, the CBOR self-described
  tag 55799) of at most ``single_max`` bytes is the code content as-is;
* **multi-part frame**: ``"ZK"`` + version ``0x01`` + a 26-byte header + one part.
  Parts ``0 .. K-1`` are the message cut into ``K`` equal blocks (systematic parts); parts
  ``K, K+1, ...`` are XOR combinations of blocks chosen by a hash of the message id and the
  part number (a random linear fountain over GF(2)). A receiver needs any ``K`` linearly
  independent parts, so a dropped frame is replaced by whatever frame comes next instead of
  waiting for a whole cycle.

Anything else is a *foreign* code (a URL, a payment QR) and is reported as such.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from sdk.errors import FrameError, IntegrityError, ParameterError
from sdk.reasons import TransportReason

__all__ = [
    "DEFAULT_FRAME_SIZE",
    "DEFAULT_SINGLE_MAX",
    "DIGEST_SIZE",
    "FRAME_MAGIC",
    "FRAME_VERSION",
    "HEADER_SIZE",
    "MAX_CODE_BYTES",
    "MAX_MESSAGE_SIZE",
    "MAX_PARTS",
    "ZKAID_PREFIX",
    "CodeKind",
    "Complete",
    "Foreign",
    "Frame",
    "Progress",
    "QREncoding",
    "ReceiveResult",
    "Receiver",
    "classify",
    "encode",
    "message_id",
    "parse_frame",
    "repair_mask",
]

ZKAID_PREFIX = b"\xd9\xd9\xf7"
"""Every zkaid payload starts with the CBOR self-described tag 55799 (RFC 8949, 3.4.6)."""

FRAME_MAGIC = b"ZK"
FRAME_VERSION = 1
DIGEST_SIZE = 16
HEADER_SIZE = 2 + 1 + DIGEST_SIZE + 4 + 2 + 4
"""magic(2) version(1) message_id(16) total_length(4) count(2) seq(4) = 29 bytes."""

MAX_CODE_BYTES = 2953
"""Byte-mode capacity of the largest symbol (version 40, EC level L), ISO/IEC 18004 Table 7."""

DEFAULT_SINGLE_MAX = 1000
"""Largest payload sent as one static code (version 22 at EC level L holds 1003 bytes)."""

DEFAULT_FRAME_SIZE = 700
"""Largest multi-part code content; 700 bytes fit version 18 (89 x 89 modules) at EC L."""

MAX_MESSAGE_SIZE = 64 * 1024
MAX_PARTS = 256

_REPAIR_DOMAIN = b"zkaid-qr-v1/repair"


class CodeKind(Enum):
    """What the bytes of one decoded code are, judged from their first bytes only."""

    PAYLOAD = "payload"
    FRAME = "frame"
    FOREIGN = "foreign"


def classify(data: bytes) -> CodeKind:
    """Tell a zkaid payload, a zkaid multi-part frame and anything else apart.

    ``"ZK"`` followed by a control byte (< 0x20) is reserved for frames of any version, so
    that a text code that happens to start with "ZK" stays foreign and a future frame version
    is reported as unsupported rather than foreign.
    """
    if data[:3] == ZKAID_PREFIX:
        return CodeKind.PAYLOAD
    if len(data) >= 3 and data[:2] == FRAME_MAGIC and data[2] < 0x20:
        return CodeKind.FRAME
    return CodeKind.FOREIGN


def message_id(message: bytes) -> bytes:
    """SHA-256 of the whole message, truncated to 16 bytes.

    One field serves as the message identity and as its integrity check: frames of two
    interleaved messages can never be mixed, and a re-shown message resumes where the
    receiver stopped because its id does not change.
    """
    return hashlib.sha256(message).digest()[:DIGEST_SIZE]


def repair_mask(msg_id: bytes, seq: int, count: int) -> int:
    """Which blocks repair part ``seq`` (``seq >= count``) XORs together, as a bit mask.

    Bit ``i`` set means block ``i`` is included. The bits are
    SHAKE128(``"zkaid-qr-v1/repair"`` || msg_id || seq as u32 BE), read little-endian and cut
    to ``count`` bits; an all-zero draw falls back to block ``seq mod count``. Each block is
    included with probability 1/2, which makes any ``K + e`` received parts decodable with
    probability about ``1 - 2**-e`` (a random linear fountain, MacKay, ITILA ch. 50).
    """
    if not 0 < count <= MAX_PARTS:
        raise ParameterError(f"count must be 1..{MAX_PARTS}, got {count}")
    nbytes = (count + 7) // 8
    draw = hashlib.shake_128(_REPAIR_DOMAIN + msg_id + seq.to_bytes(4, "big")).digest(nbytes)
    mask = int.from_bytes(draw, "little") & ((1 << count) - 1)
    return mask or (1 << (seq % count))


@dataclass(frozen=True)
class Frame:
    """One multi-part code: header fields plus this part's ``block_size`` bytes."""

    message_id: bytes
    total_length: int
    count: int
    seq: int
    data: bytes

    @property
    def block_size(self) -> int:
        return _block_size(self.total_length, self.count)

    @property
    def is_systematic(self) -> bool:
        """True for parts ``0..K-1``, which carry a block verbatim."""
        return self.seq < self.count

    def to_bytes(self) -> bytes:
        return b"".join(
            (
                FRAME_MAGIC,
                bytes([FRAME_VERSION]),
                self.message_id,
                self.total_length.to_bytes(4, "big"),
                self.count.to_bytes(2, "big"),
                self.seq.to_bytes(4, "big"),
                self.data,
            )
        )


def _block_size(total_length: int, count: int) -> int:
    return -(-total_length // count)


def parse_frame(
    data: bytes, *, max_message: int = MAX_MESSAGE_SIZE, max_parts: int = MAX_PARTS
) -> Frame:
    """Check one frame's header against the bounds before anything is stored.

    Declared sizes are checked against the caps first, and the part length must match the
    declared geometry exactly, so a receiver never sizes memory from a number it was told.
    """
    if len(data) < 3 or data[:2] != FRAME_MAGIC:
        raise FrameError("This code is not a zkaid multi-part frame.", reason=TransportReason.BAD_FRAME)
    if data[2] != FRAME_VERSION:
        raise FrameError(
            f"This code uses zkaid frame version {data[2]}; this app reads version "
            f"{FRAME_VERSION}. Update the app that shows or scans the code.",
            reason=TransportReason.UNSUPPORTED_VERSION,
        )
    if len(data) > MAX_CODE_BYTES:
        raise FrameError(
            f"A frame of {len(data)} bytes is larger than any QR code can hold.",
            reason=TransportReason.TOO_LARGE,
        )
    if len(data) < HEADER_SIZE:
        raise FrameError(
            f"The frame is cut short: {len(data)} bytes, the header alone is {HEADER_SIZE}.",
            reason=TransportReason.TRUNCATED,
        )
    msg_id = data[3:19]
    total_length = int.from_bytes(data[19:23], "big")
    count = int.from_bytes(data[23:25], "big")
    seq = int.from_bytes(data[25:29], "big")
    if total_length == 0 or count == 0 or count > total_length:
        raise FrameError(
            f"The frame declares an impossible message ({total_length} bytes in {count} parts).",
            reason=TransportReason.BAD_FRAME,
        )
    if total_length > max_message:
        raise FrameError(
            f"The frame declares a {total_length}-byte message; the limit is {max_message}.",
            reason=TransportReason.TOO_LARGE,
        )
    if count > max_parts:
        raise FrameError(
            f"The frame declares {count} parts; the limit is {max_parts}.", reason=TransportReason.TOO_LARGE
        )
    block = _block_size(total_length, count)
    got = len(data) - HEADER_SIZE
    if got < block:
        raise FrameError(
            f"The frame is cut short: {got} of {block} part bytes.", reason=TransportReason.TRUNCATED
        )
    if got > block:
        raise FrameError(
            f"The frame carries {got} part bytes where its header says {block}.",
            reason=TransportReason.BAD_FRAME,
        )
    return Frame(msg_id, total_length, count, seq, data[HEADER_SIZE:])


@dataclass(frozen=True)
class QREncoding:
    """What to show for one message: one static code, or an endless animated sequence.

    Use :func:`encode` to build one. ``code(seq)`` is the content of the ``seq``-th code;
    for a single code every ``seq`` gives the same content, so one display loop serves both.
    """

    payload: bytes
    single: bool
    count: int
    block_size: int
    message_id: bytes | None
    _blocks: tuple[int, ...] = field(repr=False, compare=False)

    @property
    def frame_size(self) -> int:
        """Bytes in every code of this message (all frames share one QR version)."""
        return len(self.payload) if self.single else HEADER_SIZE + self.block_size

    def code(self, seq: int) -> bytes:
        if seq < 0 or seq >= 1 << 32:
            raise ParameterError(f"seq must be 0..2**32-1, got {seq}")
        if self.single or self.message_id is None:
            return self.payload
        if seq < self.count:
            value = self._blocks[seq]
        else:
            mask = repair_mask(self.message_id, seq, self.count)
            value = 0
            while mask:
                low = mask & -mask
                value ^= self._blocks[low.bit_length() - 1]
                mask ^= low
        frame = Frame(
            self.message_id,
            len(self.payload),
            self.count,
            seq,
            value.to_bytes(self.block_size, "big"),
        )
        return frame.to_bytes()

    def stream(self, start: int = 0) -> Iterator[bytes]:
        """Codes ``start, start+1, ...`` for a live display: systematic parts, then repair."""
        seq = start
        while True:
            yield self.code(seq)
            seq += 1

    def cycle(self, repair: int | None = None) -> tuple[bytes, ...]:
        """A finite loop for a pre-rendered animation: ``K`` parts plus ``repair`` extra.

        The default adds half as many repair parts as there are blocks (at least 2), so a
        receiver that misses a quarter of one pass still usually completes on that pass.
        """
        if self.single:
            return (self.payload,)
        extra = max(2, -(-self.count // 2)) if repair is None else repair
        if extra < 0:
            raise ParameterError(f"repair must be >= 0, got {extra}")
        return tuple(self.code(seq) for seq in range(self.count + extra))


def encode(
    payload: bytes,
    *,
    single_max: int = DEFAULT_SINGLE_MAX,
    frame_size: int = DEFAULT_FRAME_SIZE,
    require_prefix: bool = True,
) -> QREncoding:
    """Decide between one code and an animated sequence, and precompute the parts.

    A payload must start with ``D9 D9 F7`` unless ``require_prefix=False``; such opted-in
    payloads are always framed (even when short) because a bare code would be
    indistinguishable from a foreign one.
    """
    payload = bytes(payload)
    if not 3 <= single_max <= MAX_CODE_BYTES:
        raise ParameterError(f"single_max must be 3..{MAX_CODE_BYTES}, got {single_max}")
    if not HEADER_SIZE < frame_size <= MAX_CODE_BYTES:
        raise ParameterError(
            f"frame_size must be {HEADER_SIZE + 1}..{MAX_CODE_BYTES}, got {frame_size}"
        )
    if not payload:
        raise FrameError("There is nothing to send: the payload is empty.", reason=TransportReason.EMPTY)
    if len(payload) > MAX_MESSAGE_SIZE:
        raise FrameError(
            f"The payload is {len(payload)} bytes; QR transport carries at most "
            f"{MAX_MESSAGE_SIZE}.",
            reason=TransportReason.TOO_LARGE,
        )
    prefixed = payload.startswith(ZKAID_PREFIX)
    if require_prefix and not prefixed:
        raise FrameError(
            "The payload is not a zkaid message (it does not start with D9 D9 F7).",
            reason=TransportReason.NOT_ZKAID,
        )
    if prefixed and len(payload) <= single_max:
        return QREncoding(payload, True, 1, len(payload), None, ())
    count = math.ceil(len(payload) / (frame_size - HEADER_SIZE))
    if count > MAX_PARTS:
        raise FrameError(
            f"The payload needs {count} parts of {frame_size} bytes; the limit is {MAX_PARTS}. "
            "Use a larger frame_size.",
            reason=TransportReason.TOO_LARGE,
        )
    # Balanced blocks: every frame has the same length, hence the same QR version and the
    # same on-screen module size, which keeps the scanner's focus and scale steady.
    block = _block_size(len(payload), count)
    padded = payload.ljust(block * count, b"\x00")
    blocks = tuple(int.from_bytes(padded[i * block : (i + 1) * block], "big") for i in range(count))
    return QREncoding(payload, False, count, block, message_id(payload), blocks)


@dataclass(frozen=True)
class Progress:
    """A frame was taken in, the message is not complete yet.

    ``received`` counts linearly independent parts held, ``needed`` is the block count K;
    ``new`` is False for a repeat or a part that added no information. Frames of a message
    that already completed report ``received == needed`` and ``new=False``.
    """

    message_id: bytes
    received: int
    needed: int
    new: bool

    @property
    def complete(self) -> bool:
        return self.received >= self.needed


@dataclass(frozen=True)
class Complete:
    """A whole message, integrity-checked. ``message_id`` is None for a single code."""

    payload: bytes
    message_id: bytes | None
    parts: int


@dataclass(frozen=True)
class Foreign:
    """A code that is not zkaid (a URL, a payment code, text); its raw bytes, untouched."""

    data: bytes


ReceiveResult: TypeAlias = Complete | Progress | Foreign

_MessageKey: TypeAlias = tuple[bytes, int, int]


class _Assembly:
    """Incremental Gaussian elimination over GF(2) for one message.

    Each stored row is (mask, value) whose highest mask bit is its pivot; a new part is
    reduced against existing pivots and either becomes a row or is dropped as redundant.
    At most K rows of one block each are ever held, whatever the sender claims.
    """

    __slots__ = ("block_size", "count", "rows", "total_length")

    def __init__(self, total_length: int, count: int) -> None:
        self.total_length = total_length
        self.count = count
        self.block_size = _block_size(total_length, count)
        self.rows: dict[int, tuple[int, int]] = {}

    def add(self, mask: int, value: int) -> bool:
        while mask:
            pivot = mask.bit_length() - 1
            row = self.rows.get(pivot)
            if row is None:
                self.rows[pivot] = (mask, value)
                return True
            mask ^= row[0]
            value ^= row[1]
        return False

    def solve(self) -> bytes:
        solved: list[int] = [0] * self.count
        for pivot in range(self.count):
            mask, value = self.rows[pivot]
            rest = mask ^ (1 << pivot)
            while rest:
                low = rest & -rest
                value ^= solved[low.bit_length() - 1]
                rest ^= low
            solved[pivot] = value
        joined = b"".join(v.to_bytes(self.block_size, "big") for v in solved)
        return joined[: self.total_length]


class Receiver:
    """Collects codes from any number of scans and hands on whole, verified messages.

    Parts may come in any order and any number of times; missed parts are made up by later
    ones. Memory is bounded: at most ``max_messages`` partial messages (least recently
    updated evicted first), each capped at ``max_message`` bytes and ``max_parts`` parts.
    A message whose integrity check fails is discarded alone; other messages keep their parts.
    """

    def __init__(
        self,
        *,
        max_messages: int = 4,
        max_message: int = MAX_MESSAGE_SIZE,
        max_parts: int = MAX_PARTS,
        require_prefix: bool = True,
        remember_completed: int = 16,
    ) -> None:
        if max_messages < 1:
            raise ParameterError(f"max_messages must be >= 1, got {max_messages}")
        if not 1 <= max_message <= MAX_MESSAGE_SIZE:
            raise ParameterError(f"max_message must be 1..{MAX_MESSAGE_SIZE}, got {max_message}")
        if not 1 <= max_parts <= MAX_PARTS:
            raise ParameterError(f"max_parts must be 1..{MAX_PARTS}, got {max_parts}")
        self._max_messages = max_messages
        self._max_message = max_message
        self._max_parts = max_parts
        self._require_prefix = require_prefix
        self._remember = max(0, remember_completed)
        self._pending: OrderedDict[_MessageKey, _Assembly] = OrderedDict()
        self._completed: OrderedDict[_MessageKey, None] = OrderedDict()

    @property
    def pending(self) -> tuple[Progress, ...]:
        """Progress of every partial message held, oldest first."""
        return tuple(
            Progress(key[0], len(asm.rows), asm.count, False) for key, asm in self._pending.items()
        )

    def reset(self) -> None:
        """Forget everything, e.g. when the operator starts a new scan."""
        self._pending.clear()
        self._completed.clear()

    def push(self, data: bytes) -> ReceiveResult:
        """Take the bytes of one decoded code.

        Returns :class:`Complete`, :class:`Progress` or :class:`Foreign`; raises
        :class:`~sdk.errors.FrameError` for a malformed zkaid frame and
        :class:`~sdk.errors.IntegrityError` when a reassembled message fails its check.
        """
        data = bytes(data)
        kind = classify(data)
        if kind is CodeKind.FOREIGN:
            return Foreign(data)
        if kind is CodeKind.PAYLOAD:
            if len(data) > self._max_message:
                raise FrameError(
                    f"The code holds {len(data)} bytes; the limit is {self._max_message}.",
                    reason=TransportReason.TOO_LARGE,
                )
            return Complete(data, None, 1)
        frame = parse_frame(data, max_message=self._max_message, max_parts=self._max_parts)
        key: _MessageKey = (frame.message_id, frame.total_length, frame.count)
        if key in self._completed:
            self._completed.move_to_end(key)
            return Progress(frame.message_id, frame.count, frame.count, False)
        asm = self._pending.get(key)
        if asm is None:
            while len(self._pending) >= self._max_messages:
                self._pending.popitem(last=False)
            asm = _Assembly(frame.total_length, frame.count)
            self._pending[key] = asm
        else:
            self._pending.move_to_end(key)
        if frame.is_systematic:
            mask = 1 << frame.seq
        else:
            mask = repair_mask(frame.message_id, frame.seq, frame.count)
        new = asm.add(mask, int.from_bytes(frame.data, "big"))
        if len(asm.rows) < asm.count:
            return Progress(frame.message_id, len(asm.rows), asm.count, new)
        del self._pending[key]
        message = asm.solve()
        if message_id(message) != frame.message_id:
            raise IntegrityError(
                "A multi-part code was received damaged (integrity check failed); "
                "keep scanning, it will be collected again.",
                reason=TransportReason.INTEGRITY,
            )
        if self._require_prefix and not message.startswith(ZKAID_PREFIX):
            raise FrameError(
                "The multi-part code is intact but is not a zkaid message.",
                reason=TransportReason.NOT_ZKAID,
            )
        if self._remember:
            self._completed[key] = None
            while len(self._completed) > self._remember:
                self._completed.popitem(last=False)
        return Complete(message, frame.message_id, frame.count)
