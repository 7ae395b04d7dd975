"""The README's tour, command by command, through the real command line in a fresh folder:
``zkaid demo`` sets everything up, the sample answers give the outcomes the README promises,
the wallet commands print words (or JSON with ``--json``), and missing files give one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from field_app.demo import DemoFolderError, demo_paths
from zkaid.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`zkaid demo --dir <fresh>/zkaid-demo`, once for the module: (folder, printed PIN)."""
    root = tmp_path_factory.mktemp("tour") / "zkaid-demo"
    r = runner.invoke(app, ["demo", "--dir", str(root)])
    assert r.exit_code == 0, r.output
    pin = r.output.split("demo wallet PIN: ", 1)[1].split()[0]
    assert pin.isdigit() and len(pin) == 6
    assert "a demo PIN" in r.output
    # the next commands are printed as the README gives them
    assert f"zkaid verify {root}/answers/*.png --data-dir {root}/field" in r.output
    return root, pin


def _lines(output: str) -> dict[str, list[str]]:
    """verify's output: file name -> [YES/NO, reason, words]."""
    out = {}
    for line in output.splitlines():
        cols = line.split("\t")
        if len(cols) >= 3:
            out[Path(cols[0].split(" (+")[0]).name] = cols[1:]
    return out


def test_demo_folder_holds_what_the_tour_uses(demo: tuple[Path, str]) -> None:
    root, _pin = demo
    assert sorted(p.name for p in (root / "answers").iterdir()) == [
        "1-yes.png", "2-duplicate.png", "3-tampered.png", "4-foreign.png"]
    for part in ("service/registry.sqlite3", "wallet/wallet.json", "field/config.json", "field/trust_list.cbor",
                 "request.png", "zkaid-demo.json"):
        assert (root / part).is_file(), part
    assert (root / "service" / "demo-api-keys.json").stat().st_mode & 0o077 == 0


def test_the_tour_runs_as_written(demo: tuple[Path, str]) -> None:
    """README step 2, in order: verify the sample answers, look at the wallet, answer the open
    request by hand, check that answer (the same person: already enrolled by the first)."""
    root, pin = demo
    answers = sorted(str(p) for p in (root / "answers").glob("*.png"))  # what the shell's glob gives
    for dry in (["--dry-run"], []):  # a dry run records nothing, so the real run says the same
        r = runner.invoke(app, ["verify", *answers, "--data-dir", str(root / "field"), *dry])
        assert r.exit_code == 1, r.output  # some answers are refused
        got = _lines(r.output)
        assert got["1-yes.png"][:2] == ["YES", "enrolled"]
        assert got["2-duplicate.png"][:2] == ["NO", "already_enrolled_elsewhere"]
        assert "Agency A" in got["2-duplicate.png"][2] or "agency-a" in got["2-duplicate.png"][2]
        assert got["3-tampered.png"][:2] == ["NO", "invalid_proof"]
        assert got["4-foreign.png"][:2] == ["NO", "foreign"]
    r = runner.invoke(app, ["verify", answers[0], "--data-dir", str(root / "field")])
    assert _lines(r.output)["1-yes.png"][:2] == ["NO", "request_mismatch"]  # as the README says: used up

    env = {"ZKAID_WALLET_PIN": pin}
    r = runner.invoke(app, ["wallet", "cards", "--dir", str(root / "wallet")], env=env)
    assert r.exit_code == 0, r.output
    assert "Household registration" in r.output and "Region: North" in r.output
    assert "CardView(" not in r.output and "ShownItem(" not in r.output
    r = runner.invoke(app, ["wallet", "cards", "--dir", str(root / "wallet"), "--json"], env=env)
    assert r.exit_code == 0, r.output
    card = json.loads(r.output.strip().splitlines()[0])
    assert {"label": "Household size", "value": "6"} in card["items"] and card["expired"] is False

    mine = root / "mine"
    r = runner.invoke(app, ["wallet", "present", "--dir", str(root / "wallet"), "--request",
                            str(root / "request.png"), "--out", str(mine), "--yes"], env=env)
    assert r.exit_code == 0, r.output
    assert "They will see:" in r.output and "Region: North" in r.output
    assert "Round identifier:" in r.output and "ConsentView(" not in r.output
    frames = sorted(str(p) for p in mine.glob("qr-*.png"))
    r = runner.invoke(app, ["verify", *frames, "--data-dir", str(root / "field")])
    assert r.exit_code == 1, r.output
    (only,) = _lines(r.output).values()
    assert only[:2] == ["NO", "already_enrolled_here"]


def test_demo_refuses_to_overwrite(demo: tuple[Path, str], tmp_path: Path) -> None:
    root, _pin = demo
    r = runner.invoke(app, ["demo", "--dir", str(root)])
    assert r.exit_code == 2 and "--force" in r.output
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    r = runner.invoke(app, ["demo", "--dir", str(other), "--force"])
    assert r.exit_code == 2 and "not a zkaid demo folder" in r.output
    assert (other / "notes.txt").read_text() == "keep me"


def test_field_app_demo_finds_the_folder(demo: tuple[Path, str], tmp_path: Path) -> None:
    root, _pin = demo
    assert demo_paths(root, make=False) == (root / "field", root / "answers")
    with pytest.raises(DemoFolderError, match="zkaid demo"):
        demo_paths(tmp_path / "none", make=False)
    # `python -m field_app --demo ...` is the run command's option (help only: no window here)
    done = subprocess.run([sys.executable, "-m", "field_app", "--demo", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "KIVY_NO_ARGS": "1"})
    assert done.returncode == 0, done.stderr
    assert "--demo" in done.stdout and "zkaid demo" in done.stdout


def test_missing_files_are_one_line(tmp_path: Path) -> None:
    r = runner.invoke(app, ["verify", str(tmp_path / "nothere.png"), "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    assert r.output.strip() == f"error: no such file or folder: {tmp_path / 'nothere.png'}"
    r = runner.invoke(app, ["serve", "--dev", "--data-dir", str(tmp_path / "svc"), "--tls-cert",
                            str(tmp_path / "a.pem"), "--tls-key", str(tmp_path / "b.pem")])
    assert r.exit_code == 2 and "the TLS certificate file" in r.output and "does not exist" in r.output
    done = subprocess.run([sys.executable, "-m", "wallet_app", "--config", str(tmp_path / "missing.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "missing.json" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_failed_demo_leaves_no_half_folder(tmp_path: Path) -> None:
    """A step that fails (here the wallet refuses an easy PIN) removes what was made, so the
    next `zkaid demo` starts clean instead of refusing a folder that is not a demo."""
    from sdk.errors import ZkaidError
    from zkaid.tour import build_demo

    root = tmp_path / "zkaid-demo"
    with pytest.raises(ZkaidError):
        build_demo(root, pin="123456")
    assert not root.exists()
