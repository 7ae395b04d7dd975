"""The `zkaid` command line: help everywhere, one-line errors, and the scriptable wallet."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sdk.credential import WalletSeed
from zkaid.cli import app

runner = CliRunner()
ANCHOR = "ab" * 32
PIN = "481516"


def test_help_everywhere() -> None:
    for args in ([], ["pilot"], ["wallet"], ["wallet", "create"], ["issuer", "offer"], ["verify"], ["serve"],
                 ["trust-list", "sign-offline"], ["device", "revoke"], ["bench"]):
        r = runner.invoke(app, [*args, "--help"])
        assert r.exit_code == 0, (args, r.output)
        assert "Usage" in r.output


def test_errors_are_one_clear_line() -> None:
    r = runner.invoke(app, ["pilot", "--households", "0"])
    assert r.exit_code == 2 and "error: --households must be at least 1" in r.output
    r = runner.invoke(app, ["wallet", "cards", "--dir", "/nonexistent/wallet", "--pin", PIN])
    assert r.exit_code == 2 and "is not a wallet" in r.output


def test_recovery_code_on_paper_and_as_qr(tmp_path: Path) -> None:
    """The recovery code can be printed as a QR; a wallet restored from a photo of it has the
    same seed (so the same pseudonyms after re-issue)."""
    qr = tmp_path / "recovery.png"
    r = runner.invoke(app, ["wallet", "create", "--dir", str(tmp_path / "w1"), "--anchor", ANCHOR, "--pin", PIN,
                            "--recovery-qr", str(qr)])
    assert r.exit_code == 0, r.output
    code = r.output.split("recovery code (shown once): ", 1)[1].split()[0]
    assert qr.exists()
    r = runner.invoke(app, ["wallet", "restore", "--dir", str(tmp_path / "w2"), "--anchor", ANCHOR, "--pin", PIN,
                            "--code-image", str(qr)])
    assert r.exit_code == 0, r.output
    from wallet_app.config import WalletConfig
    from wallet_app.service import WalletService

    w2 = WalletService(WalletConfig.from_file(tmp_path / "w2" / "wallet.json", data_dir=tmp_path / "w2"))
    w2.unlock(PIN)
    assert w2._require().seed == WalletSeed.from_recovery_code(code).secret
    r = runner.invoke(app, ["wallet", "forget", "--dir", str(tmp_path / "w2"), "--pin", PIN, "--history"])
    assert r.exit_code == 0 and "0 presentation(s) forgotten" in r.output
