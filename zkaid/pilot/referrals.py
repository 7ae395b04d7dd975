"""Pilot phase: referrals from one programme agency to another (issue 15).

A share of the households that were served is referred by the first programme agency (A) to
the last one (B) for an agreed service. Each person reads the referral in their wallet and
agrees or refuses; a few later withdraw. A's desk sends consented referrals through its
outbox (one delivery is "crashed" after the service stored it and retried after a restart);
B's desk lists today's referrals, decrypts them locally, recognises each person by scanning
their wallet in B's referral scope, and records accepted then completed.

The invariants are computed by reading the registry database itself (its files for SQLite,
every table's rows through SQL on any database): no referral's note or attribute value, in
any encoding the run used, appears there, and no declined referral left a row or a byte of
its ciphertext.
"""

from __future__ import annotations

import random
import secrets
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sdk.client import ServiceClient
from sdk.credential import Holder, household_schema, read_request, verify_presentation
from sdk.referral import (
    HYBRID,
    X25519,
    Outbox,
    compose,
    consent,
    make_offer,
    read_offer,
    referral_scope,
    seal_referral,
    withdraw,
)
from sdk.trust import TrustAnchor, TrustList, load_trust_list
from zkaid.pilot.config import HOUSEHOLD_VERSION
from zkaid.pilot.report import PilotReport

__all__ = ["run_referrals"]

TYPES = {"health": {"en": "Health care", "fr": "Soins de santé"},
         "shelter": {"en": "Shelter", "fr": "Abri"},
         "protection": {"en": "Protection", "fr": "Protection"}}
DECLINE_SHARE = 0.2  # of the people offered a referral
WITHDRAW_SHARE = 0.1  # of those who agreed


def _tl(url: str, anchor: bytes) -> TrustList:
    return load_trust_list(ServiceClient(url).trust_list() or b"", [TrustAnchor(anchor)])


def run_referrals(*, url: str, anchor: bytes, admin_keys: dict[str, str], agency_ids: dict[str, str],
                  operator: str, sender: str, recipient: str, people: Sequence[tuple[Holder, Any]],
                  share: float, rng: random.Random, workdir: Path, report: PilotReport,
                  database_url: str | None) -> None:
    """Run the phase; counts go to ``report.phases["referrals"]`` and the two invariants to
    ``report.phase_invariants`` (only when the pilot can read the registry database)."""
    if share <= 0 or not people:
        return
    a_id, b_id = agency_ids[sender], agency_ids[recipient]
    root = ServiceClient(url, admin_keys[operator])
    for tid, labels in TYPES.items():
        root.request_json("PUT", f"/v1/referrals/types/{tid}", {"labels": labels})
    from field_app.referrals import DeskKeyring, DeskReferrals

    ring = DeskKeyring(workdir / "referral-desk" / "keys.json")
    b_admin = ServiceClient(url, admin_keys[recipient])
    for suite in (X25519, HYBRID):  # B offers both suites; A alternates between them
        pair = ring.generate(b_id, suite)
        b_admin.request_json("POST", "/v1/referrals/keys", {"name": f"{recipient} referrals", "suite": suite,
                                                            "public_key": pair.public_key.hex()})
    a_client = ServiceClient(url, admin_keys[sender])
    b_client = ServiceClient(url, admin_keys[recipient])
    tl = _tl(url, anchor)
    schema = household_schema(HOUSEHOLD_VERSION)
    issuers = [i.kid for i in tl.payload.issuers]
    n = max(1, round(share * len(people)))
    chosen = rng.sample(list(people), min(n, len(people)))
    # exact quotas, so that even a small pilot has people who refuse and people who withdraw
    refuse = set(rng.sample(range(len(chosen)), round(DECLINE_SHARE * len(chosen)) if len(chosen) >= 3 else 0))
    counts: Counter[str] = Counter({k: 0 for k in ("referred", "declined", "consented", "sent", "received",
                                                   "recognised by wallet scan", "completed", "withdrawn (A sees)",
                                                   "completed (A sees)", "delivery crashes recovered")})
    plaintexts: list[bytes] = []
    declined: list[tuple[str, bytes]] = []  # (referral id, sealed bytes) that must never reach the service
    consented: list[tuple[Holder, Any, Any, Any]] = []
    outbox = Outbox(workdir / "referral-outbox")
    for n, (holder, cred) in enumerate(chosen):
        now = int(time.time())
        marker = f"case-{secrets.token_hex(6)}"
        note = f"Referred from the {sender} desk, case {marker}: follow-up needed within a week."
        values = cred.values
        attributes = {"household_size": int(values["household_size"]), "region": str(values["region"]),
                      "case_ref": marker}
        content = compose(tl, referral_type=rng.choice(sorted(TYPES)), urgency=rng.choice(["routine", "soon", "urgent"]),
                          note=note, attributes=attributes, from_agency=a_id, to_agency=b_id, now=now)
        t = time.perf_counter()
        sealed = seal_referral(content, tl, now=now, suite_name=X25519 if n % 2 == 0 else HYBRID)
        offer = make_offer(content, sealed, schema=schema, issuers=issuers, purpose={"en": f"Referral to {b_id}"},
                           now=now)
        counts["referred"] += 1
        plaintexts += [note.encode(), marker.encode()]
        ro = read_offer(offer, tl, now=now)  # what the wallet shows
        if n in refuse:
            counts["declined"] += 1
            declined.append((content.referral_id.hex(), sealed.data))
            continue  # nothing is sent
        sub = consent(holder, ro, [cred], tl, now=now)
        report.timings.add("referral: seal + offer + wallet consent", (time.perf_counter() - t) * 1000)
        counts["consented"] += 1
        outbox.put(sub)
        consented.append((holder, cred, content, sealed))
    # A's desk delivers; the first delivery "crashes" after the service stored it
    pending = outbox.pending()
    if pending:
        crashed = {"done": False}

        def send_then_crash(data: bytes) -> None:
            a_client.send_referral(data)
            if not crashed["done"]:
                crashed["done"] = True
                raise _Crash()

        try:
            outbox.flush(send_then_crash)
        except _Crash:
            counts["delivery crashes recovered"] += 1
        res = Outbox(outbox.folder).flush_many(a_client.send_referrals)
        counts["sent"] = len(a_client.referrals(box="sent"))
        counts["outbox left"] = len(Outbox(outbox.folder).pending()) + len(res.rejected)
    # B's desk: today's referrals, decrypted here; then each person is recognised by a scan
    desk = DeskReferrals(b_client, ring.keys(), b_id, tl)
    today = desk.today(int(time.time()))
    counts["received"] = sum(1 for r in today if r.content is not None)
    by_id = {c.referral_id.hex(): (h, cr) for h, cr, c, _s in consented}
    for r in today:
        if r.content is None or r.referral_id not in by_id:
            continue
        h, cr = by_id[r.referral_id]
        nym = _desk_scan(h, cr, tl, b_id)
        if any(x.referral_id == r.referral_id for x in desk.for_person(nym, int(time.time()))):
            counts["recognised by wallet scan"] += 1
    withdrawn: set[str] = set()
    quota = round(WITHDRAW_SHARE * len(consented)) if len(consented) >= 2 else 0
    leaving = {c.referral_id.hex() for _h, _c, c, _s in rng.sample(consented, max(quota, 1 if len(consented) >= 2
                                                                             else 0))}
    for h, cr, content, sealed in consented:
        rid = content.referral_id.hex()
        if rid in leaving:
            data = withdraw(h, [cr], tl, referral_id=content.referral_id, digest=sealed.digest, to_agency=b_id,
                            now=int(time.time()))
            ServiceClient(url).withdraw_referral(rid, data)
            withdrawn.add(rid)
            continue
        desk.update(rid, "accepted")
        desk.update(rid, "completed")
        counts["completed"] += 1
    statuses = Counter(i["status"] for i in a_client.referrals(box="sent"))
    counts["withdrawn (A sees)"] = statuses.get("withdrawn", 0)
    counts["completed (A sees)"] = statuses.get("completed", 0)
    report.phases["referrals"] = dict(counts)
    if database_url is None:
        report.phases["referrals"]["database checked"] = 0
        return
    readable, declined_sent = _inspect(database_url, plaintexts, declined)
    report.phase_invariants["no referral content readable by the service"] = not readable
    report.phase_invariants["declined referrals sent nothing"] = not declined_sent


class _Crash(Exception):
    """A simulated process crash between the service's answer and the outbox update."""


def _desk_scan(holder: Holder, cred: Any, tl: TrustList, agency: str) -> bytes:
    from sdk.credential import build_request

    now = int(time.time())
    req = build_request(verifier_id=agency, scope=referral_scope(agency), issuers=[cred.issuer_kid],
                        schema=cred.schema, purpose={"en": "Referral desk"}, now=now)
    rr = read_request(req, tl, now=now)
    pres = holder.present(holder.assess(rr, [cred], tl, now=now))
    return verify_presentation(pres, rr, tl, now=now).pseudonym


def _inspect(database_url: str, plaintexts: Sequence[bytes], declined: Sequence[tuple[str, bytes]]
             ) -> tuple[list[bytes], list[str]]:
    """(plaintexts found in the database, declined referral ids found there)."""
    from sqlalchemy import MetaData, create_engine, select

    blobs: list[bytes] = []
    if database_url.startswith("sqlite:///"):
        db = Path(database_url[len("sqlite:///"):])
        blobs += [p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name)]
    engine = create_engine(database_url)
    try:
        md = MetaData()
        md.reflect(engine)
        with engine.connect() as conn:
            for table in md.sorted_tables:
                for row in conn.execute(select(table)):
                    blobs.append(b"\x00".join(v if isinstance(v, bytes) else str(v).encode() for v in row))
    finally:
        engine.dispose()
    found = [p for p in plaintexts if any(p in b for b in blobs)]
    sent = [rid for rid, sealed in declined
            if any(rid.encode() in b or sealed[-64:] in b for b in blobs)]
    return found, sent
