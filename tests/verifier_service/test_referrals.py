"""Referrals through the service, on SQLite and PostgreSQL: the service handles ciphertext
only, releases nothing without consent, and every bad input is a typed problem that
changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sdk.credential import Credential, Holder
from sdk.errors import ServiceError
from sdk.referral import (
    HYBRID,
    SUITES,
    X25519,
    Outbox,
    open_referral,
    withdraw,
)
from sdk.referral.consent import ReferralSubmission
from sdk.referral.envelope import SealedReferral, decode_message, encode_message
from tests.verifier_service.helpers import Deployment, run_as_one_group
from tests.verifier_service.referral_world import CBOR, NOTE, Referrals
from verifier_service.registry.referral_models import ReferralRow

DAY = 86400


def rows(dep: Deployment) -> list[ReferralRow]:
    with dep.rt.store.read() as s:
        return list(s.scalars(select(ReferralRow)))


def count(dep: Deployment) -> int:
    with dep.rt.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(ReferralRow)) or 0)


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_referral_from_a_to_b(dep: Deployment, suite: str) -> None:
    ref = Referrals(dep).setup()
    tl = dep.trust_list()
    assert {k.suite for k in tl.referral_keys_for("agency-b", dep.clock.now)} == set(SUITES)
    holder, cred, _ = dep.wallet()
    content, _sealed, sub = ref.submission(holder, cred, suite)
    r = ref.send(sub)
    assert r.status_code == 201, r.text
    rid = content.referral_id.hex()
    assert r.json()["status"] == "sent" and r.json()["referral_id"] == rid and r.json()["suite"] == suite
    again = ref.send(sub)  # a retry after a lost answer: delivered once
    assert again.status_code == 200 and again.json()["referral_id"] == rid and count(dep) == 1
    # B's desk scans the wallet, finds the referral by pseudonym, decrypts it locally
    nym = ref.desk_scan(holder, cred)
    inbox = dep.client.get(f"/v1/referrals?box=inbox&pseudonym={nym.hex()}", headers=dep.h("device_b")).json()
    assert [i["referral_id"] for i in inbox] == [rid]
    assert dep.client.get(f"/v1/referrals?box=inbox&pseudonym={'00' * 48}", headers=dep.h("device_b")).json() == []
    data = dep.client.get(f"/v1/referrals/{rid}/sealed", headers=dep.h("device_b"))
    assert data.status_code == 200 and data.headers["content-type"] == "application/cbor"
    _s, opened = open_referral(data.content, list(ref.keys.values()), agency="agency-b", now=dep.clock.now,
                               trust_list=tl)
    assert opened == content and opened.note == NOTE
    # A sees the status only
    st = dep.client.get(f"/v1/referrals/{rid}", headers=dep.h("registrar_a")).json()
    assert st["status"] == "received" and "sealed" not in st and NOTE not in str(st)
    assert dep.client.get(f"/v1/referrals/{rid}/sealed", headers=dep.h("registrar_a")).status_code == 403
    for status in ("accepted", "completed"):
        r = dep.client.post(f"/v1/referrals/{rid}/status", json={"status": status}, headers=dep.h("device_b"))
        assert r.status_code == 200 and r.json()["status"] == status
    sent = dep.client.get("/v1/referrals?box=sent", headers=dep.h("registrar_a")).json()
    assert [(i["referral_id"], i["status"], i["has_content"]) for i in sent] == [(rid, "completed", False)]
    assert dep.client.get(f"/v1/referrals/{rid}/sealed", headers=dep.h("device_b")).status_code == 410
    assert rows(dep)[0].sealed is None
    # the audit log records every step, without content
    events = dep.client.get("/v1/audit?limit=1000", headers=dep.h("auditor_b")).json()
    actions = [e["action"] for e in events if e["target"] == rid]
    assert actions == ["referral.received", "referral.accepted", "referral.completed"]
    assert NOTE not in str(events)


def test_bad_submissions_change_nothing(dep: Deployment) -> None:
    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    c1, s1, sub1 = ref.submission(holder, cred)
    _c2, s2, sub2 = ref.submission(holder, cred, HYBRID, note="another referral")
    p1 = decode_message(sub1, ReferralSubmission, "s")
    p2 = decode_message(sub2, ReferralSubmission, "s")

    def refused(data: bytes, status: int, reason: str, who: str = "registrar_a") -> None:
        r = ref.send(data, who)
        assert (r.status_code, r.json()["reason"]) == (status, reason), r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert count(dep) == 0

    # consent given for referral 1, attached to referral 2
    refused(encode_message(ReferralSubmission(s2.data, p1.request, p1.presentation)), 422, "consent_mismatch")
    refused(encode_message(ReferralSubmission(s2.data, p2.request, p1.presentation)), 422, "consent_invalid")
    # a changed ciphertext changes the digest the consent is bound to
    env = decode_message(s1.data, SealedReferral, "s")
    bad = encode_message(SealedReferral(env.header, env.ciphertext[:-1] + bytes([env.ciphertext[-1] ^ 1])))
    refused(encode_message(ReferralSubmission(bad, p1.request, p1.presentation)), 422, "consent_mismatch")
    refused(sub1, 403, "wrong_sender", who="registrar_b")
    refused(b"\xd9\xd9\xf7\xa1\x00\x01", 400, "malformed")
    refused(sub1[:-3], 400, "malformed")
    r = dep.client.post("/v1/referrals", content=sub1, headers={**dep.h("registrar_a"), "Content-Type": "text/plain"})
    assert r.status_code == 415 and count(dep) == 0
    assert dep.client.post("/v1/referrals", content=sub1, headers=CBOR).status_code == 401
    dep.clock.advance(31 * DAY)  # past the referral's 30-day lifetime
    refused(sub1, 410, "expired")
    dep.clock.advance(-31 * DAY)
    assert ref.send(sub1).status_code == 201
    # the same referral id with other content: a replay or a forgery
    c3, s3 = ref.seal(referral_id=c1.referral_id, note="changed")
    r = ref.send(ref.consent(holder, cred, ref.offer(c3, s3)))
    assert (r.status_code, r.json()["reason"]) == (409, "replayed") and count(dep) == 1
    rid = c1.referral_id.hex()
    assert dep.client.get(f"/v1/referrals/{'ab' * 16}", headers=dep.h("registrar_a")).status_code == 404
    assert dep.client.get(f"/v1/referrals/{rid}", headers=dep.h("device_a")).status_code == 200
    r = dep.client.post(f"/v1/referrals/{rid}/status", json={"status": "completed"}, headers=dep.h("device_b"))
    assert (r.status_code, r.json()["reason"]) == (409, "invalid_transition")
    r = dep.client.post(f"/v1/referrals/{rid}/status", json={"status": "accepted"}, headers=dep.h("registrar_a"))
    assert (r.status_code, r.json()["reason"]) == (403, "not_recipient")
    r = dep.client.post(f"/v1/referrals/{rid}/status", json={"status": "teleported"}, headers=dep.h("device_b"))
    assert r.status_code == 422
    assert rows(dep)[0].status == "sent"
    # a referral too long for the retention period is refused
    c4, s4 = ref.seal(lifetime=120 * DAY)
    r = ref.send(ref.consent(holder, cred, ref.offer(c4, s4)))
    assert (r.status_code, r.json()["reason"]) == (422, "bad_lifetime") and count(dep) == 1


def test_withdrawal_deletes_b_copy_and_a_sees_it(dep: Deployment) -> None:
    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    other, other_cred, _ = dep.wallet()
    content, sealed, sub = ref.submission(holder, cred)
    assert ref.send(sub).status_code == 201
    rid = content.referral_id.hex()
    tl = dep.trust_list()

    def wd(h: Holder, c: Credential) -> bytes:
        return withdraw(h, [c], tl, referral_id=content.referral_id, digest=sealed.digest, to_agency="agency-b",
                        now=dep.clock.now)

    r = dep.client.post(f"/v1/referrals/{rid}/withdraw", content=wd(other, other_cred), headers=CBOR)
    assert (r.status_code, r.json()["reason"]) == (403, "not_yours") and rows(dep)[0].sealed is not None
    r = dep.client.post(f"/v1/referrals/{'cd' * 16}/withdraw", content=wd(holder, cred), headers=CBOR)
    assert r.status_code == 404
    r = dep.client.post(f"/v1/referrals/{rid}/withdraw", content=wd(holder, cred), headers=CBOR)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert rows(dep)[0].sealed is None
    assert dep.client.get(f"/v1/referrals/{rid}", headers=dep.h("registrar_a")).json()["status"] == "withdrawn"
    r = dep.client.get(f"/v1/referrals/{rid}/sealed", headers=dep.h("device_b"))
    assert (r.status_code, r.json()["reason"]) == (410, "withdrawn")
    r = ref.send(sub)  # the old submission cannot bring it back
    assert (r.status_code, r.json()["reason"]) == (409, "replayed")


def test_expiry_and_retention(dep: Deployment) -> None:
    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    _content, _s, sub = ref.submission(holder, cred, lifetime=2 * DAY)
    assert ref.send(sub).status_code == 201
    dep.clock.advance(2 * DAY)
    dep.rt.housekeeping()
    row = rows(dep)[0]
    assert (row.status, row.sealed) == ("expired", None)
    dep.clock.advance(dep.rt.settings.referral_retention)
    dep.rt.housekeeping()
    assert count(dep) == 0


def test_key_rotation_and_revocation(dep: Deployment) -> None:
    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    old = ref.keys[X25519]
    content, sealed, sub = ref.submission(holder, cred)
    assert sealed.header.recipient_kid == old.kid and ref.send(sub).status_code == 201
    dep.clock.advance(60)
    from sdk.referral import ReferralKeyPair
    new = ReferralKeyPair.generate(X25519)
    r = dep.client.post("/v1/referrals/keys", json={"name": "Agency B", "suite": X25519,
                                                    "public_key": new.public_key.hex()}, headers=dep.h("admin_b"))
    assert r.status_code == 201 and r.json()["kid"] == new.kid.hex()
    assert dep.client.post("/v1/referrals/keys", json={"name": "Agency B", "suite": X25519,
                                                       "public_key": new.public_key.hex()},
                           headers=dep.h("admin_b")).status_code == 409
    r = dep.client.post("/v1/referrals/keys", json={"name": "x", "suite": HYBRID, "public_key": "00" * 32},
                        headers=dep.h("admin_b"))
    assert r.status_code == 422
    assert dep.client.post("/v1/referrals/keys", json={"name": "x", "suite": X25519, "public_key": "11" * 32},
                           headers=dep.h("registrar_b")).status_code == 403
    dep.clock.advance(60)
    _c2, s2 = ref.seal()
    assert s2.header.recipient_kid == new.kid  # the newest key is used
    r = dep.client.delete(f"/v1/referrals/keys/{old.kid.hex()}", headers=dep.h("admin_b"))
    assert r.status_code == 204
    assert dep.trust_list().referral_key(old.kid) is None
    # the referral sealed to the old key still opens on the desk that kept it
    data = dep.client.get(f"/v1/referrals/{content.referral_id.hex()}/sealed", headers=dep.h("device_b")).content
    assert open_referral(data, [old, new], agency="agency-b", now=dep.clock.now)[1] == content
    # types: the operator's admins only
    assert dep.client.put("/v1/referrals/types/food", json={"labels": {"en": "Food"}},
                          headers=dep.h("admin_b")).status_code == 403
    assert dep.client.put("/v1/referrals/types/Food!", json={"labels": {"en": "Food"}},
                          headers=dep.h("admin_a")).status_code == 422
    assert [t["id"] for t in dep.client.get("/v1/referrals/types", headers=dep.h("device_b")).json()] == [
        "health", "shelter"]


def test_outbox_survives_a_crash_between_consent_and_delivery(dep: Deployment, tmp_path: object) -> None:
    from pathlib import Path
    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    box = Outbox(Path(str(tmp_path)) / "outbox")
    content, _s, sub = ref.submission(holder, cred)
    rid = box.put(sub)  # consent given: on disk before anything is sent
    assert rid == content.referral_id.hex() and box.put(sub) == rid and len(box.pending()) == 1

    class Crash(Exception):
        pass

    def crash_before(_data: bytes) -> None:
        raise Crash()

    with pytest.raises(Crash):  # the process dies before sending
        box.flush(crash_before)
    assert count(dep) == 0 and len(Outbox(box.folder).pending()) == 1

    def crash_after(data: bytes) -> None:  # the service stored it, the answer is lost
        assert ref.send(data).status_code == 201
        raise Crash()

    with pytest.raises(Crash):
        Outbox(box.folder).flush(crash_after)
    assert count(dep) == 1

    def send(data: bytes) -> None:
        r = ref.send(data)
        if r.status_code >= 400:
            raise ServiceError(r.json()["detail"], reason=r.json()["reason"], status=r.status_code)

    res = Outbox(box.folder).flush(send)  # after the restart: delivered once
    assert res.delivered == [rid] and count(dep) == 1 and Outbox(box.folder).pending() == []
    # a permanent refusal is set aside, not retried forever
    _c, _s2, sub2 = ref.submission(holder, cred, lifetime=3600)
    rid2 = box.put(sub2)
    dep.clock.advance(7200)
    res = box.flush(send)
    assert res.rejected == {rid2: "expired"} and box.pending() == []


def test_batch_delivery_checks_each_item(dep: Deployment, tmp_path: object) -> None:
    from pathlib import Path

    from sdk.referral import ReferralBatch

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    made = [ref.submission(holder, cred, HYBRID if i % 2 else X25519) for i in range(6)]
    assert ref.send(made[0][2]).status_code == 201  # delivered before: answered, not stored twice
    p1 = decode_message(made[1][2], ReferralSubmission, "s")
    moved = encode_message(ReferralSubmission(made[2][1].data, p1.request, p1.presentation))
    p3 = decode_message(made[3][2], ReferralSubmission, "s")
    p4 = decode_message(made[4][2], ReferralSubmission, "s")
    bad_proof = encode_message(ReferralSubmission(made[3][1].data, p3.request, p4.presentation))
    items = (made[0][2], made[1][2], moved, bad_proof, made[4][2], made[5][2], b"\xd9\xd9\xf7junk")
    r = dep.client.post("/v1/referrals/batch", content=encode_message(ReferralBatch(items)),
                        headers={**dep.h("registrar_a"), **CBOR})
    assert r.status_code == 200, r.text
    got = [(x["index"], x["created"], x["reason"]) for x in r.json()["results"]]
    assert got == [(0, False, None), (1, True, None), (2, False, "consent_mismatch"), (3, False, "consent_invalid"),
                   (4, True, None), (5, True, None), (6, False, "malformed")]
    assert count(dep) == 4
    r = dep.client.post("/v1/referrals/batch", content=b"\xd9\xd9\xf7\xa0", headers={**dep.h("registrar_a"), **CBOR})
    assert (r.status_code, r.json()["reason"]) == (400, "malformed")
    # the outbox sends what waited in batches
    box = Outbox(Path(str(tmp_path)) / "outbox")
    fresh = [ref.submission(holder, cred)[2] for _ in range(3)]
    for data in (*fresh, made[2][2]):
        box.put(data)

    def send_batch(data: bytes) -> list[dict[str, object]]:
        resp = dep.client.post("/v1/referrals/batch", content=data, headers={**dep.h("registrar_a"), **CBOR})
        assert resp.status_code == 200
        out: list[dict[str, object]] = resp.json()["results"]
        return out

    res = box.flush_many(send_batch)
    assert len(res.delivered) == 4 and not res.rejected and box.pending() == [] and count(dep) == 8


CHILD = """
import os, sys
from pathlib import Path
from sdk.client import ServiceClient
from sdk.referral import Outbox
url, key, folder, data_file, when = sys.argv[1:6]
box = Outbox(Path(folder))
box.put(Path(data_file).read_bytes())
if when == "before_send":
    os._exit(9)  # killed after consent was kept, before anything was sent
client = ServiceClient(url, key)
def send(data: bytes) -> None:
    client.send_referral(data)
    os._exit(9)  # killed after the service stored it, before the outbox knew
box.flush(send)
"""


@pytest.mark.parametrize("when", ["before_send", "after_store"])
def test_a_killed_sender_loses_nothing_and_delivers_once(dep: Deployment, live: str, tmp_path: object,
                                                         when: str) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from sdk.client import ServiceClient

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    content, _s, sub = ref.submission(holder, cred)
    folder = Path(str(tmp_path)) / "outbox"
    data_file = Path(str(tmp_path)) / "consent.cbor"
    data_file.write_bytes(sub)
    res = subprocess.run([sys.executable, "-c", CHILD, live, dep.keys["registrar_a"], str(folder), str(data_file),
                          when], cwd=Path(__file__).resolve().parents[2], capture_output=True, timeout=120)
    assert res.returncode == 9, res.stderr[-2000:]
    assert count(dep) == (1 if when == "after_store" else 0)
    box = Outbox(folder)  # the desk restarts
    assert [rid for rid, _d in box.pending()] == [content.referral_id.hex()]
    out = box.flush(ServiceClient(live, dep.keys["registrar_a"]).send_referral)
    assert out.delivered == [content.referral_id.hex()] and box.pending() == [] and count(dep) == 1


# ----------------------------------------------------------------- group commit of single POSTs

def _in_one_group(dep: Deployment, calls: list[tuple[str, bytes]]) -> list[object]:
    """Start every submission while the process's referral writer is held, so that all of
    them queue and the next writer takes them as one group; returns results or exceptions."""
    import threading

    from sqlalchemy.exc import SQLAlchemyError

    from verifier_service.services import referrals as service
    from verifier_service.services.auth import Principal
    from verifier_service.services.errors import DomainError

    group = service._GROUPS.of(dep.rt.store)
    out: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        agency, data = calls[i]
        try:
            out[i] = service.submit(dep.rt.store, dep.rt.trust_cache, now=dep.clock.now,
                                    principal=Principal(f"test-{agency}", agency, "registrar"), data=data,
                                    retention=dep.rt.settings.referral_retention)
        except (DomainError, SQLAlchemyError) as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    run_as_one_group(group, threads, join_timeout=120)
    return out


def test_single_sends_in_one_group_each_get_their_own_answer(dep: Deployment) -> None:
    from verifier_service.registry.models import AuditEvent

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    made = [ref.submission(holder, cred, HYBRID if i % 2 else X25519) for i in range(5)]
    p1, p3 = (decode_message(made[i][2], ReferralSubmission, "s") for i in (1, 3))
    moved = encode_message(ReferralSubmission(made[2][1].data, p1.request, p1.presentation))
    bad_proof = encode_message(ReferralSubmission(made[4][1].data,
                                                  decode_message(made[4][2], ReferralSubmission, "s").request,
                                                  p3.presentation))
    c5, s5 = ref.seal(referral_id=made[0][0].referral_id, note="changed")  # made[0]'s id, other content
    replay = ref.consent(holder, cred, ref.offer(c5, s5))
    calls = [("agency-a", made[0][2]), ("agency-a", moved), ("agency-a", made[1][2]), ("agency-b", made[3][2]),
             ("agency-a", bad_proof), ("agency-a", made[0][2]), ("agency-a", replay), ("agency-a", b"\xd9junk"),
             ("agency-a", made[3][2])]
    out = _in_one_group(dep, calls)
    kinds = [r[1] if isinstance(r, tuple) else r.reason for r in out]  # type: ignore[attr-defined]
    assert kinds == [True, "consent_mismatch", True, "wrong_sender", "consent_invalid", False, "replayed",
                     "malformed", True], out
    first, again = out[0], out[5]
    assert isinstance(first, tuple) and isinstance(again, tuple) and first[0] == again[0]
    assert count(dep) == 3
    with dep.rt.store.read() as s:
        sends = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral.send"))
    assert sends == 3
    # each refusal is the typed problem the route answers
    assert ref.send(made[0][2]).status_code == 200
    r = ref.send(moved)
    assert (r.status_code, r.json()["reason"]) == (422, "consent_mismatch") and count(dep) == 3


def test_a_failed_group_answers_every_send_and_stores_nothing(dep: Deployment,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    from verifier_service.services import audit
    from verifier_service.services import referrals as service

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    made = [ref.submission(holder, cred)[2] for _ in range(3)]

    def broken(*_a: object, **_k: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "record", broken)
    out = _in_one_group(dep, [("agency-a", d) for d in made] + [("agency-b", made[0])])
    assert [type(r).__name__ for r in out[:3]] == ["OperationalError"] * 3, out
    assert getattr(out[3], "reason", None) == "wrong_sender"  # refused on its own before the transaction
    assert count(dep) == 0
    monkeypatch.undo()
    assert service.submit(dep.rt.store, dep.rt.trust_cache, now=dep.clock.now,
                          principal=service.Principal("k", "agency-a", "registrar"), data=made[0],
                          retention=dep.rt.settings.referral_retention)[1] is True
    assert count(dep) == 1


def test_concurrent_single_posts_over_http_are_each_stored_once(dep: Deployment, live: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.verifier_service.test_concurrency import call

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    made = [ref.submission(holder, cred)[2] for _ in range(12)]
    headers = {"Authorization": f"Bearer {dep.keys['registrar_a']}", **CBOR}
    with ThreadPoolExecutor(8) as pool:  # every submission twice, at once
        statuses = list(pool.map(lambda d: call(live, "POST", "/v1/referrals", d, headers)[0], made + made))
    assert sorted(statuses) == [200] * 12 + [201] * 12 and count(dep) == 12


def test_http_and_in_process_sends_wait_in_one_queue(dep: Deployment, live: str) -> None:
    """POSTs wait for their group on the event loop, in-process callers in their thread; one
    writer takes both, and each is woken with its own answer."""
    import threading

    from tests.verifier_service.test_concurrency import call
    from verifier_service.services import referrals as service

    ref = Referrals(dep).setup()
    holder, cred, _ = dep.wallet()
    made = [ref.submission(holder, cred)[2] for _ in range(6)]
    group = service._GROUPS.of(dep.rt.store)
    statuses: dict[int, object] = {}

    def post(i: int, who: str) -> None:
        headers = {"Authorization": f"Bearer {dep.keys[who]}", **CBOR}
        statuses[i] = call(live, "POST", "/v1/referrals", made[i], headers)[0]

    def direct() -> None:
        statuses[5] = service.submit(dep.rt.store, dep.rt.trust_cache, now=dep.clock.now,
                                     principal=service.Principal("k", "agency-a", "registrar"), data=made[5],
                                     retention=dep.rt.settings.referral_retention)[1]

    threads = [threading.Thread(target=post, args=(i, "registrar_b" if i == 4 else "registrar_a")) for i in range(5)]
    threads.append(threading.Thread(target=direct))
    run_as_one_group(group, threads, join_timeout=120)
    assert statuses == {0: 201, 1: 201, 2: 201, 3: 201, 4: 403, 5: True} and count(dep) == 5
