"""``zkaid card``: one card's lifecycle from the command line (issue 13; docs/operations.md).

    zkaid card revoke CREDENTIAL_ID --reason stolen     # every field device refuses it after its next sync
    zkaid card status CREDENTIAL_ID                     # active or revoked, replaced how, blocked in which rounds
    zkaid card revocations --scope SCOPE --out FILE     # the signed list, to carry to an offline device

A registrar (or an admin) of the agency that issued the card; the service only ever knows
the card's id, never the person's name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["card_app"]

card_app = typer.Typer(help="One card: revoke it, see its status, export the list of withdrawn cards.",
                       no_args_is_help=True)

ServiceUrl = Annotated[str, typer.Option(envvar="ZKAID_SERVICE_URL", help="Agency service address.")]
ApiKey = Annotated[str, typer.Option(envvar="ZKAID_API_KEY", help="A registrar or admin key of your agency.")]
REASONS = ("lost", "stolen", "fraud", "issued_in_error", "deceased")


def _client(url: str, key: str | None = None) -> Any:
    from sdk.client import ServiceClient

    return ServiceClient(url, key)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@card_app.command("revoke")
def revoke(
    credential_id: Annotated[str, typer.Argument(help="The card's id (given when the offer was made).")],
    service_url: ServiceUrl, api_key: ApiKey,
    reason: Annotated[str, typer.Option(help=f"One of: {', '.join(REASONS)}.")],
) -> None:
    """Withdraw one card. Field devices refuse it after their next sync; no other card changes."""
    from sdk.errors import ServiceError

    if reason not in REASONS:
        raise _fail(f"--reason is one of {', '.join(REASONS)}")
    try:
        out = _client(service_url, api_key).revoke_card(credential_id.strip().lower(), reason)
    except ServiceError as exc:
        raise _fail(f"{exc} ({exc.reason})") from None
    typer.echo(f"card {out['credential_id']} revoked ({out['revoke_reason']}); field devices refuse it after "
               "their next sync")


@card_app.command("status")
def status(
    credential_id: Annotated[str, typer.Argument(help="The card's id.")],
    service_url: ServiceUrl, api_key: ApiKey,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show whether a card is active or revoked, what it replaced and where it may not enroll."""
    from sdk.errors import ServiceError

    try:
        out = _client(service_url, api_key).card_status(credential_id.strip().lower())
    except ServiceError as exc:
        raise _fail(f"{exc} ({exc.reason})") from None
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"card {out['credential_id']}: {out['status']}"
               + (f" ({out['revoke_reason']})" if out.get("revoke_reason") else ""))
    if out.get("replaces"):
        typer.echo(f"replaces {out['replaces']} ({out['reissue_path']})")
    if out.get("blocked_scopes"):
        typer.echo("may not enroll in: " + ", ".join(out["blocked_scopes"]))
    if not out.get("revocable"):
        typer.echo("this card has no revocation handle (household@1): revoking it stops nothing offline")


@card_app.command("revocations")
def revocations(
    service_url: ServiceUrl,
    scope: Annotated[str, typer.Option(help="The round, e.g. cva/2026-12/round-1.")],
    out: Annotated[Path, typer.Option(help="Write the signed list here (to carry to an offline device).")],
) -> None:
    """Download the signed list of withdrawn cards for one round."""
    from sdk.errors import ServiceError

    try:
        data = _client(service_url).revocations(scope)
    except ServiceError as exc:
        raise _fail(f"{exc} ({exc.reason})") from None
    out.write_bytes(data or b"")
    typer.echo(f"{len(data or b'')} bytes written to {out}")
