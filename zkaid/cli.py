"""`zkaid` command line (typer). Errors are one clear line on stderr and a non-zero exit.

Commands: ``pilot`` (the main job), ``serve`` and the service's administration groups
(``init``, ``agency``, ``api-key``, ``device``, ``scope``, ``issuer-key``, ``trust-list``,
``kek``), ``issuer`` (offers through a running service), ``wallet`` (a scriptable holder
for tests and demos), ``verify`` (presentation images, offline), ``bench`` and ``demo``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sdk.errors import ZkaidError

app = typer.Typer(
    name="zkaid",
    help="Privacy-preserving credentials for humanitarian cash assistance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
issuer_app = typer.Typer(help="Offers and keys of a registering agency, through a running service.",
                         no_args_is_help=True)
wallet_app_cli = typer.Typer(help="A scriptable beneficiary wallet (same vault and logic as the app).",
                             no_args_is_help=True)
app.add_typer(issuer_app, name="issuer")
app.add_typer(wallet_app_cli, name="wallet")

from zkaid.referral_cli import referral_app  # noqa: E402

app.add_typer(referral_app, name="referral")
from zkaid.card_cli import card_app  # noqa: E402

app.add_typer(card_app, name="card")

from zkaid.dedup import dedup_app  # noqa: E402
from zkaid.dedup_compare import compare_app  # noqa: E402

dedup_app.add_typer(compare_app, name="compare")  # two agencies' lists, each encoded at its own desk
app.add_typer(dedup_app, name="dedup")
from zkaid.witness import witness_app  # noqa: E402

app.add_typer(witness_app, name="witness")
from zkaid.signer_cli import signer_app  # noqa: E402

app.add_typer(signer_app, name="signer")

ROOT = Path(__file__).resolve().parent.parent


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


# ------------------------------------------------------------------------------ demo and pilot

@app.command()
def demo(
    folder: Annotated[Path, typer.Option("--dir", help="Folder for the demo (service, wallet, field device, "
                                                      "sample answers).")] = Path("zkaid-demo"),
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier demo in that folder.")] = False,
    crypto: Annotated[bool, typer.Option("--crypto", help="Instead: time the cryptographic core "
                                                          "(sign, disclose, pseudonyms) on every backend.")] = False,
) -> None:
    """Set up the tour: a dev service with two agencies, a wallet with a card, a field device, sample answers."""
    if crypto:
        from zkaid.demo import run_demo

        run_demo(sys.stdout)
        return
    from zkaid.tour import DemoError, build_demo, next_steps

    typer.echo(f"zkaid demo: setting up {folder} (takes a few seconds)")
    try:
        made = build_demo(folder, force=force, say=typer.echo)
    except DemoError as exc:
        raise _fail(str(exc)) from None
    typer.echo(next_steps(made))


@app.command()
def pilot(
    households: Annotated[int, typer.Option(help="Households registered and served in the round.")] = 300,
    duplicate_share: Annotated[float, typer.Option(help="Share that tries to enroll twice.")] = 0.12,
    tamper_share: Annotated[float, typer.Option(help="Share whose code is edited.")] = 0.03,
    foreign_share: Annotated[float, typer.Option(help="Share showing a payment QR or a link.")] = 0.02,
    unreadable_share: Annotated[float, typer.Option(help="Share with a cracked screen or a finger on the code.")] = 0.02,
    replay_share: Annotated[float, typer.Option(help="Share replaying someone's earlier answer.")] = 0.02,
    expired_share: Annotated[float, typer.Option(help="Share with an expired credential.")] = 0.03,
    online_share: Annotated[float, typer.Option(help="Share of visits verified online instead of offline.")] = 0.15,
    referral_share: Annotated[float, typer.Option(help="Share of households referred to another agency.")] = 0.15,
    devices_per_agency: Annotated[int, typer.Option(help="Offline field devices per programme agency.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the simulation (who misbehaves, camera noise).")] = 2026,
    backend: Annotated[str | None, typer.Option(help="Curve backend: arkworks or pyecc.")] = None,
    database_url: Annotated[str | None, typer.Option(help="PostgreSQL URL for the in-process service.")] = None,
    service_url: Annotated[str | None, typer.Option(help="Use a running service instead (dev mode).")] = None,
    api_key: Annotated[str | None, typer.Option(help="Admin API key of --service-url.", envvar="ZKAID_API_KEY")] = None,
    out: Annotated[Path, typer.Option(help="Folder for report.md, report.json and charts.")] = Path("pilot-output"),
) -> None:
    """Run a simulated cash-assistance round end to end and write the report."""
    from zkaid.pilot import PilotConfig, run_pilot

    if backend:
        os.environ["ZKAID_BACKEND"] = backend  # worker processes inherit it
    cfg = PilotConfig(
        households=households, duplicate_share=duplicate_share, tamper_share=tamper_share,
        foreign_share=foreign_share, unreadable_share=unreadable_share, replay_share=replay_share,
        expired_share=expired_share, online_share=online_share, devices_per_agency=devices_per_agency,
        referral_share=referral_share,
        seed=seed, backend=backend, database_url=database_url, service_url=service_url, api_key=api_key, out=out,
    )
    try:
        cfg.validate()
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"zkaid pilot: {households} households, scope {cfg.scope}, "
               f"backend {backend or os.environ.get('ZKAID_BACKEND') or 'default'}")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:14}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=False) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = run_pilot(cfg, progress)
    typer.echo(report.table())
    written = report.write(out)
    typer.echo("report: " + ", ".join(str(p) for p in written))
    if not all(report.invariants.values()):
        raise _fail("an invariant of the pilot failed (see the report)", 1)


# ------------------------------------------------------------------------------ verify

@app.command()
def verify(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders of images.")],
    data_dir: Annotated[Path | None, typer.Option(help="Field device data folder (set up with field_app).")] = None,
    trust_list: Annotated[Path | None, typer.Option(help="Signed trust list file (instead of the device's).")] = None,
    anchor: Annotated[list[str] | None, typer.Option(help="Trust anchor (hex), with --trust-list.")] = None,
    request: Annotated[list[Path] | None, typer.Option(help="Request file(s) the answers belong to.")] = None,
    dry_run: Annotated[bool, typer.Option(help="Check only; do not write the ledger.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Verify presentations from image files, offline (exit 1 if any is refused)."""
    from field_app.cli import verify_paths

    code = verify_paths(paths, data_dir=data_dir, trust_list=trust_list, anchors=anchor or (),
                        requests=request or (), dry_run=dry_run, as_json=as_json)
    raise typer.Exit(code)


# ------------------------------------------------------------------------------ issuer

@issuer_app.command("offer")
def issuer_offer(
    values: Annotated[str, typer.Option(help="Attribute values as JSON, or @file.json.")],
    service_url: Annotated[str, typer.Option(envvar="ZKAID_SERVICE_URL", help="Agency service address.")],
    api_key: Annotated[str, typer.Option(envvar="ZKAID_API_KEY", help="A registrar API key.")],
    schema: Annotated[str, typer.Option(help="Schema as id@version (@2: the card can be revoked alone).")]
    = "org.zkaid.household@2",
    reissue_of: Annotated[str | None, typer.Option(help="credential_id to re-issue with the same entropy.")] = None,
    qr: Annotated[Path | None, typer.Option(help="Also write the offer QR as PNG here.")] = None,
) -> None:
    """Create an offer for one household and print its short code (and the QR)."""
    import base64

    from sdk.client import ServiceClient

    text = Path(values[1:]).read_text("utf-8") if values.startswith("@") else values
    try:
        vals = json.loads(text)
    except ValueError as exc:
        raise _fail(f"--values is not JSON: {exc}") from None
    made = ServiceClient(service_url, api_key).create_offer(schema, vals, reissue_of=reissue_of)
    offer = base64.b64decode(made["offer"])
    typer.echo(f"code: {made['code']}   credential_id: {made['credential_id']}   expires_at: {made['expires_at']}")
    from sdk.transport import render_code, render_terminal

    if qr is not None:
        qr.write_bytes(render_code(offer).png())
        typer.echo(f"QR written to {qr}")
    else:
        typer.echo(render_terminal(offer))


@issuer_app.command("keys")
def issuer_keys(
    service_url: Annotated[str, typer.Option(envvar="ZKAID_SERVICE_URL", help="Agency service address.")],
) -> None:
    """List the issuer keys of the service's current trust list (public)."""
    from sdk.client import ServiceClient
    from sdk.wire import TrustListPayload, decode, parse_sign1

    data = ServiceClient(service_url).trust_list()
    if not data:
        raise _fail("the service has no trust list yet")
    payload = decode(parse_sign1(data).payload, TrustListPayload)
    for i in payload.issuers:
        typer.echo(f"{i.kid.hex()}  {i.name}  {i.suite}  N={i.nym_count}  schemas={','.join(i.schemas)}  "
                   f"valid {i.not_before}..{i.not_after}  range_params={'yes' if i.range_params else 'no'}")


# ------------------------------------------------------------------------------ wallet

WalletDir = Annotated[Path, typer.Option("--dir", help="Wallet folder (vault and configuration).")]
Pin = Annotated[str, typer.Option(envvar="ZKAID_WALLET_PIN", prompt=True, hide_input=True, help="The wallet PIN.")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON for scripts instead of text.")]


def _wallet(folder: Path, *, anchor: str | None = None, service_url: str | None = None) -> Any:
    from wallet_app.config import WalletConfig
    from wallet_app.service import WalletService

    cfg_file = folder / "wallet.json"
    if anchor is not None:
        folder.mkdir(parents=True, exist_ok=True)
        cfg_file.write_text(json.dumps({"trust_anchors": [anchor], "service_url": service_url}), "utf-8")
    if not cfg_file.exists():
        raise _fail(f"{folder} is not a wallet: run 'zkaid wallet create' first")
    return WalletService(WalletConfig.from_file(cfg_file, data_dir=folder))


@wallet_app_cli.command("create")
def wallet_create(
    folder: WalletDir,
    anchor: Annotated[str, typer.Option(help="Trust-list public key (hex), from the agency.")],
    pin: Pin,
    service_url: Annotated[str | None, typer.Option(help="Agency service address.")] = None,
    recovery_qr: Annotated[Path | None, typer.Option(help="Also write the recovery code as a QR image "
                                                          "(PNG) to print and keep with the paper.")] = None,
) -> None:
    """Create a wallet; prints the recovery code once (write it down)."""
    w = _wallet(folder, anchor=anchor, service_url=service_url)
    ob = w.new_onboarding()
    w.check_written(ob, {g: ob.groups[g - 1] for g in ob.checks})  # the person typed them back
    w.finish_onboarding(ob, pin)
    code = ob.seed.recovery_code()
    typer.echo(f"recovery code (shown once): {code}")
    if recovery_qr is not None:
        from sdk.transport import render_code

        recovery_qr.write_bytes(render_code(code.encode("ascii")).png())
        typer.echo(f"recovery code QR written to {recovery_qr}: print it, then delete the file")


@wallet_app_cli.command("restore")
def wallet_restore(
    folder: WalletDir,
    anchor: Annotated[str, typer.Option(help="Trust-list public key (hex).")],
    pin: Pin,
    code: Annotated[str | None, typer.Option(help="The paper recovery code.")] = None,
    code_image: Annotated[Path | None, typer.Option(help="A photo or scan of the recovery code QR.")] = None,
    service_url: Annotated[str | None, typer.Option(help="Agency service address.")] = None,
) -> None:
    """Restore a wallet from its recovery code (credentials are re-issued by the registrar)."""
    if code_image is not None:
        from sdk.transport import scan_image

        scan = scan_image(str(code_image))
        raw = scan.data or (scan.foreign[0] if scan.foreign else None)  # plain text, not a zkaid message
        if not raw:
            raise _fail(f"no readable QR code in {code_image}")
        code = raw.decode("ascii", errors="replace")
    if not code:
        raise _fail("give --code or --code-image")
    w = _wallet(folder, anchor=anchor, service_url=service_url)
    w.restore(code, pin, replace=True)
    typer.echo("wallet restored; ask the registrar to re-issue your card")


@wallet_app_cli.command("receive")
def wallet_receive(
    folder: WalletDir, pin: Pin,
    code: Annotated[str | None, typer.Option(help="Short offer code.")] = None,
    offer: Annotated[Path | None, typer.Option(help="Offer file: raw bytes or a QR image.")] = None,
    as_json: AsJson = False,
) -> None:
    """Receive a credential from the service (by short code or offer QR)."""
    w = _wallet(folder)
    w.unlock(pin)
    if code:
        card = w.receive_code(code)
    elif offer:
        card = w.receive_offer(_read_code(offer))
    else:
        raise _fail("give --code or --offer")
    from zkaid.wallet_text import card_text, to_json

    typer.echo(to_json(card) if as_json else "stored:\n" + card_text(card))


@wallet_app_cli.command("cards")
def wallet_cards(folder: WalletDir, pin: Pin, as_json: AsJson = False) -> None:
    """List the credentials in the wallet."""
    from zkaid.wallet_text import card_text, to_json

    w = _wallet(folder)
    w.unlock(pin)
    cards = w.cards()
    for c in cards:
        typer.echo(to_json(c) if as_json else card_text(c))
    if not cards and not as_json:
        typer.echo("no card in this wallet yet")


@wallet_app_cli.command("forget")
def wallet_forget(
    folder: WalletDir, pin: Pin,
    card: Annotated[str | None, typer.Option(help="Remove this card (its id, from `zkaid wallet cards`).")] = None,
    history: Annotated[bool, typer.Option("--history", help="Clear the history of presentations.")] = False,
) -> None:
    """Remove a card or clear the history kept on this phone."""
    if card is None and not history:
        raise _fail("give --card ID and/or --history")
    w = _wallet(folder)
    w.unlock(pin)
    if card is not None:
        w.remove_card(card)
        typer.echo(f"card {card} removed")
    if history:
        typer.echo(f"{w.clear_history()} presentation(s) forgotten")


@wallet_app_cli.command("present")
def wallet_present(
    folder: WalletDir, pin: Pin,
    request: Annotated[Path, typer.Option(help="Request file: raw bytes or a QR image.")],
    out: Annotated[Path, typer.Option(help="Folder for presentation.cbor and the QR PNG frames.")],
    yes: Annotated[bool, typer.Option("--yes", help="Consent without asking.")] = False,
    as_json: AsJson = False,
) -> None:
    """Answer a request: show what is asked, and on consent write the presentation QR."""
    from sdk.transport import render_code

    w = _wallet(folder)
    w.unlock(pin)
    from zkaid.wallet_text import consent_text, to_json

    view = w.consider_request(_read_code(request))
    typer.echo(to_json(view) if as_json else consent_text(view))
    if not yes and not typer.confirm("Share?", default=False):
        w.decline()
        typer.echo("declined: nothing was shared")
        raise typer.Exit(1)
    codes = w.accept()
    out.mkdir(parents=True, exist_ok=True)
    (out / "presentation.cbor").write_bytes(codes.payload)
    frames = codes.loop()
    for i, c in enumerate(frames):
        (out / f"qr-{i:02d}.png").write_bytes(render_code(c).png())
    typer.echo(f"{len(codes.payload)} bytes in {len(frames)} QR frame(s) written to {out}")


def _read_code(path: Path) -> bytes:
    """Raw message bytes, or the zkaid code found in an image file."""
    data = path.read_bytes()
    if data[:3] == b"\xd9\xd9\xf7":
        return data
    from sdk.transport import decode_image

    return decode_image(path)


# ------------------------------------------------------------------------------ bench

@app.command()
def bench(
    which: Annotated[list[str] | None, typer.Argument(help="bbs, presentation, qr, field, service (default: all).")]
    = None,
) -> None:
    """Run the benchmark scripts in bench/ and print their tables."""
    names = which or ["bbs", "presentation", "qr", "field", "service"]
    failed = 0
    for name in names:
        script = ROOT / "bench" / f"{name}.py"
        if not script.exists():
            raise _fail(f"no benchmark named {name!r} (bench/{name}.py)")
        typer.echo(f"== bench/{name}.py")
        failed |= subprocess.call([sys.executable, str(script)], cwd=ROOT)
    raise typer.Exit(1 if failed else 0)


# ------------------------------------------------------------------------------ service

def _mount_service() -> None:
    from verifier_service.cli import register

    register(app)


_mount_service()

from verifier_service.steward_cli import steward_app  # noqa: E402

app.add_typer(steward_app, name="steward")  # issue 14: data stewards of the registration check


def main() -> None:
    try:
        app()
    except ZkaidError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
