"""Issue 16 targets: the registry at scale, several workers, the log's cost, revocation.

    python bench/service_scale.py [--stored N] [--only sqlite|postgresql] [--batches K] [--log-only]

(also run by ``python bench/service.py --scale``). For each engine: fills the registry with
``--stored`` enrollments (default 100,000; the issue asks for 1,000,000) and as many log
entries, straight into the tables (random 48-byte values: storage, not crypto, is what the
fill is for), then measures over HTTP on loopback:

- batch sync of fresh valid pseudonyms (5,000 per batch) with that much already stored;
- single enrollments at 1 and 2 uvicorn workers (8 and 16 clients): rate, p50, p99;
- what the log adds to a sync (in-process ``registry.sync`` with and without the log, alternating
  batches of 2,000: wall time, and CPU seconds of this process, its pseudonym-check helper and the database server);
- a consistency proof between two tree heads ``min(stored, 1,000,000)`` entries apart, fetched
  over HTTP and verified with sdk.log;
- a device key revoked through one worker, then used at once on every worker (2 workers).

Targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from sdk.curves import get_backend
from sdk.log import verify_consistency
from verifier_service.bootstrap import Bootstrap
from verifier_service.registry.models import Enrollment
from verifier_service.registry.pgserver import PostgresServer
from verifier_service.settings import Settings

SCOPE = "cva/2026-12/round-1"
KEK = base64.b64encode(bytes(range(7, 39))).decode()
BATCH = 5000
NOW = int(time.time())


def pseudonyms(n: int, seed: int) -> list[str]:
    be = get_backend()
    g = be.g1_generator()
    p = be.g1_mul(g, 77_000 + seed * 1_000_003)
    out = []
    for _ in range(n):
        out.append(be.g1_to_bytes(p).hex())
        p = be.g1_add(p, g)
    return out


def setup(url: str, data: Path, stored: int) -> tuple[dict[str, Any], dict[str, str]]:
    kw: dict[str, Any] = dict(data_dir=str(data), database_url=url, dev=True, kek=KEK, db_pool_size=20,
                              db_max_overflow=20, public_url="http://127.0.0.1")
    keys: dict[str, str] = {}
    with Bootstrap(Settings(**kw)) as b:
        b.create_agency("agency-a", "Agency A", operator=True)
        keys["admin"] = b.create_api_key("agency-a", "admin")
        for i in range(4):
            b.register_device("agency-a", f"dev-{i}")
            keys[f"dev-{i}"] = b.create_api_key("agency-a", "field_device", device_id=f"dev-{i}")
        keys["registrar"] = b.create_api_key("agency-a", "registrar")
        b.create_scope(SCOPE, agency="agency-a")
        t = time.perf_counter()
        fill(b, stored)
        print(f"  filled {stored:,} enrollments and log entries in {time.perf_counter() - t:.0f} s", flush=True)
    return kw, keys


def fill(b: Bootstrap, stored: int) -> None:
    from sdk.log import LogEntry
    from verifier_service.registry.models import Scope
    from verifier_service.services import log

    with b.rt.store.read() as s:
        sid = s.query(Scope.id).filter(Scope.name == SCOPE).scalar()
    chunk = 20_000
    for start in range(0, stored, chunk):
        n = min(chunk, stored - start)
        nyms = [secrets.token_bytes(48) for _ in range(n)]
        with b.rt.store.write() as s:
            s.execute(insert(Enrollment), [dict(scope_id=sid, pseudonym=p, agency_id="agency-a", device_pk=None,
                                                enrolled_at=NOW - 86400, recorded_at=NOW - 86400, source="online")
                                           for p in nyms])
            log.append_entries(s, [LogEntry("enrollment", NOW - 86400, {"scope": p[:32], "nym": p[16:],
                                                                        "agency": p[8:40]}) for p in nyms],
                               now=NOW)


# ------------------------------------------------------------------------ servers

def serve(kw: dict[str, Any], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "ZKAID_DATA_DIR": kw["data_dir"], "DATABASE_URL": kw["database_url"], "ZKAID_DEV": "1",
           "ZKAID_KEK": KEK, "ZKAID_DB_POOL_SIZE": "20", "ZKAID_PUBLIC_URL": "http://127.0.0.1",
           "ZKAID_LOG_LEVEL": "warning", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "verifier_service.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                             "--log-level", "warning", "--no-access-log", "--backlog", "2048"], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/v1/health")
            if c.getresponse().status == 200:
                time.sleep(1.0 if workers > 1 else 0.1)  # let every worker come up
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Conn:
    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def req(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        self.c.request(method, path, body=data, headers={"Authorization": f"Bearer {self.key}",
                                                        "Content-Type": "application/json"})
        r = self.c.getresponse()
        raw = r.read()
        return r.status, json.loads(raw) if raw and r.getheader("content-type", "").endswith("json") else raw


def sync_rate(port: int, keys: dict[str, str], batches: int, seed: int) -> float:
    nyms = pseudonyms(batches * BATCH, seed)
    conns = [Conn(port, keys[f"dev-{i % 4}"]) for i in range(batches)]
    bodies = [{"device_id": f"dev-{i % 4}", "scopes": [], "cursor": 0,
               "enrollments": [{"scope": SCOPE, "pseudonym": p, "enrolled_at": NOW - 60}
                               for p in nyms[i * BATCH:(i + 1) * BATCH]]} for i in range(batches)]
    lock, it, total = threading.Lock(), iter(range(batches)), [0]

    def worker() -> None:
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                return
            st, out = conns[i].req("POST", "/v1/sync", bodies[i])
            assert st == 200, (st, out)
            with lock:
                total[0] += out["accepted"]

    threads = [threading.Thread(target=worker) for _ in range(2)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return total[0] / (time.perf_counter() - t)


def single_rate(port: int, key: str, clients: int, n: int, seed: int) -> tuple[float, float, float]:
    nyms = pseudonyms(n, seed)
    lat: list[float] = []
    lock, it = threading.Lock(), iter(nyms)

    def worker() -> None:
        c = Conn(port, key)
        while True:
            with lock:
                p = next(it, None)
            if p is None:
                return
            t0 = time.perf_counter()
            st, _ = c.req("POST", "/v1/enrollments", {"scope": SCOPE, "pseudonym": p})
            dt = time.perf_counter() - t0
            assert st == 201, st
            with lock:
                lat.append(dt)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    el = time.perf_counter() - t
    lat.sort()
    return n / el, 1000 * statistics.median(lat), 1000 * lat[int(0.99 * (len(lat) - 1))]


def _no_log(session: Any, items: Any, *, now: int, more: Any = ()) -> list[int]:
    return list(range(len(items) + len(more)))


def _server_cpu(kw: dict[str, Any]) -> float | None:
    """CPU seconds used so far by the PostgreSQL server's processes (postmaster and its
    children: backends, WAL writer, checkpointer), from /proc; None on SQLite or if unreadable."""
    if not kw["database_url"].startswith("postgresql"):
        return None
    from sqlalchemy import create_engine, text

    eng = create_engine(kw["database_url"])
    try:
        with eng.connect() as c:
            data_dir = c.execute(text("SHOW data_directory")).scalar_one()
    finally:
        eng.dispose()
    try:
        root = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                f = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat.parent.name == str(root) or int(f[1]) == root:  # f[1]: the parent's pid
                total += int(f[11]) + int(f[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _helper_cpu() -> float:
    """CPU seconds of the pseudonym-check helper process (services/pointcheck.py), if any."""
    from verifier_service.services import pointcheck

    pool = pointcheck._pool
    total = 0.0
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def settle(kw: dict[str, Any]) -> None:
    """Let the database catch up with the fill before timing: PostgreSQL's autovacuum would
    otherwise process the million fresh rows during the rounds (its CPU lands on whichever
    batch runs then); SQLite's WAL is checkpointed."""
    from sqlalchemy import create_engine, text

    eng = create_engine(kw["database_url"], isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as c:
            if eng.dialect.name == "postgresql":
                c.execute(text("VACUUM (ANALYZE)"))
                c.execute(text("CHECKPOINT"))
            else:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        eng.dispose()


def log_overhead(kw: dict[str, Any], rounds: int) -> dict[str, float]:
    """What the log adds to registry.sync (in-process, batches of 2,000 fresh pseudonyms):
    each round syncs one batch with the log and one without (order alternating), and the
    share is taken three ways: summed wall time, the median of the rounds' wall-time ratios
    (robust to a load spike in one batch), and CPU seconds (this process and its
    pseudonym-check helper plus, on PostgreSQL, the server's processes), which the machine's
    load hardly moves."""
    from verifier_service.runtime import Runtime
    from verifier_service.services import log, pointcheck, registry
    from verifier_service.services.auth import Principal

    settle(kw)
    rt = Runtime.open(Settings(**kw))
    real = log.log_enrollments
    wall: dict[bool, list[float]] = {True: [], False: []}
    cpu = {True: 0.0, False: 0.0}
    try:
        with rt.store.read() as s:
            from verifier_service.registry.models import Device

            dev = s.query(Device).filter(Device.device_id == "dev-0").one()
        who = Principal("bench", "agency-a", "field_device", False, dev.id, "dev-0")
        nyms = pseudonyms(2 * rounds * 2000, 999)
        # start the pseudonym-check helper process first (services/pointcheck.py): its start
        # would otherwise land in the first round measured
        pointcheck.first_invalid([bytes.fromhex(p) for p in nyms[:pointcheck.PARALLEL_MIN]])
        for k in range(2 * rounds):
            with_log = (k % 2 == 0) == (k // 2 % 2 == 0)  # with/without, then without/with
            log.log_enrollments = real if with_log else _no_log
            items = [registry.SyncItem(SCOPE, bytes.fromhex(p), NOW - 30) for p in nyms[k * 2000:(k + 1) * 2000]]
            server, helper = _server_cpu(kw), _helper_cpu()
            t, c = time.perf_counter(), time.process_time()
            registry.sync(rt.store, now=NOW, principal=who, device_id="dev-0", scopes=[], cursor=0, items=items,
                          page_size=1000)
            wall[with_log].append(time.perf_counter() - t)
            cpu[with_log] += time.process_time() - c
            after = _server_cpu(kw)
            if server is not None and after is not None:
                cpu[with_log] += after - server
            cpu[with_log] += _helper_cpu() - helper
    finally:
        log.log_enrollments = real
        rt.close()
    on, off = wall[True], wall[False]
    return {"wall": 100 * (sum(on) - sum(off)) / sum(off),
            "wall_median": 100 * statistics.median((a - b) / b for a, b in zip(on, off, strict=True)),
            "cpu": 100 * (cpu[True] - cpu[False]) / cpu[False],
            "load": float(Path("/proc/loadavg").read_text().split()[0])}


def consistency_time(port: int, key: str, apart: int) -> tuple[int, float]:
    """Seconds to fetch a consistency proof between heads ``apart`` entries apart and verify it."""
    c = Conn(port, key)
    st, head = c.req("GET", "/v1/log/tree-head")
    size = head["size"]
    first = max(1, size - apart)
    root_first = _root_from(c, first)  # what a witness saved at that size
    t = time.perf_counter()
    st, proof = c.req("GET", f"/v1/log/consistency?first={first}&second={size}")
    assert st == 200, proof
    verify_consistency(first, size, root_first, bytes.fromhex(head["root"]), [bytes.fromhex(h) for h in proof["path"]])
    return size - first, time.perf_counter() - t


def _root_from(c: Conn, size: int) -> bytes:
    """MTH of the first ``size`` entries, from an inclusion proof of the last one."""
    from sdk.log import root_from_proof

    _st, p = c.req("GET", f"/v1/log/inclusion?index={size - 1}&size={size}")
    return root_from_proof(size - 1, size, bytes.fromhex(p["leaf_hash"]), [bytes.fromhex(h) for h in p["path"]])


def revocation(kw: dict[str, Any], keys: dict[str, str]) -> tuple[int, int]:
    """2 workers: revoke a device through one connection, then use its key at once on 8 others."""
    proc, port = serve(kw, 2)
    try:
        victim = keys["dev-3"]
        conns = [Conn(port, victim) for _ in range(8)]
        for c in conns:  # every connection (spread over both workers) has the key cached
            for _ in range(3):
                assert c.req("GET", "/v1/scopes")[0] == 200
        st, _ = Conn(port, keys["admin"]).req("DELETE", "/v1/admin/devices/dev-3")
        assert st == 204, st
        ok = sum(1 for c in conns for _ in range(5) if c.req("GET", "/v1/scopes")[0] == 200)
        return ok, 40
    finally:
        stop(proc)


def run(kind: str, url: str, data: Path, stored: int, batches: int, log_only: bool = False) -> dict[str, Any]:
    print(f"{kind}:", flush=True)
    kw, keys = setup(url, data, stored)
    out: dict[str, Any] = {}
    if log_only:
        out["log_overhead"] = log_overhead(kw, max(6, batches))
        return out
    proc, port = serve(kw, 1)
    try:
        out["sync"] = sync_rate(port, keys, batches, seed=1)
        print(f"  batch sync {out['sync']:,.0f}/s", flush=True)
        out["apart"], out["consistency"] = consistency_time(port, keys["admin"], 1_000_000)
        out["single1"] = single_rate(port, keys["registrar"], 8, 2000, seed=2)
        print(f"  single, 1 worker: {out['single1']}", flush=True)
    finally:
        stop(proc)
    proc, port = serve(kw, 2)
    try:
        out["single2"] = single_rate(port, keys["registrar"], 16, 3000, seed=3)
        print(f"  single, 2 workers: {out['single2']}", flush=True)
    finally:
        stop(proc)
    out["log_overhead"] = log_overhead(kw, max(6, batches))
    print(f"  log share: {out['log_overhead']}", flush=True)
    out["revoked_ok"] = revocation(kw, keys)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", type=int, default=100_000, help="enrollments stored before measuring")
    ap.add_argument("--batches", type=int, default=8, help=f"sync batches of {BATCH:,} measured")
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--log-only", action="store_true", help="only the log's share of sync time (no HTTP rounds)")
    args = ap.parse_args()
    res: dict[str, dict[str, Any]] = {}
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as d:
            res["SQLite"] = run("SQLite", f"sqlite:///{d}/registry.sqlite3", Path(d), args.stored, args.batches,
                                args.log_only)
    if args.only in (None, "postgresql"):
        with PostgresServer(durable=True) as pg, tempfile.TemporaryDirectory() as d:
            res["PostgreSQL"] = run("PostgreSQL", pg.create_database("bench"), Path(d), args.stored,
                                    args.batches, args.log_only)
    cols = list(res)
    print(f"\nissue 16 targets: {args.stored:,} enrollments stored, {os.cpu_count()} cores, "
          f"backend {type(get_backend()).__name__}")
    print(f"{'':52}" + "".join(f"{c:>14}" for c in cols) + "   target")
    rows: list[tuple[str, Any, str]] = [
        (f"batch sync, enrollments/s ({BATCH:,}/batch)", lambda r: f"{r['sync']:,.0f}", ">= 10,000"),
        ("single POST, 1 worker, 8 clients: /s", lambda r: f"{r['single1'][0]:,.0f}", "(curve)"),
        ("single POST, 1 worker, 8 clients: p50 ms", lambda r: f"{r['single1'][1]:.0f}", ""),
        ("single POST, 1 worker, 8 clients: p99 ms", lambda r: f"{r['single1'][2]:.0f}", "SQLite <= 200"),
        ("single POST, 2 workers, 16 clients: /s", lambda r: f"{r['single2'][0]:,.0f}", "PostgreSQL >= 300"),
        ("single POST, 2 workers, 16 clients: p99 ms", lambda r: f"{r['single2'][2]:.0f}", ""),
        ("log's share of sync time, % (median of rounds)", lambda r: f"{r['log_overhead']['wall_median']:+.1f}",
         "<= 10"),
        ("  ... summed wall time, %", lambda r: f"{r['log_overhead']['wall']:+.1f}", "<= 10"),
        ("  ... CPU seconds (with the database server), %", lambda r: f"{r['log_overhead']['cpu']:+.1f}", "<= 10"),
        ("  ... load average (1 min) when measured", lambda r: f"{r['log_overhead']['load']:.1f}", ""),
        ("consistency proof + check, s", lambda r: f"{r['consistency']:.3f}", "<= 1 (1,000,000 apart)"),
        ("  ... entries apart", lambda r: f"{r['apart']:,}", ""),
        ("revoked key accepted after revocation (2 workers)", lambda r: f"{r['revoked_ok'][0]}/{r['revoked_ok'][1]}",
         "0"),
    ]
    for label, fn, target in rows:
        if args.log_only and "log" not in label and "..." not in label:
            continue
        if args.log_only and "apart" in label:
            continue
        print(f"{label:52}" + "".join(f"{fn(res[c]):>14}" for c in cols) + f"   {target}")


if __name__ == "__main__":
    main()
