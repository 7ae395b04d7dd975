"""``zkaid dedup compare``: two agencies compare their lists without either list leaving its agency.

``zkaid dedup link`` needs both lists on one machine. Here each agency runs its own part,
through its agency service (the shared registry) and the real stewards:

1. Agency A: ``zkaid dedup compare open --with AGENCY_B`` prints a comparison id; A gives it
   to agency B (by phone, e-mail: it is not secret, only the two agencies' keys can use it).
2. Each agency: ``zkaid dedup compare submit ID LIST.csv --stewards stewards.json``: every row
   is normalised and encoded at this desk through the stewards' threshold OPRF, with the
   comparison id as the encoding context (records made for this comparison match nothing
   else), and only the match records are uploaded, by row number. Names never leave.
3. When both lists are in, the service matches them once and deletes the records. Each
   agency: ``zkaid dedup compare result ID --out PAIRS.csv`` writes ``row,match_ref`` for its
   own rows that have a partner on the other list; the other agency's row of the same pair
   has the same ``match_ref`` (random, meaningful only between the two agencies for this
   comparison). The service then deletes that result.

Exit codes: 0 done, 2 unreadable input or a refusal by the service (the message says what
to do), 3 the result is not ready yet (the other agency has not submitted): try later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import cbor2
import typer

from sdk.errors import ServiceError, ZkaidError
from sdk.linkage import encode
from zkaid.dedup import (
    CHUNK,
    InputError,
    MapOpt,
    Row,
    _parse_map,
    _progress,
    _write_csv,
    read_list,
    service_evaluator,
)

__all__ = ["UPLOAD_BATCH", "compare_app"]

compare_app = typer.Typer(
    help="Compare your list with another agency's through the service: each agency uploads only keyed "
         "encodings of its own list and gets back only its own rows' matches.", no_args_is_help=True)

UPLOAD_BATCH = 1000  # rows per upload request (the service takes up to ZKAID_LINKAGE_COMPARE_BATCH)
EXIT_NOT_READY = 3

ServiceUrl = Annotated[str, typer.Option("--service", envvar="ZKAID_SERVICE_URL",
                                         help="Your agency service (the registry both agencies use).")]
ApiKey = Annotated[str, typer.Option("--api-key", envvar="ZKAID_API_KEY",
                                     help="Your agency's registrar API key at that service.")]
ComparisonArg = Annotated[str, typer.Argument(metavar="ID", help="The comparison id (from `open`).")]


def _client(url: str, key: str, timeout: float = 60.0) -> Any:
    from sdk.client import ServiceClient

    return ServiceClient(url, key, timeout=timeout)


def _check_id(comparison: str) -> str:
    c = comparison.strip().lower()
    if len(c) != 32 or any(ch not in "0123456789abcdef" for ch in c):
        raise InputError(f"{comparison!r} is not a comparison id (32 hex characters, printed by `open`)")
    return c


def _run(body: Callable[[Callable[[str], None]], None]) -> None:
    problems: list[str] = []

    def report(msg: str) -> None:
        problems.append(msg)
        typer.echo(f"warning: {msg}", err=True)

    try:
        body(report)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ServiceError as exc:
        if exc.reason == "result_not_ready":
            typer.echo(f"not ready: {exc}", err=True)
            raise typer.Exit(EXIT_NOT_READY) from None
        typer.echo(f"error: {exc}" + (f" ({exc.reason})" if exc.reason else ""), err=True)
        raise typer.Exit(2) from None
    except ZkaidError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if problems:
        typer.echo(f"{len(problems)} malformed row(s) were left out (listed above)", err=True)


def _describe(c: dict[str, Any]) -> str:
    sides = ", ".join(f"{s['agency']}: {'submitted' if s['submitted'] else 'waiting'}"
                      + (f" ({s['rows']} rows" + (f", {s['matched']} matched" if s.get("matched") is not None else "")
                         + ")" if s.get("rows") is not None else "")
                      for s in c["sides"])
    return f"{c['id']}  {c['status']}  opened by {c['opened_by']} with {c['partner']}  [{sides}]"


@compare_app.command("open")
def open_cmd(
    with_: Annotated[str, typer.Option("--with", help="The other agency's id in the registry.")],
    service: ServiceUrl,
    api_key: ApiKey,
    threshold: Annotated[float, typer.Option(min=0.5, max=1.0, help="Similarity needed for a match.")] = 0.55,
) -> None:
    """Open a comparison with another agency; prints its id (give it to the other agency)."""

    def body(_report: Callable[[str], None]) -> None:
        c = _client(service, api_key).request_json("POST", "/v1/linkage/comparisons",
                                                   {"partner": with_, "threshold": threshold})
        typer.echo(c["id"])
        typer.echo(f"opened a comparison with {c['partner']} (threshold {c['threshold']}); it and all it holds "
                   f"are deleted at {_when(c['expires_at'])}. Give the id to {c['partner']}; each agency then runs "
                   f"`zkaid dedup compare submit {c['id']} LIST.csv`", err=True)

    _run(body)


def _when(t: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@compare_app.command("list")
def list_cmd(service: ServiceUrl, api_key: ApiKey) -> None:
    """Your agency's comparisons (opened by it or with it) that have not expired."""

    def body(_report: Callable[[str], None]) -> None:
        got = _client(service, api_key).request_json("GET", "/v1/linkage/comparisons")
        for c in got["comparisons"]:
            typer.echo(_describe(c))
        if not got["comparisons"]:
            typer.echo("no comparisons", err=True)

    _run(body)


@compare_app.command("status")
def status_cmd(comparison: ComparisonArg, service: ServiceUrl, api_key: ApiKey) -> None:
    """Where a comparison stands (who has submitted; your side's counts)."""

    def body(_report: Callable[[str], None]) -> None:
        c = _client(service, api_key).request_json("GET", f"/v1/linkage/comparisons/{_check_id(comparison)}")
        typer.echo(_describe(c))

    _run(body)


def upload_body(comparison: str, rows: Sequence[tuple[int, bytes]]) -> bytes:
    """One upload: CBOR ``[1, comparison id, [[row, record], ...]]``."""
    return cbor2.dumps([1, comparison, [[r, rec] for r, rec in rows]])


@compare_app.command("submit")
def submit_cmd(
    comparison: ComparisonArg,
    list_: Annotated[Path, typer.Argument(metavar="LIST", help="Your list (CSV, UTF-8).")],
    service: ServiceUrl,
    api_key: ApiKey,
    stewards: Annotated[Path, typer.Option("--stewards", envvar="ZKAID_STEWARDS",
                                           help="The steward configuration file your agency received.")],
    steward_keys: Annotated[str | None, typer.Option(
        "--steward-keys", envvar="ZKAID_STEWARD_KEYS",
        help="Your keys at the stewards, INDEX=KEY,... (default: --api-key at every steward).")] = None,
    map_: MapOpt = [],  # noqa: B006 (typer reads the default, never mutates it)
) -> None:
    """Encode your list here (through the stewards) and upload only the encodings.

    An upload cut off half-way resumes where it stopped when the command is run again."""

    def body(report: Callable[[str], None]) -> None:
        cid = _check_id(comparison)
        mapping = _parse_map(map_)
        client = _client(service, api_key, timeout=600.0)  # the last submit also matches both lists
        c = client.request_json("GET", f"/v1/linkage/comparisons/{cid}")
        mine = next(s for s in c["sides"] if s.get("rows") is not None)
        if mine["submitted"]:
            raise InputError(f"your agency has submitted its list to {cid} already")
        if c["status"] != "open":
            raise InputError(f"comparison {cid} is {c['status']}: nothing more can be submitted")
        evaluator = service_evaluator(service, stewards, steward_keys or api_key)
        rows, _ = read_list(list_, mapping, report)
        if not rows:
            raise InputError(f"{list_} has no row that can be matched")
        done = int(mine["rows"])
        if done > len(rows):
            raise InputError(f"{done} rows were uploaded already, but {list_} has {len(rows)}: is it the same file?")
        if done:
            typer.echo(f"resuming: {done} rows were uploaded already", err=True)
        context = bytes.fromhex(cid)
        progress = _progress()
        with progress:  # type: ignore[attr-defined]
            task = progress.add_task(f"encoding and uploading {list_.name}", total=len(rows))  # type: ignore[attr-defined]
            progress.advance(task, done)  # type: ignore[attr-defined]
            for start in range(done, len(rows), CHUNK):
                chunk: Sequence[Row] = rows[start:start + CHUNK]
                records = encode([r.person for r in chunk], evaluator, context=context)
                for i in range(0, len(chunk), UPLOAD_BATCH):
                    part = [(r.number, rec.to_bytes()) for r, rec in zip(chunk[i:i + UPLOAD_BATCH],
                                                                          records[i:i + UPLOAD_BATCH], strict=True)]
                    client.post_cbor("/v1/linkage/comparison-records", upload_body(cid, part))
                    progress.advance(task, len(part))  # type: ignore[attr-defined]
        key_id = evaluator.config.key_id if hasattr(evaluator, "config") else None
        c = client.request_json("POST", f"/v1/linkage/comparisons/{cid}/submit",
                                {"rows": len(rows), "steward_key_id": key_id})
        if c["status"] == "matched":
            typer.echo(f"submitted {len(rows)} rows; both lists are in and have been matched: run "
                       f"`zkaid dedup compare result {cid} --out PAIRS.csv`", err=True)
        else:
            typer.echo(f"submitted {len(rows)} rows; waiting for the other agency's list", err=True)

    _run(body)


@compare_app.command("result")
def result_cmd(
    comparison: ComparisonArg,
    out: Annotated[Path, typer.Option("--out", help="Where to write your matched rows (row,match_ref).")],
    service: ServiceUrl,
    api_key: ApiKey,
    keep: Annotated[bool, typer.Option(help="Leave the result on the service (it is deleted at expiry).")] = False,
) -> None:
    """Your rows that are on the other agency's list too, each with its pair reference.

    The other agency's row of the pair carries the same reference. The service deletes your
    result once it is written."""

    def body(_report: Callable[[str], None]) -> None:
        cid = _check_id(comparison)
        client = _client(service, api_key, timeout=120.0)
        lines: list[tuple[int, str]] = []
        after = 0
        total = 0
        while True:
            page = client.request_json("GET", f"/v1/linkage/comparisons/{cid}/result?after={after}")
            total = int(page["rows"])
            lines += [(int(m["row"]), str(m["match_ref"])) for m in page["matches"]]
            if page.get("next") is None:
                break
            after = int(page["next"])
        _write_csv(out, ("row", "match_ref"), lines)
        if not keep:
            client.request_json("DELETE", f"/v1/linkage/comparisons/{cid}/result")
        typer.echo(f"{len(lines)} of your {total} rows are on the other list too; written to {out}"
                   + ("" if keep else " (the service has deleted your result)"), err=True)

    _run(body)


@compare_app.command("cancel")
def cancel_cmd(comparison: ComparisonArg, service: ServiceUrl, api_key: ApiKey) -> None:
    """Withdraw from a comparison: everything uploaded to it and every result is deleted."""

    def body(_report: Callable[[str], None]) -> None:
        cid = _check_id(comparison)
        _client(service, api_key).request_json("DELETE", f"/v1/linkage/comparisons/{cid}")
        typer.echo(f"comparison {cid} cancelled; its data is deleted", err=True)

    _run(body)
