"""``zkaid dedup --service``: the list comparison through the real stewards over HTTP."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from sdk.linkage import deal_shares
from sdk.stewards import StewardConfig
from tests.verifier_service.test_linkage import stewards  # noqa: F401 (the three-steward fixture)
from zkaid.cli import app

HEADER = ["given_name", "family_name", "date_of_birth", "sex", "admin_area", "phone"]
LEFT = [["Amina", "Al-Khatib", "1984-07-03", "F", "Irbid", "0791234567"],
        ["Yusuf", "Haddad", "1991-11-23", "M", "Zarqa", ""]]
RIGHT = [["Sara", "Najjar", "1970-01-01", "F", "Mafraq", ""],
         ["أمينة", "الخطيب", "19840703", "F", "Irbid", ""]]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return path


def test_link_through_the_stewards(stewards: Any, tmp_path: Path) -> None:  # noqa: F811
    config, _runtimes, keys = stewards
    cfg = tmp_path / "stewards.json"
    cfg.write_text(config.to_json(), "utf-8")
    left, right, out = write(tmp_path / "a.csv", LEFT), write(tmp_path / "b.csv", RIGHT), tmp_path / "p.csv"
    api = ",".join(f"{i}={k}" for i, k in keys.items())
    url = config.stewards[0].url
    env = {"ZKAID_DEDUP_HOME": str(tmp_path / "no-tryout")}
    res = CliRunner().invoke(app, ["dedup", "link", str(left), str(right), "--out", str(out), "--service", url,
                                   "--stewards", str(cfg), "--api-key", api], env=env)
    assert res.exit_code == 0, res.output
    assert "try-out" not in res.output and not (tmp_path / "no-tryout").exists()
    assert out.read_text("utf-8").splitlines() == ["left,right", "1,2"]

    # a configuration of another dealing is refused before any row is sent
    other_pk, other = deal_shares(2, 3)
    wrong = StewardConfig(other_pk, 2, tuple(type(s)(s.index, s.url, o.public_share, s.name)
                                             for s, o in zip(config.stewards, other, strict=True)))
    cfg.write_text(wrong.to_json(), "utf-8")
    res = CliRunner().invoke(app, ["dedup", "link", str(left), str(right), "--out", str(out), "--service", url,
                                   "--stewards", str(cfg), "--api-key", api], env=env)
    assert res.exit_code == 2 and f"uses key {config.key_id}" in res.output
