"""``zkaid card`` against a real server (SQLite and PostgreSQL): revoke one card, read its
status, export the signed list of withdrawn cards for a round."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sdk.credential import WalletSeed
from sdk.credential.revocation import load_revocation_update
from sdk.trust import TrustAnchor
from tests.verifier_service.helpers import SCOPE, Deployment
from tests.verifier_service.test_card_lifecycle import token, v2, wallet  # noqa: F401  (v2 is a fixture)
from zkaid.cli import app

runner = CliRunner()


def test_revoke_status_and_export(v2: Deployment, live: str, tmp_path: Path) -> None:  # noqa: F811
    _h, cred, cid = wallet(v2, WalletSeed.generate())
    env = {"ZKAID_SERVICE_URL": live, "ZKAID_API_KEY": v2.keys["registrar_a"]}
    r = runner.invoke(app, ["card", "status", cid], env=env)
    assert r.exit_code == 0, r.output
    assert f"card {cid}: active" in r.output
    r = runner.invoke(app, ["card", "revoke", cid, "--reason", "stolen"], env=env)
    assert r.exit_code == 0, r.output
    assert "revoked (stolen)" in r.output and "next sync" in r.output
    r = runner.invoke(app, ["card", "revoke", cid, "--reason", "stolen"], env=env)
    assert r.exit_code == 2 and "already_revoked" in r.output
    r = runner.invoke(app, ["card", "revoke", cid, "--reason", "because"], env=env)
    assert r.exit_code == 2 and "--reason is one of" in r.output
    r = runner.invoke(app, ["card", "revoke", "0" * 32, "--reason", "lost"], env=env)
    assert r.exit_code == 2 and "unknown_credential" in r.output
    out = tmp_path / "withdrawn.cbor"
    r = runner.invoke(app, ["card", "revocations", "--scope", SCOPE, "--out", str(out)], env=env)
    assert r.exit_code == 0, r.output
    assert load_revocation_update(out.read_bytes(), [TrustAnchor(v2.anchor)]).is_revoked(token(cred))
