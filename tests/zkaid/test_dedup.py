"""``zkaid dedup link|within`` on real files: answers, row numbers, try-out keys, input errors."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zkaid.cli import app
from zkaid.persons import household_people, render

runner = CliRunner()
HEADER = ["given_name", "family_name", "date_of_birth", "sex", "admin_area", "phone"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"ZKAID_DEDUP_HOME": str(tmp_path / "keys"), "ZKAID_SERVICE_URL": ""}


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def row(r) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.given_name, r.family_name, r.date_of_birth, r.sex, r.admin_area, r.phone]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_link_finds_shared_people_and_creates_tryout_keys_outside_the_folder(
        tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rng = random.Random(4)
    people = household_people(40, rng)
    left = write(tmp_path / "a.csv", HEADER, [row(render(p, rng, vary=False)) for p in people[:25]])
    right = write(tmp_path / "b.csv", HEADER, [row(render(p, rng, vary=False)) for p in people[15:]])
    out = tmp_path / "pairs.csv"
    res = runner.invoke(app, ["dedup", "link", str(left), str(right), "--out", str(out)], env=env)
    assert res.exit_code == 0, res.output
    assert "created local try-out steward keys" in res.output
    assert read(out) == [["left", "right"]] + [[str(16 + j), str(1 + j)] for j in range(10)]
    assert (tmp_path / "keys" / "tryout-stewards.json").exists()
    assert not list(tmp_path.glob("*stewards*"))  # nothing secret in the working folder
    again = runner.invoke(app, ["dedup", "link", str(left), str(right), "--out", str(out)], env=env)
    assert again.exit_code == 0 and "using the local try-out steward keys" in again.output
    assert read(out)[1:] == [[str(16 + j), str(1 + j)] for j in range(10)]


def test_within_clusters_duplicates_with_mapped_columns(tmp_path: Path, env: dict[str, str]) -> None:
    rng = random.Random(8)
    people = household_people(30, rng)
    rows = [row(render(p, rng, vary=False)) for p in people]
    rows.insert(10, row(render(people[2], rng, vary=False)))  # row 11 repeats row 3
    rows.append(row(render(people[20], rng, vary=False)))  # row 32 repeats people[20], row 22 after the insert
    header = ["first", "last", "dob", "gender", "district", "mobile"]
    src = write(tmp_path / "list.csv", header, rows)
    out = tmp_path / "clusters.csv"
    args = ["dedup", "within", str(src), "--out", str(out), "--map", "first=given_name", "--map",
            "last=family_name", "--map", "dob=date_of_birth", "--map", "gender=sex", "--map",
            "district=admin_area", "--map", "mobile=phone"]
    res = runner.invoke(app, args, env=env)
    assert res.exit_code == 0, res.output
    assert read(out) == [["row", "cluster"], ["3", "1"], ["11", "1"], ["22", "2"], ["32", "2"]]


def test_malformed_rows_are_reported_by_line_and_keep_numbering(tmp_path: Path, env: dict[str, str]) -> None:
    rows = [["Ali", "Omar", "1990-01-02", "M", "Irbid", "0791234567"],
            ["Sara", "Haddad", "1980-05-06", "robot", "Zarqa", ""],  # bad sex: line 3, row 2
            ["Ali", "Omar", "1990-01-02", "M", "Irbid"],  # a field short: line 4, row 3
            ["Huda", "Najjar", "1999-99-99", "F", "Mafraq", ""]]  # bad date: matched without it
    left = write(tmp_path / "a.csv", HEADER, rows)
    right = write(tmp_path / "b.csv", HEADER, [["Huda", "Al-Najjar", "", "F", "Mafraq", ""],
                                               ["Ali", "Omar", "19900102", "M", "Irbid", "0791234567"]])
    out = tmp_path / "pairs.csv"
    res = runner.invoke(app, ["dedup", "link", str(left), str(right), "--out", str(out)], env=env)
    assert res.exit_code == 0, res.output
    assert "a.csv line 3" in res.output and "row 2 left out" in res.output
    assert "a.csv line 4" in res.output and "row 3 left out" in res.output
    assert "a.csv line 5" in res.output and "without its date of birth" in res.output
    assert "3 malformed row(s)" in res.output
    assert read(out) == [["left", "right"], ["1", "2"], ["4", "1"]]


def test_wrong_encoding_is_one_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    bad = write(tmp_path / "latin.csv", HEADER, [["José", "Núñez", "1990-01-02", "M", "", ""]], encoding="latin-1")
    good = write(tmp_path / "b.csv", HEADER, [])
    res = runner.invoke(app, ["dedup", "link", str(bad), str(good), "--out", str(tmp_path / "o.csv")], env=env)
    assert res.exit_code == 2
    errors = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "not UTF-8" in errors[0] and "line 2" in errors[0]
    assert not (tmp_path / "o.csv").exists()


def test_missing_columns_and_bad_map_are_one_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    src = write(tmp_path / "l.csv", ["name", "family_name", "date_of_birth"], [["Ali", "Omar", "1990"]])
    res = runner.invoke(app, ["dedup", "within", str(src), "--out", str(tmp_path / "o.csv")], env=env)
    assert res.exit_code == 2 and "no column given_name" in res.output and "--map" in res.output
    res = runner.invoke(app, ["dedup", "within", str(src), "--out", str(tmp_path / "o.csv"),
                              "--map", "name=nickname"], env=env)
    assert res.exit_code == 2 and "--map 'name=nickname'" in res.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    res = runner.invoke(app, ["dedup", "within", str(empty), "--out", str(tmp_path / "o.csv")], env=env)
    assert res.exit_code == 2 and "empty" in res.output
    res = runner.invoke(app, ["dedup", "within", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")],
                        env=env)
    assert res.exit_code == 2 and "cannot read" in res.output


def test_service_mode_needs_a_steward_configuration(tmp_path: Path, env: dict[str, str]) -> None:
    src = write(tmp_path / "l.csv", HEADER, [["Ali", "Omar", "1990", "", "", ""]])
    res = runner.invoke(app, ["dedup", "within", str(src), "--out", str(tmp_path / "o.csv"),
                              "--service", "http://127.0.0.1:9"], env=env)
    assert res.exit_code == 2 and "--stewards" in res.output
