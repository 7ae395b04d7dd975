"""``python -m field_app``: set up, make requests and verify image files on a laptop."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from field_app.cli import main, verify_paths
from field_app.service import FieldService
from sdk.transport import decode_image, render_code
from tests.field_app.demo import NOW, Deployment, MutableClock, qr_images, save_images

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(argv, clock=lambda: float(NOW))
    out = capsys.readouterr()
    return code, [line for line in out.out.splitlines() if line], out.err


def write_png(image: np.ndarray, path: Path) -> Path:
    Image.fromarray(image).save(path)
    return path


@pytest.fixture
def laptop(deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data folder set up from the command line."""
    tl = tmp_path / "trust_list.cbor"
    tl.write_bytes(deployment.trust_list().signed)
    data = tmp_path / "field"
    code, lines, err = run(["setup", "--data-dir", str(data), "--agency", "agency-b", "--device", "laptop-1",
                            "--scope", "cva/2026-12/round-1", "--anchor", deployment.anchor_hex,
                            "--trust-list", str(tl), "--disclose", "region",
                            "--schema", deployment.world.schema.ref,  # the world's household@1 cards
                            "--predicate", "none"], capsys)  # single-code answers for the folder
    assert code == 0, err
    assert "Setup saved" in lines[-1]
    return data


def make_request(data: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> bytes:
    png = tmp_path / f"{name}.png"
    code, _lines, err = run(["request", "--data-dir", str(data), "--out", str(png)], capsys)
    assert code == 0, err
    return decode_image(png)  # what the wallet's camera reads off the laptop screen


def test_verify_a_folder_of_answers(deployment: Deployment, laptop: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    r1 = make_request(laptop, tmp_path, "r1", capsys)
    r2 = make_request(laptop, tmp_path, "r2", capsys)
    alice, bob = deployment.person(), deployment.person(region="south")
    answers = tmp_path / "answers"
    answers.mkdir()
    write_png(qr_images(deployment.answer(alice, r1))[0], answers / "1-alice.png")
    write_png(qr_images(deployment.answer(alice, r2))[0], answers / "2-alice-again.png")
    write_png(qr_images(deployment.answer(bob, r2))[0], answers / "3-bob.png")
    write_png(render_code(b"https://example.org/", module_px=6).image, answers / "4-link.png")
    write_png(np.full((300, 300), 255, np.uint8), answers / "5-blank.png")
    (answers / "README.txt").write_text("not an image: skipped")

    code, lines, _err = run(["verify", "--data-dir", str(laptop), str(answers)], capsys)
    rows = [line.split("\t") for line in lines]
    assert [(Path(r[0]).name, r[1], r[2]) for r in rows] == [
        ("1-alice.png", "YES", "enrolled"),
        ("2-alice-again.png", "NO", "already_enrolled_here"),
        ("3-bob.png", "YES", "enrolled"),
        ("4-link.png", "NO", "foreign"),
        ("5-blank.png", "NO", "unreadable"),
    ]
    assert rows[0][3] == "region=north" and rows[2][3] == "region=south"
    assert "already enrolled by your agency (agency-b) on 2026-" in rows[1][3]
    assert code == 1  # any NO

    code, lines, _ = run(["status", "--data-dir", str(laptop)], capsys)
    assert code == 0 and any("Enrolled on this device: 2" in line for line in lines)


def test_multi_part_answer_spread_over_images(deployment: Deployment, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "field"
    svc = deployment.device(data, agency="agency-c", device="laptop-2", predicates=["household_size ge 5"])
    svc.close()
    request = make_request(data, tmp_path, "req", capsys)
    frames = qr_images(deployment.answer(deployment.person(size=7), request))
    folder = tmp_path / "frames"
    save_images(frames, folder, "answer")
    code, lines, err = run(["verify", "--data-dir", str(data), "--json", str(folder)], capsys)
    assert code == 0, err
    (line,) = [json.loads(x) for x in lines]
    assert line["ok"] and line["reason"] == "enrolled"
    assert len(line["files"]) == 2 and line["predicates"] == ["Household size: at least 5"]
    assert line["disclosed"] == {"region": "north"} and line["trust_list"] == "fresh"

    # one part only: reported as incomplete, not silently dropped
    lone = tmp_path / "lone"
    lone.mkdir()
    request = make_request(data, tmp_path, "req2", capsys)
    write_png(qr_images(deployment.answer(deployment.person(), request))[0], lone / "part.png")
    code, lines, _ = run(["verify", "--data-dir", str(data), str(lone)], capsys)
    assert code == 1 and lines[0].split("\t")[1:3] == ["NO", "unreadable"]


def test_explicit_trust_list_anchor_and_request_without_a_setup(
        deployment: Deployment, tmp_path: Path) -> None:
    desk = deployment.device(tmp_path / "desk", clock=MutableClock())
    req = desk.new_request()
    desk.close()
    (tmp_path / "request.png").write_bytes(render_code(req.data).png())
    (tmp_path / "tl.cbor").write_bytes(deployment.trust_list().signed)
    answer = write_png(qr_images(deployment.answer(deployment.person(), req.data))[0], tmp_path / "a.png")
    out, err = io.StringIO(), io.StringIO()
    code = verify_paths([answer], data_dir=tmp_path / "empty", trust_list=tmp_path / "tl.cbor",
                        anchors=[deployment.anchor_hex], requests=[tmp_path / "request.png"],
                        out=out, err=err, clock=lambda: float(NOW))
    assert code == 0, err.getvalue()
    assert out.getvalue().split("\t")[1:3] == ["YES", "enrolled"]
    assert not (tmp_path / "empty").exists()  # nothing written without a data folder

    # French output, and the same answer again in a dry run against a wrong anchor: refused
    out = io.StringIO()
    code = verify_paths([answer], data_dir=tmp_path / "empty", trust_list=tmp_path / "tl.cbor",
                        anchors=["00" * 32], requests=[tmp_path / "request.png"], out=out, err=err,
                        lang="fr", clock=lambda: float(NOW))
    assert code == 2 and "Contrôle impossible" in err.getvalue()
    assert verify_paths([answer], data_dir=tmp_path / "empty", err=io.StringIO()) == 2  # nothing to go on


def test_dry_run_records_nobody(deployment: Deployment, laptop: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    request = make_request(laptop, tmp_path, "r", capsys)
    png = write_png(qr_images(deployment.answer(deployment.person(), request))[0], tmp_path / "a.png")
    assert run(["verify", "--data-dir", str(laptop), "--dry-run", str(png)], capsys)[0] == 0
    svc = FieldService(laptop, clock=MutableClock())
    assert svc.ledger.entries() == []
    svc.close()
    assert run(["verify", "--data-dir", str(laptop), str(png)], capsys)[0] == 0
    assert run(["verify", "--data-dir", str(laptop), str(png)], capsys)[0] == 2  # its request is used up


def test_module_entry_point_runs(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "field_app", "verify", "--data-dir", str(tmp_path / "none"),
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "python -m field_app setup" in res.stderr
    res = subprocess.run([sys.executable, "-m", "field_app", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and "verify" in res.stdout
