"""Framing without images: layout, thresholds, fountain reassembly, bad input, bounds."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sdk.errors import FrameError, IntegrityError, ParameterError, TransportError
from sdk.transport import (
    DEFAULT_SINGLE_MAX,
    HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    ZKAID_PREFIX,
    CodeKind,
    Complete,
    Foreign,
    Progress,
    Receiver,
    classify,
    encode,
    parse_frame,
)
from sdk.transport.framing import Frame, message_id, repair_mask

FRAMING = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def feed(receiver: Receiver, codes: list[bytes]) -> tuple[Complete | None, int]:
    """Push codes until a message completes; return it and how many codes were pushed."""
    for n, code in enumerate(codes, start=1):
        result = receiver.push(code)
        if isinstance(result, Complete):
            return result, n
    return None, len(codes)


# --- layout -------------------------------------------------------------------------------


def test_frame_layout_matches_the_spec(payload: Callable[..., bytes]) -> None:
    message = payload(2000, 7)
    enc = encode(message)
    assert not enc.single and enc.count == 3 and enc.block_size == 667
    frame = enc.code(1)
    assert len(frame) == HEADER_SIZE + 667 == 696
    assert frame[0:3] == b"ZK\x01"
    assert frame[3:19] == hashlib.sha256(message).digest()[:16]
    assert frame[19:23] == (2000).to_bytes(4, "big")
    assert frame[23:25] == (3).to_bytes(2, "big")
    assert frame[25:29] == (1).to_bytes(4, "big")
    assert frame[29:] == message[667:1334]
    last = enc.code(2)
    assert last[29:] == message[1334:] + b"\x00" * (3 * 667 - 2000)


def test_repair_part_is_the_xor_the_spec_describes(payload: Callable[..., bytes]) -> None:
    message = payload(3000, 8)
    enc = encode(message)
    k, b = enc.count, enc.block_size
    padded = message.ljust(k * b, b"\x00")
    seq = k + 5
    draw = hashlib.shake_128(
        b"zkaid-qr-v1/repair" + message_id(message) + seq.to_bytes(4, "big")
    ).digest((k + 7) // 8)
    chosen = [i for i in range(k) if draw[i // 8] >> (i % 8) & 1] or [seq % k]
    expected = bytearray(b)
    for i in chosen:
        for j, byte in enumerate(padded[i * b : (i + 1) * b]):
            expected[j] ^= byte
    assert enc.code(seq)[HEADER_SIZE:] == bytes(expected)
    assert repair_mask(message_id(message), seq, k) == sum(1 << i for i in chosen)


def test_spec_worked_example() -> None:
    """The example in specs/qr-transport.md section 3.5, byte for byte."""
    message = b"\xd9\xd9\xf7" + b"zkaid-vector-" * 120
    enc = encode(message)
    assert (len(message), enc.count, enc.block_size, enc.frame_size) == (1563, 3, 521, 550)
    msg_id = bytes.fromhex("4f208cd90fc26f9ff601ace6d6dfd8d6")
    assert hashlib.sha256(message).hexdigest().startswith(msg_id.hex())
    head = "5a4b01" + msg_id.hex() + "0000061b" + "0003"
    assert enc.code(0)[:HEADER_SIZE].hex() == head + "00000000"
    assert enc.code(3)[:HEADER_SIZE].hex() == head + "00000003"
    masks = [repair_mask(msg_id, seq, 3) for seq in (3, 4, 5)]
    assert masks == [0b011, 0b001, 0b100]
    assert enc.code(3)[HEADER_SIZE : HEADER_SIZE + 16].hex() == "abf48d110a080d495b1306171b1d5f57"


def test_single_code_is_the_payload_as_is(payload: Callable[..., bytes]) -> None:
    message = payload(DEFAULT_SINGLE_MAX, 1)
    enc = encode(message)
    assert enc.single and enc.count == 1 and enc.message_id is None
    assert enc.code(0) == enc.code(99) == message
    assert enc.cycle() == (message,)
    assert encode(payload(DEFAULT_SINGLE_MAX + 1, 1)).single is False
    assert encode(message, single_max=500).single is False


def test_classify_tells_payloads_frames_and_foreign_apart() -> None:
    assert classify(ZKAID_PREFIX + b"\xa0") is CodeKind.PAYLOAD
    assert classify(b"ZK\x01" + bytes(40)) is CodeKind.FRAME
    assert classify(b"ZK\x07whatever") is CodeKind.FRAME  # a future version, not foreign
    assert classify(b"ZKB Bank, account 12") is CodeKind.FOREIGN
    assert classify(b"https://example.org/pay?id=3") is CodeKind.FOREIGN
    assert classify(b"000201010212263000") is CodeKind.FOREIGN  # EMVCo merchant QR
    assert classify(b"") is CodeKind.FOREIGN
    assert classify(b"\xd9\xd9") is CodeKind.FOREIGN


def test_all_frames_of_a_message_have_one_length(payload: Callable[..., bytes]) -> None:
    enc = encode(payload(16 * 1024, 2))
    assert len({len(code) for code in enc.cycle()}) == 1
    assert enc.frame_size == len(enc.code(0)) <= 700


# --- round trips ------------------------------------------------------------------------


@FRAMING
@given(
    size=st.integers(1, 16 * 1024),
    seed=st.integers(0, 2**32),
    order_seed=st.integers(0, 2**32),
    repeats=st.integers(0, 10),
)
@example(size=1, seed=0, order_seed=0, repeats=3)
@example(size=16 * 1024, seed=1, order_seed=1, repeats=10)
def test_any_order_with_repeats_round_trips(
    size: int, seed: int, order_seed: int, repeats: int
) -> None:
    message = random_bytes(size, seed)
    enc = encode(message, require_prefix=False)
    parts = [enc.code(i) for i in range(enc.count)]
    rng = random.Random(order_seed)
    codes = parts + [rng.choice(parts) for _ in range(repeats)]
    rng.shuffle(codes)
    receiver = Receiver(require_prefix=False)
    done, used = feed(receiver, codes)
    assert done is not None and done.payload == message
    assert done.parts == enc.count
    # it completes exactly when the last distinct systematic part arrives
    assert len(set(codes[:used])) == enc.count


@FRAMING
@given(
    size=st.integers(1, 16 * 1024),
    seed=st.integers(0, 2**32),
    drop_seed=st.integers(0, 2**32),
    drop_rate=st.sampled_from([0.1, 0.25, 0.5, 0.9]),
)
@example(size=16 * 1024, seed=2, drop_seed=2, drop_rate=0.25)
def test_drops_then_a_later_cycle_completes(
    size: int, seed: int, drop_seed: int, drop_rate: float
) -> None:
    """First pass loses parts at random; the next pass of the same loop fills the gaps."""
    message = random_bytes(size, seed)
    enc = encode(message, require_prefix=False)
    loop = list(enc.cycle())
    rng = random.Random(drop_seed)
    first = [c for c in loop if rng.random() >= drop_rate]
    receiver = Receiver(require_prefix=False)
    done, _ = feed(receiver, first)
    if done is None:
        pending = receiver.pending
        assert len(pending) <= 1
        done, _ = feed(receiver, loop)
    assert done is not None and done.payload == message


@FRAMING
@given(
    size=st.integers(700, 16 * 1024),
    seed=st.integers(0, 2**32),
    drop_seed=st.integers(0, 2**32),
)
@example(size=16 * 1024, seed=3, drop_seed=3)
def test_fountain_replaces_missed_parts_with_later_ones(
    size: int, seed: int, drop_seed: int
) -> None:
    """A quarter of the stream is lost; the parts that do arrive are enough soon after K."""
    message = random_bytes(size, seed)
    enc = encode(message, require_prefix=False)
    rng = random.Random(drop_seed)
    receiver = Receiver(require_prefix=False)
    received = 0
    for seq in range(10 * enc.count + 100):
        if rng.random() < 0.25:
            continue
        received += 1
        result = receiver.push(enc.code(seq))
        if isinstance(result, Complete):
            assert result.payload == message
            break
        assert isinstance(result, Progress) and result.received <= enc.count
    else:
        pytest.fail("fountain never completed")
    # K independent parts are needed; a random linear code needs only a few more
    assert enc.count <= received <= enc.count + 24


@FRAMING
@given(
    sizes=st.tuples(st.integers(800, 6000), st.integers(1, 6000)),
    seed=st.integers(0, 2**32),
)
def test_two_interleaved_messages_both_complete(sizes: tuple[int, int], seed: int) -> None:
    a, b = random_bytes(sizes[0], seed), random_bytes(sizes[1], seed + 1)
    ea = encode(a, require_prefix=False)
    eb = encode(b, require_prefix=False)
    rng = random.Random(seed)
    stream = [ea.code(i) for i in range(ea.count)] + [eb.code(i) for i in range(eb.count)]
    rng.shuffle(stream)
    receiver = Receiver(require_prefix=False)
    got = {r.payload for r in map(receiver.push, stream) if isinstance(r, Complete)}
    assert got == {a, b}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_escape_the_error_tree(data: bytes) -> None:
    receiver = Receiver()
    try:
        result = receiver.push(data)
    except TransportError:
        return
    assert isinstance(result, Complete | Progress | Foreign)


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, HEADER_SIZE - 1), value=st.integers(0, 255))
def test_header_mutations_are_rejected_or_harmless(position: int, value: int) -> None:
    message = ZKAID_PREFIX + random_bytes(3000, 3)
    enc = encode(message)
    receiver = Receiver()
    codes = [enc.code(i) for i in range(enc.count)]
    bad = bytearray(codes[0])
    bad[position] = value
    try:
        receiver.push(bytes(bad))
    except TransportError:
        pass
    results = []
    for code in codes:
        try:
            results.append(receiver.push(code))
        except IntegrityError:
            # A mutated seq can land in the real message's slot; the damage is caught
            # and only that message is dropped. The next cycle then completes.
            results.extend(receiver.push(c) for c in codes)
            break
    assert any(isinstance(r, Complete) and r.payload == message for r in results)


# --- bad input --------------------------------------------------------------------------


def test_truncated_and_padded_frames(payload: Callable[..., bytes]) -> None:
    frame = encode(payload(3000)).code(0)
    receiver = Receiver()
    for cut in (3, 10, HEADER_SIZE - 1, HEADER_SIZE, len(frame) - 1):
        with pytest.raises(FrameError) as info:
            receiver.push(frame[:cut])
        assert info.value.reason == "truncated"
    with pytest.raises(FrameError) as info:
        receiver.push(frame + b"\x00")
    assert info.value.reason == "bad_frame"
    with pytest.raises(FrameError) as info:
        receiver.push(b"ZK\x02" + frame[3:])
    assert info.value.reason == "unsupported_version"
    assert receiver.pending == ()


def header(total: int, count: int, seq: int = 0, msg_id: bytes = b"\x11" * 16) -> bytes:
    return Frame(msg_id, total, count, seq, b"").to_bytes()


def test_huge_declared_sizes_are_refused_before_storing() -> None:
    receiver = Receiver()
    cases = {
        "too_large": [
            header(MAX_MESSAGE_SIZE + 1, 300),
            header(2**32 - 1, 65535),
            header(60000, 257),
            header(MAX_MESSAGE_SIZE, 65535),
        ],
        "bad_frame": [header(0, 1), header(10, 0), header(5, 6)],
    }
    for reason, frames in cases.items():
        for frame in frames:
            with pytest.raises(FrameError) as info:
                receiver.push(frame + b"\x00" * 64)
            assert info.value.reason == reason
    with pytest.raises(FrameError) as info:
        receiver.push(b"ZK\x01" + bytes(5000))
    assert info.value.reason == "too_large"  # no QR code holds that much
    assert receiver.pending == ()


def test_receiver_holds_few_messages_and_bounded_rows() -> None:
    receiver = Receiver(max_messages=3)
    for i in range(500):
        frame = Frame(i.to_bytes(16, "big"), 10000, 100, 0, bytes(100))
        assert isinstance(receiver.push(frame.to_bytes()), Progress)
    assert len(receiver.pending) == 3
    assert [p.message_id for p in receiver.pending] == [
        i.to_bytes(16, "big") for i in (497, 498, 499)
    ]
    # many repair parts for one message never store more than K rows
    enc = encode(ZKAID_PREFIX + random_bytes(4000, 4))
    receiver = Receiver()
    results = [receiver.push(enc.code(seq)) for seq in range(enc.count, enc.count + 200)]
    done = [r for r in results if isinstance(r, Complete)]
    assert len(done) == 1
    progress = [r for r in results if isinstance(r, Progress)]
    assert all(p.received <= enc.count for p in progress)
    assert progress[-1].complete and not progress[-1].new


def test_corrupted_part_fails_its_message_only(payload: Callable[..., bytes]) -> None:
    a, b = payload(4000, 10), payload(5000, 11)
    ea, eb = encode(a), encode(b)
    receiver = Receiver()
    for i in range(eb.count - 1):  # b: all but its last part
        receiver.push(eb.code(i))
    damaged = bytearray(ea.code(2))
    damaged[HEADER_SIZE + 17] ^= 0x40
    for i in range(ea.count):
        code = bytes(damaged) if i == 2 else ea.code(i)
        if i < ea.count - 1:
            assert isinstance(receiver.push(code), Progress)
    with pytest.raises(IntegrityError) as info:
        receiver.push(ea.code(ea.count - 1))
    assert info.value.reason == "integrity"
    # b's parts are still there; a's were dropped and are collected again
    assert [(p.message_id, p.received) for p in receiver.pending] == [(eb.message_id, eb.count - 1)]
    done_b = receiver.push(eb.code(eb.count - 1))
    assert isinstance(done_b, Complete) and done_b.payload == b
    done_a, _ = feed(receiver, list(ea.cycle()))
    assert done_a is not None and done_a.payload == a


def test_repeats_after_completion_do_not_restart(payload: Callable[..., bytes]) -> None:
    enc = encode(payload(3000))
    receiver = Receiver()
    done, _ = feed(receiver, list(enc.cycle()))
    assert done is not None
    again = receiver.push(enc.code(0))
    assert isinstance(again, Progress) and again.complete and not again.new
    assert receiver.pending == ()
    receiver.reset()
    assert isinstance(receiver.push(enc.code(0)), Progress)


def test_prefix_is_required_unless_opted_in() -> None:
    with pytest.raises(FrameError) as info:
        encode(b"hello")
    assert info.value.reason == "not_zkaid"
    enc = encode(b"hello", require_prefix=False)
    assert not enc.single and enc.count == 1  # framed, so it cannot pass for foreign
    with pytest.raises(FrameError) as info:
        Receiver().push(enc.code(0))
    assert info.value.reason == "not_zkaid"
    done = Receiver(require_prefix=False).push(enc.code(0))
    assert isinstance(done, Complete) and done.payload == b"hello"
    assert isinstance(Receiver(require_prefix=False).push(b"hello"), Foreign)


def test_encoder_limits() -> None:
    with pytest.raises(FrameError) as info:
        encode(b"")
    assert info.value.reason == "empty"
    with pytest.raises(FrameError) as info:
        encode(ZKAID_PREFIX + bytes(MAX_MESSAGE_SIZE))
    assert info.value.reason == "too_large"
    enc = encode(ZKAID_PREFIX + bytes(MAX_MESSAGE_SIZE - 3))
    assert enc.count <= 256
    with pytest.raises(FrameError) as info:
        encode(ZKAID_PREFIX + bytes(20000), frame_size=60)
    assert info.value.reason == "too_large"
    for bad in ({"frame_size": HEADER_SIZE}, {"frame_size": 5000}, {"single_max": 2}):
        with pytest.raises(ParameterError):
            encode(ZKAID_PREFIX, **bad)  # type: ignore[arg-type]
    with pytest.raises(ParameterError):
        enc.code(-1)


def test_parse_frame_reads_back_what_was_written(payload: Callable[..., bytes]) -> None:
    enc = encode(payload(1500))
    frame = parse_frame(enc.code(4))
    assert (frame.total_length, frame.count, frame.seq) == (1500, 3, 4)
    assert frame.message_id == enc.message_id and not frame.is_systematic
    assert frame.to_bytes() == enc.code(4)
