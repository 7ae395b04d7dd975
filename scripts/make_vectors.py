"""Deterministic vectors for zkaid's own message formats (specs/vectors/*.json).

Every secret, time and random scalar is fixed (randomness through the injected ``rng`` of
the drafts' mocked form), so the bytes are reproducible on every backend. Run:

    python scripts/make_vectors.py            # rewrite specs/vectors/
    python scripts/make_vectors.py --check    # compare, exit 1 on any difference

tests/specs/test_spec_vectors.py regenerates them in memory and compares.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.bbs.ciphersuite import BLS12_381_SHA_256
from sdk.bbs.utils import R, mocked_rng
from sdk.credential import (
    Holder,
    IssuerKey,
    VerifierKey,
    WalletSeed,
    build_request,
    household_schema,
    issue,
    make_offer,
    read_request,
)
from sdk.credential.revocation import build_update, sign_revocation_update, token_for
from sdk.credential.schema import date_to_days
from sdk.trust import TrustAnchor, build_payload, load_trust_list, sign_trust_list
from sdk.wire import PredicateSpec, encode

OUT = Path(__file__).resolve().parent.parent / "specs" / "vectors"
NOW = 1_796_083_200  # 2026-12-01T00:00:00Z
SEED = b"zkaid/v1 test vectors"


def _bytes(label: str, n: int) -> bytes:
    import hashlib

    return hashlib.shake_256(SEED + label.encode()).digest(n)


def _rng(label: str) -> Any:
    return mocked_rng(SEED, b"ZKAID_VECTORS_" + label.encode() + b"_MOCK_RANDOM_SCALARS_DST_", BLS12_381_SHA_256)


def build_vectors(backend: str | None = None) -> dict[str, dict[str, Any]]:
    schema = household_schema()
    issuer = IssuerKey.generate("Agency A registration", schemas=(schema.ref,), randbytes=lambda n: _bytes("issuer", n),
                                backend=backend)
    verifier = VerifierKey("Agency B field desk", Ed25519PrivateKey.from_private_bytes(_bytes("verifier", 32)))
    tl_key = Ed25519PrivateKey.from_private_bytes(_bytes("trust-list", 32))
    anchor = TrustAnchor(VerifierKey("anchor", tl_key).public_key)
    payload = build_payload(
        sequence=1, issued_at=NOW, next_update=NOW + 86400, grace=7 * 86400,
        issuers=[issuer.entry(NOW - 86400, NOW + 365 * 86400)],
        verifiers=[verifier.entry(NOW - 86400, NOW + 90 * 86400)], schemas=[schema.to_def()],
    )
    signed_tl = sign_trust_list(payload, tl_key)
    tl = load_trust_list(signed_tl, [anchor])
    seed = WalletSeed(_bytes("wallet-seed", 32))
    holder = Holder(seed, backend=backend)
    offer = make_offer(issuer, schema, token=_bytes("token", 16), endpoint="https://issuer.example/v1/issue",
                       expires=NOW + 3600)
    ireq, pending = holder.start_issuance(offer, rng=_rng("COMMIT"))
    values = dict(household_size=6, head_birth_date=dt.date(1958, 4, 12), region="north",
                  vulnerability="elderly_head", registration_date=dt.date(2026, 11, 2),
                  valid_until=dt.date(2027, 11, 2))
    entropy = int.from_bytes(_bytes("signer-entropy", 32), "big") % R
    issued, _ = issue(issuer, schema, ireq, values, signer_entropy=entropy, backend=backend)
    entry = tl.issuer(issuer.kid)
    assert entry is not None
    cred = holder.finish_issuance(pending, issued, entry, schema, now=NOW)
    preq = build_request(verifier_id="agency-b", scope="cva/2026-12/round-1", issuers=[issuer.kid], schema=schema,
                         disclose=("region",), purpose={"en": "Cash assistance, December round",
                                                        "fr": "Aide en espèces, tour de décembre"},
                         now=NOW, nonce=_bytes("nonce", 16), signing_key=verifier)
    unsigned = build_request(verifier_id="agency-b", scope="cva/2026-12/round-1", issuers=[issuer.kid],
                             schema=schema, disclose=("region",), purpose={"en": "Cash assistance"}, now=NOW,
                             nonce=_bytes("nonce", 16))
    rr = read_request(preq, tl, now=NOW)
    pres = holder.present(holder.assess(rr, [cred], tl, now=NOW), rng=_rng("PROOF"))
    predicates = (PredicateSpec("household_size", "ge", (5,)),
                  PredicateSpec("valid_until", "ge", (date_to_days(dt.date(2026, 12, 1)),)),
                  PredicateSpec("head_birth_date", "between", (date_to_days(dt.date(1900, 1, 1)),
                                                                date_to_days(dt.date(1966, 12, 1)))))
    preq2 = build_request(verifier_id="agency-b", scope="cva/2026-12/round-1", issuers=[issuer.kid], schema=schema,
                          disclose=("region",), predicates=predicates,
                          purpose={"en": "Cash assistance for large or elderly-headed households"},
                          now=NOW, nonce=_bytes("nonce-2", 16), signing_key=verifier)
    rr2 = read_request(preq2, tl, now=NOW)
    pres2 = holder.present(holder.assess(rr2, [cred], tl, now=NOW), rng=_rng("PROOF_PREDICATES"))
    revoked_handles = [_bytes(f"revoked-handle-{i}", 32) for i in range(3)]
    revocation = sign_revocation_update(build_update(
        scope="cva/2026-12/round-1", sequence=1, issued_at=NOW, next_update=NOW + 86400, grace=7 * 86400,
        revoked=[token_for("cva/2026-12/round-1", h, issuer.suite, backend) for h in revoked_handles[:2]],
        blocked=[token_for("cva/2026-12/round-1", revoked_handles[2], issuer.suite, backend)]), tl_key)
    common = {
        "issuer_public_key": issuer.public_key.hex(),
        "issuer_kid": issuer.kid.hex(),
        "now": NOW,
    }
    return {
        "revocation-update": {"description": "Signed per-scope revocation update (COSE_Sign1 over RevocationUpdate): "
                                             "two revoked tokens and one blocked token",
                              "inputs": {**common, "trust_list_public_key": anchor.public_key.hex(),
                                         "handles": [h.hex() for h in revoked_handles]},
                              "hex": revocation.hex()},
        "trust-list": {"description": "Signed trust list (COSE_Sign1 over TrustListPayload)",
                       "inputs": {**common, "trust_list_public_key": anchor.public_key.hex()}, "hex": signed_tl.hex()},
        "offer": {"description": "Offer", "inputs": common, "hex": encode(offer).hex()},
        "issuance-request": {"description": "IssuanceRequest: CommitWithNym over the wallet's HKDF-derived nym",
                             "inputs": {**common, "wallet_seed": seed.secret.hex(),
                                        "prover_nyms": [hex(x) for x in pending.prover_nyms],
                                        "secret_prover_blind": hex(pending.prover_blind)},
                             "hex": encode(ireq).hex()},
        "issued-credential": {"description": "IssuedCredential (BlindSignWithNym)",
                              "inputs": {**common, "signer_nym_entropy": hex(entropy),
                                         "values": {k: str(v) for k, v in values.items()}},
                              "hex": encode(issued).hex()},
        "stored-credential": {"description": "StoredCredential as kept (encrypted) by the wallet",
                              "inputs": common, "hex": encode(cred.stored).hex()},
        "presentation-request": {"description": "PresentationRequest signed by the verifier key (COSE_Sign1)",
                                 "inputs": {**common, "verifier_public_key": verifier.public_key.hex(),
                                            "request_digest": rr.digest.hex()},
                                 "hex": preq.hex()},
        "presentation-request-unsigned": {"description": "PresentationRequest, unsigned", "inputs": common,
                                          "hex": unsigned.hex()},
        "presentation": {"description": "Presentation disclosing region, with the scope pseudonym",
                         "inputs": {**common, "scope": "cva/2026-12/round-1", "request_digest": rr.digest.hex()},
                         "hex": pres.hex()},
        "presentation-request-predicates": {"description": "PresentationRequest with ge, ge (expiry) and between",
                                            "inputs": {**common, "request_digest": rr2.digest.hex()},
                                            "hex": preq2.hex()},
        "presentation-predicates": {
            "description": "Presentation with three range predicates (CCs08 base-256 digits, 16-bit range)",
            "inputs": {**common, "scope": "cva/2026-12/round-1", "request_digest": rr2.digest.hex(),
                       "predicates": [[p.attribute, p.op, list(p.bounds)] for p in predicates],
                       "range_params_sha256": __import__("hashlib").sha256(issuer.range_params or b"").hexdigest()},
            "hex": pres2.hex()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the files; exit 1 on difference")
    ap.add_argument("--backend", default=None)
    args = ap.parse_args(argv)
    vectors = build_vectors(args.backend)
    bad = 0
    for name, doc in vectors.items():
        path = OUT / f"{name}.json"
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if args.check:
            if not path.exists() or path.read_text("utf-8") != text:
                print(f"DIFFERS: {path}")
                bad += 1
        else:
            path.write_text(text, "utf-8")
            print(f"wrote {path} ({len(doc['hex']) // 2} bytes)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
