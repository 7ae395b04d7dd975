"""Curve-backend micro-benchmarks, and the BBS figures they add up to, per backend.

    .venv/bin/python bench/curves.py [--quick] [--backend arkworks|pyecc] [--before GIT_REF]

Prints the median and minimum wall time (time.perf_counter, milliseconds), and the median
CPU time of the process (time.process_time, which leaves out waiting for a shared core), of a pairing
check with one pair, the multi-pairing checks of ProofVerify (2 pairs) and of a batch (4
pairs), the final exponentiation alone, G1 scalar multiplication by a full-size scalar
(a fresh point, and the fixed generator), multi-scalar multiplications of 12 points (as
the T2 of ProofVerify: 11 points hashed to the curve, like the BBS generators, plus one
fresh point) and of 3 fresh points (T1),
ProofGen and ProofVerify at 10 messages (5 disclosed), and a presentation with a
pseudonym and two range predicates (present + verify), with the issue-12 targets beside
the proof rows. Every operation runs untimed once first (caches warm, as in a running
verifier). Rows the native backend does not expose (final exponentiation) say "n/a".

``--before GIT_REF`` extracts that commit with ``git archive`` into a temporary directory
and measures the same operations on its code in a child process, in the same run, so the
"before" column and the speed-up (of CPU times) compare like with like on the same
machine. The status beside a target judges the median wall time. Timings are printed,
never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
NATIVE = "arkworks"

# Issue 12 item 9, milliseconds at 10 messages (5 disclosed).
TARGETS: dict[tuple[str, str], float] = {
    ("pyecc", "proof_gen L=10"): 25.0,
    ("pyecc", "proof_verify L=10"): 60.0,
    ("pyecc", "present+verify, nym + 2 predicates"): 150.0,
    (NATIVE, "proof_gen L=10"): 3.0,
    (NATIVE, "proof_verify L=10"): 3.5,
}

OPS = (
    "pairing check, 1 pair",
    "multi-pairing check, 2 pairs",
    "multi-pairing check, 4 pairs",
    "final exponentiation",
    "G1 mul, fresh point",
    "G1 mul, generator",
    "G1 msm, 3 fresh points",
    "G1 msm, 11 hashed points + 1 fresh",
    "proof_gen L=10",
    "proof_verify L=10",
    "present+verify, nym + 2 predicates",
)


Timing = tuple[float, float, float]  # median wall, min wall, median CPU (ms)


def timings_ms(fn: Callable[[], object], runs: int) -> Timing:
    """Median and minimum wall time, and median CPU time of this process.

    On a shared machine the wall time includes waiting for a core; the CPU time
    (time.process_time) does not, so it is the fairer before/after comparison.
    """
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    return statistics.median(wall), min(wall), statistics.median(cpu)


def measure(backend_name: str, runs: int) -> dict[str, Timing | None]:
    """All rows for one backend, on the ``sdk`` found first on sys.path."""
    from sdk import bbs
    from sdk.curves import get_backend

    be = get_backend(backend_name)
    rnd = int.from_bytes(os.urandom(32), "big")
    r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001

    def scalar() -> int:
        return int.from_bytes(os.urandom(32), "big") % r

    out: dict[str, Timing | None] = {}
    gen1, gen2 = be.g1_generator(), be.g2_generator()
    a, b = scalar(), scalar()
    pa = be.g1_mul(gen1, a)
    qb = be.g2_mul(gen2, b)
    neg2 = be.g2_neg(gen2)
    pab = be.g1_mul(gen1, a * b % r)
    out["pairing check, 1 pair"] = timings_ms(lambda: be.pairing_check([(pa, gen2)]), runs)
    out["multi-pairing check, 2 pairs"] = timings_ms(
        lambda: be.pairing_check([(pa, qb), (pab, neg2)]), runs
    )
    out["multi-pairing check, 4 pairs"] = timings_ms(
        lambda: be.pairing_check([(pa, qb), (pab, neg2), (pa, qb), (pab, neg2)]), runs
    )
    out["final exponentiation"] = None
    if backend_name == "pyecc":
        try:
            from sdk.curves.finalexp import final_exponentiation
            from sdk.curves.tower import P as FIELD_P
        except ImportError:  # an older tree (--before) without the int tower
            pass
        else:
            f = tuple(int.from_bytes(os.urandom(48), "big") % FIELD_P for _ in range(12))
            out["final exponentiation"] = timings_ms(lambda: final_exponentiation(f), runs)
    k = scalar()
    out["G1 mul, fresh point"] = timings_ms(lambda: be.g1_mul(pa, k), runs)
    out["G1 mul, generator"] = timings_ms(lambda: be.g1_mul(gen1, k), runs)
    fresh = [be.g1_mul(gen1, scalar()) for _ in range(3)]
    ks = [scalar() for _ in range(12)]
    out["G1 msm, 3 fresh points"] = timings_ms(lambda: be.g1_msm(fresh, ks[:3]), runs)

    sk = bbs.keygen(rnd.to_bytes(32, "big"))
    pk = bbs.sk_to_pk(sk, backend=backend_name)
    header, ph = b"zkaid bench header", b"zkaid bench presentation header"
    msgs = [b"attribute value %03d" % i for i in range(10)]
    disclosed = [0, 2, 4, 6, 8]
    shown = [msgs[i] for i in disclosed]
    sig = bbs.sign(sk, pk, header, msgs, backend=backend_name)
    proof = bbs.proof_gen(pk, sig, header, ph, msgs, disclosed, backend=backend_name)
    if not bbs.proof_verify(pk, proof, header, ph, shown, disclosed, backend=backend_name):
        raise RuntimeError(f"[{backend_name}] a fresh proof did not verify")
    # eleven points hashed to the curve, as BBS derives its generators Q_1, H_1..H_10
    gens = [be.map_to_g1(1000 + i, 2000 + i) for i in range(11)]
    pts = [*gens, fresh[0]]
    out["G1 msm, 11 hashed points + 1 fresh"] = timings_ms(lambda: be.g1_msm(pts, ks), runs)
    out["proof_gen L=10"] = timings_ms(
        lambda: bbs.proof_gen(pk, sig, header, ph, msgs, disclosed, backend=backend_name), runs
    )
    out["proof_verify L=10"] = timings_ms(
        lambda: bbs.proof_verify(pk, proof, header, ph, shown, disclosed, backend=backend_name),
        runs,
    )
    out["present+verify, nym + 2 predicates"] = _presentation(backend_name, runs)
    return out


def _presentation(backend_name: str, runs: int) -> Timing:
    """Holder present + verifier verify, disclosing 1 of 6 with a pseudonym and 2 predicates
    (the shared test world of tests/sdk/credential, as bench/presentation.py uses)."""
    from sdk.credential import read_request, verify_presentation
    from sdk.credential.schema import date_to_days
    from sdk.wire import PredicateSpec
    from tests.sdk.credential.world import NOW, World, household

    world = World(backend_name)
    holder, cred, _ = world.enroll_wallet(household())
    preds = (
        PredicateSpec("household_size", "ge", (5,)),
        PredicateSpec("valid_until", "ge", (date_to_days(dt.date(2026, 12, 1)),)),
    )
    req = world.request(disclose=("region",), predicates=preds)
    rr = read_request(req, world.trust_list, now=NOW)
    assessment = holder.assess(rr, [cred], world.trust_list, now=NOW)

    def once() -> Any:
        pres = holder.present(assessment)
        return verify_presentation(pres, rr, world.trust_list, now=NOW, backend=backend_name)

    return timings_ms(once, runs)


def measure_before(ref: str, backend_name: str, runs: int) -> dict[str, Timing | None]:
    """The same rows on the code of git commit ``ref``, in a child process."""
    with tempfile.TemporaryDirectory(prefix="zkaid-before-") as tmp:
        archive = Path(tmp) / "tree.tar"
        with archive.open("wb") as fh:
            subprocess.run(["git", "-C", str(REPO), "archive", ref], stdout=fh, check=True)
        root = Path(tmp) / "tree"
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
        cmd = [
            sys.executable, str(Path(__file__).resolve()), "--child", str(root),
            "--backend", backend_name, "--runs", str(runs),
        ]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        data: dict[str, Any] = json.loads(res.stdout)
        return {k: (tuple(v) if v is not None else None) for k, v in data.items()}  # type: ignore[misc]


def _ms(v: float) -> str:
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def print_table(
    backend_name: str,
    now: dict[str, Timing | None],
    before: dict[str, Timing | None] | None,
    runs: int,
) -> None:
    head = ["backend", "operation", "median ms", "min ms", "cpu ms"]
    if before is not None:
        head += ["before cpu ms", "speed-up (cpu)"]
    head += ["target ms", "status"]
    rows = []
    for op in OPS:
        cur = now.get(op)
        row = [backend_name, op] + (["n/a"] * 3 if cur is None else [_ms(v) for v in cur])
        if before is not None:
            old = before.get(op)
            row += [
                "n/a" if old is None else _ms(old[2]),
                "" if old is None or cur is None else f"{old[2] / cur[2]:.1f}x",
            ]
        target = TARGETS.get((backend_name, op))
        if target is None or cur is None:
            row += ["", ""]
        else:
            row += [f"<= {target:g}", "ok" if cur[0] <= target else "MISS"]
        rows.append(row)
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    print(f"\n{backend_name}: {runs} runs per row")
    for r in (head, *rows):
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))


def main() -> None:
    ap = argparse.ArgumentParser(description="zkaid curve-backend benchmark")
    ap.add_argument("--backend", action="append", choices=(NATIVE, "pyecc"))
    ap.add_argument("--quick", action="store_true", help="fewer runs (2 pure Python, 5 native)")
    ap.add_argument("--runs", type=int, default=0, help="runs per row (default 7 pyecc, 30 native)")
    ap.add_argument("--before", metavar="GIT_REF", help="also measure this commit, same run")
    ap.add_argument("--child", metavar="ROOT", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        sys.path.insert(0, args.child)
        backend_name = args.backend[0]
        print(json.dumps(measure(backend_name, args.runs)))
        return

    sys.path.insert(0, str(REPO))
    from sdk.curves import available_backends

    backends = args.backend or available_backends()
    print(f"zkaid bench/curves.py  python {platform.python_version()}  {platform.machine()}")
    for name in backends:
        runs = args.runs or ((2 if args.quick else 7) if name == "pyecc" else (5 if args.quick else 30))
        before = measure_before(args.before, name, runs) if args.before else None
        now = measure(name, runs)
        print_table(name, now, before, runs)


if __name__ == "__main__":
    main()
