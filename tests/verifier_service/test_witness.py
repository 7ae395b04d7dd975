"""``zkaid witness`` against the real service: an honest log is co-signed; an entry deleted
or rewritten directly in the database (an enrollment, a registration match record or a card
revocation) is reported with its index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from sdk.log import CompactRange, LogEntry, decode_entry, node_hash, revocation_entry
from tests.verifier_service.helpers import SCOPE, Deployment, pseudonyms
from tests.verifier_service.test_log import entries, match_record, register_checked, revoke
from verifier_service.registry.log_models import LogLeaf, LogLeafPrefixes, LogNode, LogState
from verifier_service.services.log import PREFIX_CHUNK, STRIDE
from zkaid.witness import Witness

P = pseudonyms(40, seed=31)


class Authed:
    """The test client with an agency's key on every request."""

    def __init__(self, dep: Deployment, who: str) -> None:
        self.c, self.h = dep.client, dep.h(who)

    def get(self, url: str, **kw: Any) -> Any:
        return self.c.get(url, headers=self.h, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.c.post(url, headers=self.h, **kw)


def enroll(dep: Deployment, ps: list[bytes]) -> None:
    batch = {"device_id": "desk-1", "scopes": [SCOPE], "cursor": 0,
             "enrollments": [{"scope": SCOPE, "pseudonym": p.hex(), "enrolled_at": dep.clock.now - 10} for p in ps]}
    assert dep.client.post("/v1/sync", json=batch, headers=dep.h("device_b")).json()["accepted"] == len(ps)


def rebuild(dep: Deployment) -> None:
    """What a thorough insider does after changing leaves: recompute every node, the state and
    the leaf-hash prefixes from the remaining leaves (renumbered), so the service serves a
    self-consistent log."""
    with dep.rt.store.write() as s:
        rows = s.execute(select(LogLeaf.idx, LogLeaf.data).order_by(LogLeaf.idx)).all()
        s.execute(delete(LogLeaf))
        s.execute(delete(LogNode))
        cr = CompactRange()
        for new_idx, (_old, data) in enumerate(rows):
            from sdk.log import leaf_hash

            h = leaf_hash(bytes(data))
            s.add(LogLeaf(idx=new_idx, leaf_hash=h, data=bytes(data), created_at=0))
            n, level, acc = cr.size, 0, h
            peaks = list(cr.peaks)
            while n & 1:
                acc = node_hash(peaks.pop(), acc)
                n >>= 1
                level += 1
                if level % STRIDE == 0:
                    s.add(LogNode(level=level, idx=((cr.size + 1) >> level) - 1, hash=acc))
            cr.append(h)
        s.execute(update(LogState).values(size=cr.size, peaks=b"".join(cr.peaks)))
        s.execute(delete(LogLeafPrefixes))
        hashes = [leaf_hash(bytes(data)) for _old, data in rows]
        for c in range(len(hashes) // PREFIX_CHUNK):
            s.add(LogLeafPrefixes(chunk=c, prefixes=b"".join(h[:4] for h in hashes[c * PREFIX_CHUNK:(c + 1) * PREFIX_CHUNK])))


def test_an_honest_log_is_cosigned(dep: Deployment, tmp_path: Path) -> None:
    w = Witness(tmp_path / "w", Authed(dep, "auditor_b"))
    enroll(dep, P[:20])
    first = w.check()
    assert first.ok and first.size == 20 and first.new_entries == 20 and first.cosigned
    enroll(dep, P[20:37])
    second = Witness(tmp_path / "w", Authed(dep, "auditor_b")).check(audit=True)  # a later run, from its files
    assert second.ok and (second.previous, second.size, second.new_entries) == (20, 37, 17)
    head = dep.client.get("/v1/log/tree-head", headers=dep.h("auditor_a")).json()
    assert [c["agency"] for c in head["cosignatures"]] == ["agency-b"]
    assert head["cosignatures"][0]["witness_public_key"] == w.public_key().hex()


def test_a_deleted_entry_is_reported_with_its_index(dep: Deployment, tmp_path: Path) -> None:
    enroll(dep, P[:30])
    w = Witness(tmp_path / "w", Authed(dep, "auditor_b"))
    assert w.check().ok
    # the insider deletes the enrollment and its log entry, and rebuilds the tree
    with dep.rt.store.write() as s:
        s.execute(delete(LogLeaf).where(LogLeaf.idx == 11))
    rebuild(dep)
    enroll(dep, P[30:33])  # life goes on
    rep = w.check()
    assert not rep.ok and rep.findings[0].index == 11, rep
    assert "entry 11" in rep.findings[0].describe()
    # the state stays at the last good head: the next run says it again
    assert w.check().findings[0].index == 11


def test_a_lazily_deleted_row_is_reported_by_an_audit(dep: Deployment, tmp_path: Path) -> None:
    """Deleting only the row leaves the tree's hashes, so proofs still pass; the audit, which
    re-reads every entry, finds the hole."""
    enroll(dep, P[:25])
    w = Witness(tmp_path / "w", Authed(dep, "auditor_a"))
    assert w.check().ok
    with dep.rt.store.write() as s:  # only the leaf row goes; nodes and state untouched
        s.execute(delete(LogLeaf).where(LogLeaf.idx == 3))
    enroll(dep, P[25:28])
    rep = w.check(audit=True)
    assert [(f.index, f.change) for f in rep.findings] == [(3, "deleted")], rep


def test_a_rewritten_entry_is_reported(dep: Deployment, tmp_path: Path) -> None:
    enroll(dep, P[:18])
    w = Witness(tmp_path / "w", Authed(dep, "auditor_b"))
    assert w.check().ok
    forged = LogEntry("enrollment", 1, {"scope": bytes(32), "nym": bytes(32), "agency": bytes(32)}).encode()
    with dep.rt.store.write() as s:  # rewrite entry 7 in place, nodes untouched
        s.execute(update(LogLeaf).where(LogLeaf.idx == 7).values(data=forged))
    rep = w.check(audit=True)
    assert [(f.index, f.change) for f in rep.findings] == [(7, "rewritten")], rep
    rebuild(dep)  # and once the insider rebuilt the tree, a plain check finds it too
    enroll(dep, P[18:20])
    assert [f.index for f in w.check().findings] == [7]


def test_the_witness_command(dep: Deployment, live: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zkaid.cli import app

    enroll(dep, P[:9])
    args = ["witness", "check", "--url", live, "--api-key", dep.keys["auditor_a"], "--state", str(tmp_path / "w")]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0 and "0 -> 9 entries" in r.output and "co-signed" in r.output, r.output
    with dep.rt.store.write() as s:
        s.execute(delete(LogLeaf).where(LogLeaf.idx == 5))
    rebuild(dep)
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 3 and "TAMPERED: entry 5" in r.output, r.output


def kinds(dep: Deployment) -> list[str]:
    return [decode_entry(e).kind for e in entries(dep)]


def test_a_deleted_match_record_or_revocation_is_reported(dep: Deployment, tmp_path: Path) -> None:
    """The insider who lets a person register twice removes the match record's entry; the one
    who brings a stolen card back removes its revocation's entry. Both are reported."""
    enroll(dep, P[:4])
    cid = register_checked(dep, match_record())
    revoke(dep, cid)
    enroll(dep, P[4:6])
    assert kinds(dep) == ["enrollment"] * 4 + ["match", "revocation"] + ["enrollment"] * 2
    w = Witness(tmp_path / "w", Authed(dep, "auditor_b"))
    assert w.check().ok
    with dep.rt.store.write() as s:  # the card is live again and its revocation entry is gone
        s.execute(delete(LogLeaf).where(LogLeaf.idx == 5))
    rebuild(dep)
    enroll(dep, P[6:8])
    rep = w.check()
    assert not rep.ok and rep.findings[0].index == 5, rep
    with dep.rt.store.write() as s:  # and then the match record's entry
        s.execute(delete(LogLeaf).where(LogLeaf.idx == 4))
    rebuild(dep)
    assert w.check().findings[0].index == 4  # the witness kept its last good head


def test_a_rewritten_revocation_is_reported(dep: Deployment, tmp_path: Path) -> None:
    """Rewriting a revocation's reason (say "stolen" to "issued_in_error") changes its entry."""
    _h, _c, cid = dep.wallet()
    revoke(dep, cid, "stolen")
    enroll(dep, P[:3])
    w = Witness(tmp_path / "w", Authed(dep, "auditor_a"))
    assert w.check().ok
    forged = revocation_entry(cid, "agency-a", "issued_in_error", dep.clock.now).encode()
    with dep.rt.store.write() as s:  # rewritten in place, tree hashes untouched: the audit finds it
        s.execute(update(LogLeaf).where(LogLeaf.idx == 0).values(data=forged))
    rep = w.check(audit=True)
    assert [(f.index, f.change) for f in rep.findings] == [(0, "rewritten")], rep
    assert "revocation" in rep.findings[0].describe()
