"""The encrypted vault: wrong PIN, delays, corrupted and tampered files, interrupted writes."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sdk.errors import ZkaidError
from wallet_app import storage
from wallet_app.storage import (
    CorruptedVaultError,
    DelayPolicy,
    KdfParams,
    LockedOutError,
    NoVaultError,
    TamperedVaultError,
    Vault,
    VaultWriteError,
    WrongPinError,
)

KDF = KdfParams(n=2**10)
ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def new_vault(tmp_path: Path, clock: FakeClock | None = None, **kw: object) -> Vault:
    return Vault(tmp_path, kdf=KDF, clock=clock or FakeClock(), **kw)  # type: ignore[arg-type]


def reopen(v: Vault) -> Vault:
    return Vault(v.directory, kdf=v.kdf, policy=v.policy, clock=v._clock)


def test_round_trip_and_file_is_encrypted(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"secret seed and credentials")
    raw = v.path.read_bytes()
    assert b"secret" not in raw and raw.startswith(b"ZKWV\x01")
    assert oct(v.path.stat().st_mode & 0o777) == "0o600"
    opened = reopen(v).open("135790")
    assert opened.plaintext == b"secret seed and credentials" and not opened.recovered


def test_save_keeps_previous_state_as_backup(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"state 1")
    v.save(b"state 2")
    v.save(b"state 3")
    assert reopen(v).open("135790").plaintext == b"state 3"
    v.path.unlink()
    got = reopen(v).open("135790")
    assert got.plaintext == b"state 2" and got.recovered


def test_wrong_pin_is_a_clear_typed_error(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"x")
    with pytest.raises(WrongPinError) as caught:
        reopen(v).open("000111")
    err = caught.value
    assert isinstance(err, ZkaidError) and err.reason == "wrong_pin" and err.failures == 1
    assert str(err) == "wrong PIN"


def test_increasing_delay_after_repeated_wrong_pins(tmp_path: Path) -> None:
    clock = FakeClock()
    v = new_vault(tmp_path, clock, policy=DelayPolicy(free_attempts=3, base_delay=30, max_delay=3600))
    v.create("135790", b"x")
    for i in range(1, 4):
        with pytest.raises(WrongPinError) as caught:
            reopen(v).open("999000")
        assert caught.value.failures == i
    assert caught.value.retry_after == 30
    # During the wait even the right PIN is refused, and the attempt is not counted.
    with pytest.raises(LockedOutError) as locked:
        reopen(v).open("135790")
    assert locked.value.reason == "locked_out" and 0 < locked.value.retry_after <= 30
    assert reopen(v).status().failures == 3
    clock.now += 31
    with pytest.raises(WrongPinError) as caught:
        reopen(v).open("999000")
    assert caught.value.retry_after == 60  # doubles
    clock.now += 61
    with pytest.raises(WrongPinError) as caught:
        reopen(v).open("999000")
    assert caught.value.retry_after == 120
    # A clock turned back does not shorten the wait.
    clock.now -= 10_000
    assert reopen(v).status().retry_after == 120
    clock.now += 10_000 + 121
    assert reopen(v).open("135790").plaintext == b"x"
    assert reopen(v).status() == storage.LockStatus(0, 0)  # the right PIN resets the count


def test_counter_survives_deleting_part_of_the_storage(tmp_path: Path) -> None:
    clock = FakeClock()
    v = new_vault(tmp_path, clock)
    v.create("135790", b"a")
    v.save(b"b")  # now there is a backup too
    for _ in range(4):
        with pytest.raises((WrongPinError, LockedOutError)):
            reopen(v).open("999000")
        clock.now += 10_000
    clock.now -= 10_000
    assert reopen(v).status().failures == 4
    (tmp_path / "prefs.json").write_text("{}")
    v.backup_path.unlink()  # deleting the backup does not reset the count ...
    assert reopen(v).status().failures == 4
    v2 = new_vault(tmp_path / "b", clock)
    v2.create("135790", b"a")
    v2.save(b"b")
    for _ in range(4):
        with pytest.raises((WrongPinError, LockedOutError)):
            reopen(v2).open("999000")
        clock.now += 10_000
    v2.path.unlink()  # ... nor does deleting the primary (the backup holds the count too)
    assert reopen(v2).status().failures == 4


def test_corrupted_file_without_backup(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"x")
    data = bytearray(v.path.read_bytes())
    data[20] ^= 0x01  # bit rot somewhere in the header
    v.path.write_bytes(bytes(data))
    with pytest.raises(CorruptedVaultError) as caught:
        reopen(v).open("135790")
    assert caught.value.reason == "corrupted"
    v.path.write_bytes(b"")  # empty file
    with pytest.raises(CorruptedVaultError):
        reopen(v).open("135790")
    v.path.write_bytes(os.urandom(500))
    with pytest.raises(CorruptedVaultError):
        reopen(v).open("135790")


def test_corrupted_primary_recovers_from_backup(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"old")
    v.save(b"new")
    good = v.path.read_bytes()
    v.path.write_bytes(good[: len(good) // 2])  # a torn write
    got = reopen(v).open("135790")
    assert got.recovered and got.plaintext == b"old"
    assert reopen(v).open("135790").plaintext == b"old"  # the primary was repaired
    assert (tmp_path / "wallet.vault.damaged").exists()


def _tamper(path: Path) -> None:
    """Flip one ciphertext bit and recompute the unkeyed checksum, as an attacker would."""
    import hashlib

    import cbor2

    data = path.read_bytes()
    body = cbor2.loads(data[5:-32])
    ct = bytearray(body["ct"])
    ct[len(ct) // 2] ^= 0x40
    body["ct"] = bytes(ct)
    head = data[:5] + cbor2.dumps(body, canonical=True)
    path.write_bytes(head + hashlib.sha256(head).digest())


def test_tampered_ciphertext_is_detected(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"x" * 200)
    _tamper(v.path)
    with pytest.raises(TamperedVaultError) as caught:
        reopen(v).open("135790")
    assert caught.value.reason == "tampered"
    # and a wrong PIN on a tampered file is still just a wrong PIN
    with pytest.raises(WrongPinError):
        reopen(v).open("999000")


def test_tampered_primary_falls_back_to_backup(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"a" * 100)
    v.save(b"b" * 100)
    _tamper(v.path)
    got = reopen(v).open("135790")
    assert got.recovered and got.plaintext == b"a" * 100


def test_tampered_header_fields_are_authenticated(tmp_path: Path) -> None:
    """Swapping the nonce (inside the AES-GCM associated data) is caught as tampering."""
    import hashlib

    import cbor2

    v = new_vault(tmp_path)
    v.create("135790", b"x")
    data = v.path.read_bytes()
    body = cbor2.loads(data[5:-32])
    body["nonce"] = bytes(12)
    head = b"ZKWV\x01" + cbor2.dumps(body, canonical=True)
    v.path.write_bytes(head + hashlib.sha256(head).digest())
    with pytest.raises(TamperedVaultError):
        reopen(v).open("135790")


def test_interrupted_write_keeps_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"state 1")
    real_replace = os.replace

    def crash(src: str, dst: str) -> None:
        if str(dst).endswith("wallet.vault"):
            raise OSError(errno.EIO, "power cut")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(VaultWriteError) as caught:
        v.save(b"state 2")
    assert caught.value.reason == "write_failed"
    monkeypatch.setattr(os, "replace", real_replace)
    assert not list(tmp_path.glob(".*.tmp"))
    assert reopen(v).open("135790").plaintext == b"state 1"


def test_full_disk_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"state 1")
    v.save(b"state 2")
    calls = {"n": 0}
    real_write = os.write

    def full(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data)[:10])  # a partial write first

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(VaultWriteError) as caught:
        v.save(b"state 3")
    assert caught.value.reason == "disk_full"
    monkeypatch.setattr(os, "write", real_write)
    assert not list(tmp_path.glob(".*.tmp"))
    assert reopen(v).open("135790").plaintext == b"state 2"


def test_leftover_temp_files_are_cleaned(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    v.create("135790", b"x")
    (tmp_path / ".wallet.vault.deadbeef.tmp").write_bytes(b"half a write")
    assert reopen(v).open("135790").plaintext == b"x"
    assert not (tmp_path / ".wallet.vault.deadbeef.tmp").exists()


KILL_SCRIPT = """
import sys, itertools
from wallet_app.storage import Vault, KdfParams
v = Vault(sys.argv[1], kdf=KdfParams(n=2**10))
v.open("135790")
print("ready", flush=True)
for i in itertools.count(1):
    v.save(b"state %d " % i + b"z" * 20000)
"""


def test_kill_during_writes_never_loses_the_wallet(tmp_path: Path) -> None:
    """SIGKILL a process in the middle of a stream of saves: the vault always opens, with
    one of the states that process wrote."""
    v = new_vault(tmp_path)
    v.create("135790", b"state 0")
    for delay in (0.05, 0.13, 0.21):
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path)], cwd=ROOT,
                                stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = reopen(v).open("135790").plaintext
        assert got.startswith(b"state ")


def test_errors_and_missing_vault(tmp_path: Path) -> None:
    v = new_vault(tmp_path)
    with pytest.raises(NoVaultError):
        v.open("135790")
    v.create("135790", b"x")
    with pytest.raises(storage.VaultError) as caught:
        reopen(v).create("135790", b"y")
    assert caught.value.reason == "exists"
    locked = reopen(v)
    with pytest.raises(storage.VaultError) as caught:
        locked.save(b"z")
    assert caught.value.reason == "locked"
    assert "135790" not in repr(v) and "x" not in repr(v.open("135790"))


def test_default_kdf_cost(tmp_path: Path) -> None:
    """The shipped scrypt parameters open a wallet in well under half a second here."""
    assert storage.DEFAULT_KDF == KdfParams(n=2**15, r=8, p=1)
    v = Vault(tmp_path)
    v.create("135790", b"x")
    start = time.perf_counter()
    assert Vault(tmp_path).open("135790").plaintext == b"x"
    assert time.perf_counter() - start < 1.0  # ~0.1 s on an idle laptop; generous when shared
