"""Per-card revocation: what each candidate scheme costs here, with the issue 13 targets.

    .venv/bin/python bench/revocation.py [--backend arkworks|pyecc] [--reps N] [--quick]

Three schemes (specs/revocation.md compares them in words):

1. VLR - verifier-local revocation with per-scope tokens (Boneh-Shacham 2004), the one
   zkaid builds: the presentation carries T = H_s * rh; the verifier recomputes the
   commitment T~ = H_s * rh^ - T * c and looks up an 8-byte token. The rows time the
   implemented functions (sdk.credential.revocation) and, once the prover has a
   revocation part, a real presentation with and without it.
2. VB - a dynamic universal accumulator with non-membership proofs (Vitto-Biryukov 2020
   §7, as in docknetwork/crypto vb_accumulator/src/proofs.rs). Not implemented here:
   the size is counted from that protocol in challenge-response form (5 randomised-witness
   G1 points + 7 responses; the element's response is shared with the BBS proof) and the
   verify row times the operations its verifier must do at least on our backends (one
   pairing check with 2 pairs and 3 G1 multi-scalar multiplications of 4 points): a lower bound.
3. Short-lived cards, renewed each round by a blind re-issue: nothing is added to the
   presentation (the expiry predicate is already asked); the cost moves to issuance: one
   BlindSignWithNym per card per round, timed here, times the number of cards.

Figures are medians of wall time (time.perf_counter), warm caches. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from sdk.bbs.utils import R  # noqa: E402
from sdk.credential import Holder, IssuerKey, WalletSeed, household_schema, issue, make_offer  # noqa: E402
from sdk.credential.revocation import (  # noqa: E402
    build_update,
    handle_scalar,
    load_revocation_update,
    revocation_base,
    revocation_tag,
    short_token,
    sign_revocation_update,
)
from sdk.curves import available_backends, get_backend  # noqa: E402
from sdk.trust import TrustAnchor  # noqa: E402

SUITE = "BLS12-381-SHA-256"
SCOPE = "cva/2026-12/round-1"
NOW = 1_796_083_200
TARGET_BYTES = 200
TARGET_VERIFY_MS = 3.0
TARGET_UPDATE_BYTES = 100_000
REVOKED = 10_000
VB_SIZE = 5 * 48 + 7 * 32  # E_C, T_sigma, T_rho, E_d, E_d_inv + s_sigma, s_rho, s_dsigma, s_drho, s_u, s_v, s_w


def median_ms(fn: Callable[[], object], reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def vlr_rows(backend: str, reps: int) -> dict[str, float]:
    be = get_backend(backend)
    rh = handle_scalar(os.urandom(32), SUITE)
    tag = revocation_tag(SCOPE, rh, SUITE, be)
    t_point = be.g1_from_bytes(tag)
    c, rh_hat = 1 + int.from_bytes(os.urandom(31), "big"), 1 + int.from_bytes(os.urandom(31), "big")

    def prove() -> None:  # H_s, T = H_s * rh, T~ = H_s * rh~
        h = revocation_base(SCOPE, SUITE, be)
        be.g1_to_bytes(be.g1_mul(h, rh))
        be.g1_to_bytes(be.g1_mul(h, rh_hat))

    def verify() -> None:  # decode T, H_s, T~ = H_s * rh^ - T * c, token lookup input
        t = be.g1_from_bytes(tag)
        h = revocation_base(SCOPE, SUITE, be)
        be.g1_to_bytes(be.g1_msm([h, t], [rh_hat, (-c) % R]))
        short_token(tag)

    del t_point
    return {"prove_ms": median_ms(prove, reps), "verify_ms": median_ms(verify, reps),
            "token_ms": median_ms(lambda: short_token(revocation_tag(SCOPE, rh, SUITE, be)), reps)}


def vb_verify_lower_bound(backend: str, reps: int) -> float:
    be = get_backend(backend)
    g1, g2 = be.g1_generator(), be.g2_generator()
    pts = [be.g1_mul(g1, 2 + i) for i in range(4)]
    sc = [1 + int.from_bytes(os.urandom(31), "big") for _ in range(4)]
    a = be.g1_mul(g1, 7)

    def verify() -> None:
        for _ in range(3):
            be.g1_msm(pts, sc)
        be.pairing_check([(a, g2), (be.g1_neg(a), g2)])

    return median_ms(verify, reps)


def update_rows(reps: int) -> dict[str, float]:
    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    anchor = TrustAnchor(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    tokens = [os.urandom(8) for _ in range(REVOKED)]
    signed = sign_revocation_update(build_update(scope=SCOPE, sequence=2, issued_at=NOW, next_update=NOW + 86400,
                                                 grace=7 * 86400, revoked=tokens), key)
    rl = load_revocation_update(signed, [anchor])
    probe = os.urandom(8)
    return {"bytes": float(len(signed)),
            "load_ms": median_ms(lambda: load_revocation_update(signed, [anchor]), max(3, reps // 5)),
            "lookup_us": median_ms(lambda: rl.is_revoked(probe), reps) * 1000}


def service_token_ms(backend: str, reps: int) -> float:
    """What the service spends per revoked card per scope when it builds an update."""
    be = get_backend(backend)
    h = revocation_base(SCOPE, SUITE, be)
    rh = handle_scalar(os.urandom(32), SUITE)
    return median_ms(lambda: short_token(be.g1_to_bytes(be.g1_mul(h, rh))), reps)


def reissue_ms(backend: str, reps: int) -> float:
    schema = household_schema(2)
    key = IssuerKey.generate("bench", schemas=(schema.ref,), backend=backend, range_u=None)
    holder = Holder(WalletSeed.generate(), backend=backend)
    offer = make_offer(key, schema, token=b"T" * 16, endpoint="http://x", expires=NOW + 3600)
    req, _pending = holder.start_issuance(offer)
    import datetime as dt

    values = dict(household_size=4, head_birth_date=dt.date(1970, 1, 1), region="north", vulnerability="none",
                  registration_date=dt.date(2026, 11, 1), valid_until=dt.date(2026, 12, 31))
    return median_ms(lambda: issue(key, schema, req, values, backend=backend), reps)


def _verify_and_check(pres: bytes, rr: object, tl: object, rl: object, backend: str) -> None:
    from sdk.credential import verify_presentation
    from sdk.credential.status import check_card_status

    v = verify_presentation(pres, rr, tl, now=NOW, backend=backend)  # type: ignore[arg-type]
    check_card_status(v, rl, now=NOW)  # type: ignore[arg-type]


def presentation_rows(backend: str, reps: int) -> dict[str, float]:
    """A real presentation (region disclosed, pseudonym) of a household@1 card and of a
    household@2 card (the same plus the hidden handle and the revocation tag): bytes, and
    verify time including the offline list lookup."""
    from sdk.credential import build_request, read_request
    from sdk.trust import build_payload, load_trust_list, sign_trust_list

    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    anchor = TrustAnchor(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    out: dict[str, float] = {}
    fns: dict[str, Callable[[], object]] = {}
    for version in (1, 2):
        schema = household_schema(version)
        issuer = IssuerKey.generate(f"bench v{version}", schemas=(schema.ref,), backend=backend, range_u=None)
        payload = build_payload(sequence=1, issued_at=NOW - 86400, next_update=NOW + 86400, grace=86400,
                                issuers=[issuer.entry(NOW - 86400, NOW + 86400 * 365)], schemas=[schema.to_def()])
        tl = load_trust_list(sign_trust_list(payload, key), [anchor])
        holder = Holder(WalletSeed.generate(), backend=backend)
        offer = make_offer(issuer, schema, token=b"T" * 16, endpoint="http://x", expires=NOW + 3600)
        req, pending = holder.start_issuance(offer)
        import datetime as dt

        values = dict(household_size=4, head_birth_date=dt.date(1970, 1, 1), region="north", vulnerability="none",
                      registration_date=dt.date(2026, 11, 1), valid_until=dt.date(2027, 12, 31))
        issued, _ = issue(issuer, schema, req, values, backend=backend)
        entry = tl.issuer(issuer.kid)
        assert entry is not None
        cred = holder.finish_issuance(pending, issued, entry, schema, now=NOW)
        request = build_request(verifier_id="bench", scope=SCOPE, issuers=[issuer.kid], schema=schema,
                                disclose=("region",), purpose={"en": "bench"}, now=NOW)
        rr = read_request(request, tl, now=NOW)
        pres = holder.present(holder.assess(rr, [cred], tl, now=NOW))
        rl = load_revocation_update(sign_revocation_update(build_update(
            scope=SCOPE, sequence=1, issued_at=NOW, next_update=NOW + 86400, grace=86400,
            revoked=[os.urandom(8) for _ in range(REVOKED)]), key), [anchor])

        assessment = holder.assess(rr, [cred], tl, now=NOW)
        out[f"v{version}_bytes"] = float(len(pres))
        fns[f"v{version}_verify_ms"] = partial(_verify_and_check, pres, rr, tl, rl, backend)
        fns[f"v{version}_present_ms"] = partial(holder.present, assessment)
    # v1 and v2 alternate within one loop, so a busy machine slows both alike
    times: dict[str, list[float]] = {k: [] for k in fns}
    for f in fns.values():
        f()
    for _ in range(reps):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t0) * 1000)
    out.update({k: statistics.median(v) for k, v in times.items()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="zkaid revocation benchmark (issue 13)")
    ap.add_argument("--backend", choices=available_backends(), action="append")
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="few repetitions, for a smoke run")
    args = ap.parse_args()
    backends = args.backend or available_backends()
    upd = update_rows(20 if args.quick else 200)
    print(f"{'backend':9} {'scheme':6} {'row':44} {'figure':>12}  target")
    for be in backends:
        reps = args.reps or ((5 if args.quick else 50) if be == "arkworks" else (2 if args.quick else 5))
        v = vlr_rows(be, reps)
        print(f"{be:9} {'VLR':6} {'presentation grows (T, 48-byte G1)':44} {48:>10} B  <= {TARGET_BYTES} B")
        print(f"{be:9} {'VLR':6} {'verify grows (H_s, 2-point MSM, token)':44} {v['verify_ms']:>9.3f} ms  "
              f"<= {TARGET_VERIFY_MS} ms (native)")
        print(f"{be:9} {'VLR':6} {'prove grows (H_s, T, T~)':44} {v['prove_ms']:>9.3f} ms")
        print(f"{be:9} {'VLR':6} {'service: token per revoked card per scope':44} "
              f"{service_token_ms(be, reps):>9.3f} ms")
        p = presentation_rows(be, reps)
        grow, vgrow = p["v2_bytes"] - p["v1_bytes"], p["v2_verify_ms"] - p["v1_verify_ms"]
        print(f"{be:9} {'VLR':6} {'real presentation v1 -> v2 (handle m^ + T)':44} "
              f"{int(p['v1_bytes']):>5} -> {int(p['v2_bytes'])} B  grows {int(grow)} B  <= {TARGET_BYTES} B")
        print(f"{be:9} {'VLR':6} {'real verify + list check, v1 -> v2':44} "
              f"{p['v1_verify_ms']:>6.2f} -> {p['v2_verify_ms']:.2f} ms  grows {vgrow:.2f} ms  "
              f"<= {TARGET_VERIFY_MS} ms (native)")
        print(f"{be:9} {'VLR':6} {'real present, v1 -> v2':44} "
              f"{p['v1_present_ms']:>6.2f} -> {p['v2_present_ms']:.2f} ms")
        print(f"{be:9} {'VB':6} {'presentation grows (counted, VB20 §7)':44} {VB_SIZE:>10} B  <= {TARGET_BYTES} B")
        print(f"{be:9} {'VB':6} {'verify grows, lower bound (2-pair check+MSMs)':44} "
              f"{vb_verify_lower_bound(be, reps):>9.3f} ms  <= {TARGET_VERIFY_MS} ms (native)")
        print(f"{be:9} {'short':6} {'presentation grows':44} {0:>10} B  <= {TARGET_BYTES} B")
        print(f"{be:9} {'short':6} {'blind re-issue per card per round':44} "
              f"{reissue_ms(be, max(2, reps // 5)):>9.3f} ms")
    print()
    print(f"{'any':9} {'VLR':6} {f'signed update, {REVOKED:,} revoked cards':44} {int(upd['bytes']):>10} B  "
          f"<= {TARGET_UPDATE_BYTES:,} B")
    print(f"{'any':9} {'VLR':6} {'device: load + verify that update':44} {upd['load_ms']:>9.3f} ms")
    print(f"{'any':9} {'VLR':6} {'device: token lookup (binary search)':44} {upd['lookup_us']:>9.3f} us")
    print(f"{'any':9} {'VB':6} {'device update (accumulator value only)':44} {48:>10} B  <= {TARGET_UPDATE_BYTES:,} B")
    print(f"{'any':9} {'VB':6} {f'wallet witness update, {REVOKED:,} removals':44} {48 * REVOKED:>10} B  "
          "(every wallet, online)")
    print(f"{'any':9} {'short':6} {'device update':44} {0:>10} B  <= {TARGET_UPDATE_BYTES:,} B")
    print()
    print("one sync: a revocation is in the next signed update the device downloads with its trust list "
          "(tests/field_app/test_revocation.py shows it); short-lived cards wait for the round to end.")


if __name__ == "__main__":
    main()
