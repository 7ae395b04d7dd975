"""``zkaid dedup``: find the same person in two beneficiary lists, or twice in one list.

``zkaid dedup link LEFT.csv RIGHT.csv --out PAIRS.csv`` writes ``left,right`` row numbers
(1 = the first data row) of the people found in both lists; ``zkaid dedup within LIST.csv
--out CLUSTERS.csv`` writes ``row,cluster`` for every row that has a duplicate. Every row is
normalised and encoded into a match record (sdk.linkage) whose keys come from the stewards'
threshold OPRF; only match records are compared, never names.

Without ``--service`` the command makes (once) and uses a local try-out set of steward keys,
kept in the user's data folder (``$ZKAID_DEDUP_HOME``, else ``$XDG_DATA_HOME/zkaid/dedup``,
else ``~/.local/share/zkaid/dedup``), never in the working folder: fine for trying the tool
and for comparing two lists on one machine, but those keys are known to this machine alone.
With ``--service URL --stewards CONFIG --api-key KEY`` the OPRF goes to the real stewards
listed in the configuration (the rows are blinded; each steward proves its answer), and the
two lists are still compared on this machine.

Exit codes: 0 done (malformed rows, if any, are listed on stderr with their line numbers and
left out of matching), 2 unreadable input (wrong encoding, missing columns, bad options).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from sdk.errors import EncodingError, ZkaidError
from sdk.linkage import (
    DEFAULT_THRESHOLD,
    MatchRecord,
    PersonRecord,
    StewardShare,
    cluster,
    deal_shares,
    encode,
    link,
    local_evaluator,
    normalise,
)
from sdk.linkage.normalise import NormalisedPerson

__all__ = ["dedup_app", "normalise_fields", "read_list", "tryout_evaluator", "user_data_dir"]

dedup_app = typer.Typer(help="Find the same person in two lists (link) or twice in one list (within), "
                             "comparing keyed match records, never names.", no_args_is_help=True)

FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "admin_area", "phone", "id_number")
REQUIRED = ("given_name", "family_name", "date_of_birth")
CHUNK = 2000  # rows per steward round trip
TRYOUT_FILE = "tryout-stewards.json"
TRYOUT_T, TRYOUT_N = 2, 3

Evaluator = Callable[[list[bytes]], list[bytes]]


class InputError(Exception):
    """A list cannot be read at all (encoding, columns): one line for the user, exit 2."""


@dataclass(frozen=True)
class Row:
    number: int  # 1-based data-row number (what the output files use)
    line: int  # physical line in the file (what error messages use)
    person: NormalisedPerson


def user_data_dir() -> Path:
    """Where the try-out steward keys live: $ZKAID_DEDUP_HOME, else the XDG data folder."""
    env = os.environ.get("ZKAID_DEDUP_HOME")
    if env:
        return Path(env)
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "zkaid" / "dedup"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zkaid" / "dedup"


def tryout_evaluator(folder: Path, announce: Callable[[str], None]) -> Evaluator:
    """The local try-out stewards (2 of 3 shares in one file, mode 0600), created if absent."""
    path = folder / TRYOUT_FILE
    if path.exists():
        try:
            d = json.loads(path.read_text("utf-8"))
            shares = [StewardShare.from_bytes(bytes.fromhex(s)) for s in d["shares"]]
            t = int(d["threshold"])
        except (OSError, ValueError, KeyError, TypeError, EncodingError) as exc:
            raise InputError(f"the try-out steward keys in {path} are unreadable ({exc}); "
                             "delete the file to make new ones") from exc
        announce(f"note: no --service: using the local try-out steward keys in {path} "
                 "(not the real stewards; matches compare only with lists encoded on this machine)")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        public_key, shares = deal_shares(TRYOUT_T, TRYOUT_N)
        t = TRYOUT_T
        body = json.dumps({"zkaid_tryout_stewards": 1, "threshold": t, "public_key": public_key.hex(),
                           "shares": [s.to_bytes().hex() for s in shares]})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        announce(f"note: no --service: created local try-out steward keys ({t} of {TRYOUT_N}) in {path}; "
                 "they stay on this machine, outside your working folder. Use --service for the real stewards")
    return local_evaluator(shares, t)


def _api_keys(value: str) -> str | dict[int, str]:
    """One key for every steward, or ``1=KEY1,2=KEY2,...`` (one per steward index)."""
    if "=" not in value:
        return value
    out: dict[int, str] = {}
    for part in value.split(","):
        index, sep, key = part.partition("=")
        if not sep or not index.strip().isdigit() or not key.strip():
            raise InputError("--api-key is one key, or INDEX=KEY pairs separated by commas")
        out[int(index)] = key.strip()
    return out


def service_evaluator(url: str, stewards: Path | None, api_key: str | None) -> Evaluator:
    """The real stewards (sdk.stewards): the steward configuration the agency received and the
    registrar's API key. When the service at ``url`` is itself a steward, its key id must be
    the configuration's (a configuration of another dealing would give records that match
    nothing)."""
    if stewards is None or not api_key:
        raise InputError("--service needs --stewards CONFIG.json (the steward configuration your "
                         "agency received) and --api-key (or ZKAID_API_KEY)")
    from sdk.client import ServiceClient
    from sdk.errors import OfflineError, ServiceError
    from sdk.stewards import StewardConfig, StewardEvaluator

    keys = _api_keys(api_key)
    try:
        config = StewardConfig.load(stewards)
    except ZkaidError as exc:
        raise InputError(str(exc)) from exc
    own = keys if isinstance(keys, str) else next(iter(keys.values()))
    try:
        info = ServiceClient(url, own).request_json("GET", "/v1/linkage/steward")
    except OfflineError as exc:
        raise InputError(f"cannot reach the service at {url}: {exc}") from exc
    except ServiceError as exc:
        if exc.status != 404:  # 404: this service holds no share, nothing to compare
            raise InputError(f"the service at {url} refused: {exc}") from exc
        info = None
    if isinstance(info, dict) and info.get("key_id") != config.key_id:
        raise InputError(f"{stewards} is for steward key {config.key_id}, but the service at {url} "
                         f"uses key {info.get('key_id')}: ask your agency for the current configuration")
    return StewardEvaluator(config, keys)


def _parse_map(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or target.strip() not in FIELDS:
            raise InputError(f"--map {item!r}: write SOURCE=FIELD with FIELD one of {', '.join(FIELDS)}")
        out[source.strip()] = target.strip()
    return out


def read_list(path: Path, mapping: dict[str, str],
              report: Callable[[str], None]) -> tuple[list[Row], int]:
    """Rows of a list that normalise, and the number of data rows; bad rows are reported."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{path} is not UTF-8 text (first bad byte on line {line}): "
                         "save it as 'CSV UTF-8' and try again") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path} is empty: it needs a header line") from None
    except csv.Error as exc:
        raise InputError(f"{path} line 1: {exc}") from exc
    names = [mapping.get(h.strip(), h.strip()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(f"{path} has no column {', '.join(missing)} (its columns: {', '.join(header)}); "
                         "rename it or use --map SOURCE=FIELD")
    where = {f: names.index(f) for f in FIELDS if f in names}
    rows: list[Row] = []
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            report(f"{path} line {reader.line_num}: {exc}; row {number} left out")
            continue
        if not any(v.strip() for v in values):
            continue  # blank line: not a data row
        number += 1
        if len(values) != len(header):
            report(f"{path} line {reader.line_num}: {len(values)} fields for {len(header)} columns; "
                   f"row {number} left out")
            continue
        fields = {f: values[i] for f, i in where.items()}
        try:
            person, warning = normalise_fields(fields)
        except EncodingError as exc:
            report(f"{path} line {reader.line_num}: {exc}; row {number} left out")
            continue
        if warning:
            report(f"{path} line {reader.line_num}: {warning}")
        rows.append(Row(number, reader.line_num, person))
    return rows, number


def normalise_fields(fields: dict[str, str]) -> tuple[NormalisedPerson, str | None]:
    """Normalise one row; an unreadable date of birth is reported and the row matched without
    it (a typo in a date should not hide a duplicate). Other bad fields raise EncodingError."""
    def record(dob: str | None) -> PersonRecord:
        return PersonRecord(fields.get("given_name", ""), fields.get("family_name", ""), dob,
                            fields.get("sex") or None, fields.get("admin_area") or None,
                            fields.get("phone") or None, fields.get("id_number") or None)

    try:
        return normalise(record(fields.get("date_of_birth") or None)), None
    except EncodingError as exc:
        if exc.reason != "bad_date":
            raise
        return normalise(record(None)), f"{exc}; the row is matched without its date of birth"


def _chunks(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i:i + CHUNK]


def _encode_all(rows: Sequence[Row], evaluator: Evaluator, progress: object, label: str) -> list[MatchRecord]:
    from rich.progress import Progress

    assert isinstance(progress, Progress)
    task = progress.add_task(label, total=len(rows))
    out: list[MatchRecord] = []
    for chunk in _chunks(rows):
        out += encode([r.person for r in chunk], evaluator)
        progress.advance(task, len(chunk))
    return out


def _setup(mapping: list[str], service: str | None, stewards: Path | None, api_key: str | None,
           keys_dir: Path | None) -> tuple[dict[str, str], Evaluator]:
    m = _parse_map(mapping)
    err = lambda s: typer.echo(s, err=True)  # noqa: E731
    if service:
        return m, service_evaluator(service, stewards, api_key)
    return m, tryout_evaluator(keys_dir or user_data_dir(), err)


def _progress() -> object:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[int | str]]) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    tmp.replace(path)


MapOpt = Annotated[list[str], typer.Option("--map", help="Column SOURCE holds FIELD (given_name, family_name, "
                                                          "date_of_birth, sex, admin_area, phone, id_number).")]
ServiceOpt = Annotated[str | None, typer.Option(
    "--service", help="Your agency service: use the real stewards (with --stewards and --api-key). "
                      "Explicit on purpose: without it the local try-out keys are used.")]
StewardsOpt = Annotated[Path | None, typer.Option("--stewards", envvar="ZKAID_STEWARDS",
                                                  help="The steward configuration file your agency received.")]
KeyOpt = Annotated[str | None, typer.Option("--api-key", envvar="ZKAID_API_KEY",
                                            help="Your registrar API key, or INDEX=KEY,... one per steward.")]
ThresholdOpt = Annotated[float, typer.Option(min=0.05, max=1.0, help="Similarity needed for a match.")]
KeysDirOpt = Annotated[Path | None, typer.Option("--keys-dir", envvar="ZKAID_DEDUP_HOME",
                                                 help="Folder of the local try-out steward keys.")]


def _run(body: Callable[[Callable[[str], None]], int]) -> None:
    problems: list[str] = []

    def report(msg: str) -> None:
        problems.append(msg)
        typer.echo(f"warning: {msg}", err=True)

    try:
        body(report)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ZkaidError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if problems:
        typer.echo(f"{len(problems)} malformed row(s) were left out of matching (listed above)", err=True)


@dedup_app.command("link")
def link_cmd(
    left: Annotated[Path, typer.Argument(help="The first list (CSV, UTF-8).")],
    right: Annotated[Path, typer.Argument(help="The second list (CSV, UTF-8).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the pairs (left,right).")],
    map_: MapOpt = [],  # noqa: B006 (typer reads the default, never mutates it)
    service: ServiceOpt = None,
    stewards: StewardsOpt = None,
    api_key: KeyOpt = None,
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    keys_dir: KeysDirOpt = None,
) -> None:
    """People found in both lists, as row numbers (1 = the first data row of each file)."""

    def body(report: Callable[[str], None]) -> int:
        mapping, evaluator = _setup(map_, service, stewards, api_key, keys_dir)
        lrows, _ = read_list(left, mapping, report)
        rrows, _ = read_list(right, mapping, report)
        progress = _progress()
        with progress:  # type: ignore[attr-defined]
            lrec = _encode_all(lrows, evaluator, progress, f"encoding {left.name}")
            rrec = _encode_all(rrows, evaluator, progress, f"encoding {right.name}")
        pairs = [(lrows[i].number, rrows[j].number) for i, j in link(lrec, rrec, threshold)]
        _write_csv(out, ("left", "right"), pairs)
        typer.echo(f"{len(pairs)} pair(s) of {len(lrows)} x {len(rrows)} rows written to {out}", err=True)
        return len(pairs)

    _run(body)


@dedup_app.command("within")
def within_cmd(
    list_: Annotated[Path, typer.Argument(metavar="LIST", help="The list (CSV, UTF-8).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the clusters (row,cluster).")],
    map_: MapOpt = [],  # noqa: B006
    service: ServiceOpt = None,
    stewards: StewardsOpt = None,
    api_key: KeyOpt = None,
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    keys_dir: KeysDirOpt = None,
) -> None:
    """Rows that are the same person within one list, grouped (only groups of two or more)."""

    def body(report: Callable[[str], None]) -> int:
        mapping, evaluator = _setup(map_, service, stewards, api_key, keys_dir)
        rows, _ = read_list(list_, mapping, report)
        progress = _progress()
        with progress:  # type: ignore[attr-defined]
            recs = _encode_all(rows, evaluator, progress, f"encoding {list_.name}")
        groups = cluster(recs, threshold)
        lines = sorted((rows[i].number, c) for c, g in enumerate(groups, start=1) for i in g)
        _write_csv(out, ("row", "cluster"), lines)
        typer.echo(f"{len(groups)} cluster(s) covering {len(lines)} of {len(rows)} rows written to {out}",
                   err=True)
        return len(groups)

    _run(body)
