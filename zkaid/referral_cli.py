"""``zkaid referral``: referrals between agencies from the command line.

Agency A's caseworker: ``prepare`` (seal the referral to agency B and write the offer the
person's wallet reads), then ``send`` (the consent the wallet produced, through an outbox:
a crash never loses or duplicates it). The person: ``consent`` (shows what will be shared and
asks), ``withdraw``. Agency B's desk: ``keygen`` (private key stays in the desk keyring; the
public half is registered), ``list`` (today's referrals, decrypted on the desk), ``show``,
``update``. The service only ever sees ciphertext and statuses.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["referral_app"]

referral_app = typer.Typer(help="Referrals between agencies: sealed for the receiving agency, sent only with "
                                "the person's consent.", no_args_is_help=True)

ServiceUrl = Annotated[str, typer.Option(envvar="ZKAID_SERVICE_URL", help="Agency service address.")]
ApiKey = Annotated[str, typer.Option(envvar="ZKAID_API_KEY", help="An API key of your agency.")]
Keyring = Annotated[Path, typer.Option(envvar="ZKAID_REFERRAL_KEYRING",
                                       help="The desk's referral keyring (private keys; keep on the desk).")]
Anchor = Annotated[str, typer.Option(envvar="ZKAID_TRUST_ANCHOR", help="Trust-list public key (hex).")]
SUITE_NAMES = {"x25519": "X25519-SHA256-ChaCha20Poly1305", "hybrid": "MLKEM768X25519-SHA256-AES128GCM"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _client(url: str, key: str | None = None) -> Any:
    from sdk.client import ServiceClient

    return ServiceClient(url, key)


def _trust_list(url: str, anchor: str) -> Any:
    from sdk.trust import TrustAnchor, load_trust_list

    data = _client(url).trust_list()
    if not data:
        raise _fail("the service has no trust list yet")
    try:
        return load_trust_list(data, [TrustAnchor(bytes.fromhex(anchor))])
    except ValueError as exc:
        raise _fail(f"--anchor is not hex: {exc}") from None


def _suite(name: str) -> str:
    if name not in SUITE_NAMES:
        raise _fail(f"--suite is one of {', '.join(SUITE_NAMES)}")
    return SUITE_NAMES[name]


@referral_app.command("keygen")
def keygen(
    keyring: Keyring,
    agency: Annotated[str, typer.Option(help="Your agency id (the referrals' recipient).")],
    suite: Annotated[str, typer.Option(help="x25519, or hybrid (ML-KEM-768 + X25519, post-quantum).")] = "x25519",
    name: Annotated[str | None, typer.Option(help="Name people see on the consent screen.")] = None,
    service_url: Annotated[str | None, typer.Option(envvar="ZKAID_SERVICE_URL", help="Register it here.")] = None,
    api_key: Annotated[str | None, typer.Option(envvar="ZKAID_API_KEY", help="An admin key (to register).")] = None,
) -> None:
    """Make a referral key on this desk; with --service-url, register its public half."""
    from field_app.referrals import DeskKeyring

    pair = DeskKeyring(keyring).generate(agency, _suite(suite))
    typer.echo(f"kid: {pair.kid.hex()}  suite: {pair.suite}\npublic key: {pair.public_key.hex()}")
    if service_url:
        out = _client(service_url, api_key).request_json("POST", "/v1/referrals/keys", {
            "name": name or agency, "suite": pair.suite, "public_key": pair.public_key.hex()})
        typer.echo(f"registered: valid {out['not_before']}..{out['not_after']}")


def _desk_key(path: Path, tl: Any) -> Any:
    """The desk's request-signing key, named as the trust list names it; refused when the
    trust list does not list it (the wallet could not check the signature)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from sdk.credential import VerifierKey

    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise _fail(f"--desk-key {path}: not a readable PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise _fail(f"--desk-key {path}: not an Ed25519 key")
    probe = VerifierKey("desk", key)
    entry = tl.verifier(probe.kid)
    if entry is None:
        raise _fail(f"--desk-key: the trust list does not list this key ({probe.kid.hex()}); register the desk "
                    "(POST /v1/admin/devices) and wait for the next trust list")
    return VerifierKey(entry.name, key)


@referral_app.command("prepare")
def prepare(
    service_url: ServiceUrl, anchor: Anchor,
    from_agency: Annotated[str, typer.Option("--from", envvar="ZKAID_AGENCY", help="Your agency id.")],
    to: Annotated[str, typer.Option(help="The receiving agency id.")],
    type_: Annotated[str, typer.Option("--type", help="An agreed referral type (see the trust list).")],
    out: Annotated[Path, typer.Option(help="Write the offer for the person's wallet here (CBOR).")],
    urgency: Annotated[str, typer.Option(help="routine, soon or urgent.")] = "routine",
    note: Annotated[str, typer.Option(help="A short note (at most 500 characters).")] = "",
    attr: Annotated[list[str] | None, typer.Option(help="name=value to share (repeat); only what B needs.")] = None,
    days: Annotated[int, typer.Option(help="How long B may read it.")] = 30,
    suite: Annotated[str, typer.Option(help="x25519 or hybrid.")] = "x25519",
    schema: Annotated[str, typer.Option(help="The card the consent is made with (id@version).")]
    = "org.zkaid.household@2",
    desk_key: Annotated[Path | None, typer.Option(
        envvar="ZKAID_DESK_KEY",
        help="The desk's request-signing key (Ed25519 PEM, e.g. a field-app data folder's verifier_key.pem), "
             "registered in the trust list: the wallet then shows your agency as checked.")] = None,
    qr: Annotated[Path | None, typer.Option(help="Also write the offer as QR PNG frames into this folder.")] = None,
) -> None:
    """Seal a referral to the receiving agency and write the offer the wallet shows.

    With --desk-key the consent request is signed like a field desk's request, and the wallet
    shows the desk's name from the trust list as checked; without it the wallet warns that the
    requester is not checked."""
    from sdk.credential import Schema
    from sdk.referral import compose, make_offer, seal_referral

    tl = _trust_list(service_url, anchor)
    signing_key = _desk_key(desk_key, tl) if desk_key is not None else None
    attributes: dict[str, Any] = {}
    for item in attr or []:
        k, sep, v = item.partition("=")
        if not sep:
            raise _fail(f"--attr {item!r} is not name=value")
        attributes[k] = int(v) if v.lstrip("-").isdigit() else v
    sid, _, ver = schema.partition("@")
    sdef = tl.schema(sid, int(ver or 1))
    if sdef is None:
        raise _fail(f"the trust list has no schema {schema}")
    now = int(time.time())
    content = compose(tl, referral_type=type_, urgency=urgency, note=note, attributes=attributes,
                      from_agency=from_agency, to_agency=to, now=now, lifetime=days * 86400)
    sealed = seal_referral(content, tl, now=now, suite_name=_suite(suite))
    issuers = [i.kid for i in tl.payload.issuers if f"{sid}@{int(ver or 1)}" in i.schemas]
    offer = make_offer(content, sealed, schema=Schema.from_def(sdef), issuers=issuers,
                       purpose={"en": f"Referral to {to}"}, now=now, signing_key=signing_key)
    out.write_bytes(offer)
    typer.echo(f"referral {content.referral_id.hex()} sealed to {to} ({sealed.header.suite}); offer written to {out}")
    typer.echo(f"consent request signed by {signing_key.name}" if signing_key is not None else
               "consent request NOT signed (no --desk-key): the wallet will show the requester as not checked")
    if qr is not None:
        from sdk.transport import encode, render_code

        qr.mkdir(parents=True, exist_ok=True)
        frames = encode(offer).cycle()
        for i, f in enumerate(frames):
            (qr / f"offer-{i:02d}.png").write_bytes(render_code(f).png())
        typer.echo(f"{len(frames)} QR frame(s) in {qr}")


@referral_app.command("consent")
def consent_cmd(
    folder: Annotated[Path, typer.Option("--dir", help="Wallet folder.")],
    pin: Annotated[str, typer.Option(envvar="ZKAID_WALLET_PIN", prompt=True, hide_input=True)],
    offer: Annotated[Path, typer.Option(help="The offer file from the caseworker.")],
    out: Annotated[Path, typer.Option(help="Where the consent goes (for the caseworker to send).")],
    yes: Annotated[bool, typer.Option("--yes", help="Agree without asking.")] = False,
    no: Annotated[bool, typer.Option("--no", help="Refuse without asking.")] = False,
) -> None:
    """The person reads what will be shared and agrees or refuses (refusing sends nothing)."""
    from wallet_app.config import WalletConfig
    from wallet_app.referrals import WalletReferrals
    from wallet_app.service import WalletService

    cfg = folder / "wallet.json"
    if not cfg.exists():
        raise _fail(f"{folder} is not a wallet")
    w = WalletService(WalletConfig.from_file(cfg, data_dir=folder))
    w.unlock(pin)
    refs = WalletReferrals(w)
    typer.echo(str(refs.consider(offer.read_bytes())))
    agree = yes or (not no and typer.confirm("", default=False))
    if not agree:
        refs.decline()
        typer.echo("declined: nothing was sent")
        raise typer.Exit(1)
    out.write_bytes(refs.accept())
    typer.echo(f"consent written to {out}")


@referral_app.command("send")
def send(
    service_url: ServiceUrl, api_key: ApiKey,
    outbox: Annotated[Path, typer.Option(help="The desk's outbox folder (kept until delivered).")],
    consent: Annotated[list[Path] | None, typer.Option(help="Consent file(s) from the wallet.")] = None,
) -> None:
    """Put consented referrals in the outbox and deliver everything pending (idempotent)."""
    from sdk.referral import Outbox

    box = Outbox(outbox)
    for f in consent or []:
        typer.echo(f"queued {box.put(f.read_bytes())}")
    res = box.flush_many(_client(service_url, api_key).send_referrals)
    for rid in res.delivered:
        typer.echo(f"delivered {rid}")
    for rid, why in res.rejected.items():
        typer.echo(f"refused {rid}: {why} (kept in {outbox / 'rejected'})")
    for rid in res.waiting:
        typer.echo(f"waiting {rid}: the service is unreachable; run send again")
    if res.rejected or res.waiting:
        raise typer.Exit(1)


def _desk(service_url: str, api_key: str, keyring: Path | None, anchor: str | None) -> Any:
    from field_app.referrals import DeskKeyring, DeskReferrals

    ring = DeskKeyring(keyring) if keyring else None
    agency = ring.agency if ring else None
    tl = _trust_list(service_url, anchor) if anchor else None
    return DeskReferrals(_client(service_url, api_key), ring.keys() if ring else [], agency or "", tl)


@referral_app.command("list")
def list_cmd(
    service_url: ServiceUrl, api_key: ApiKey,
    box: Annotated[str, typer.Option(help="inbox (to your agency) or sent (status only).")] = "inbox",
    today: Annotated[bool, typer.Option("--today", help="Only today's referrals, decrypted (needs --keyring).")]
    = False,
    keyring: Annotated[Path | None, typer.Option(envvar="ZKAID_REFERRAL_KEYRING", help="Desk keyring.")] = None,
    anchor: Annotated[str | None, typer.Option(envvar="ZKAID_TRUST_ANCHOR", help="Trust anchor (type labels).")]
    = None,
) -> None:
    """List referrals: statuses, or today's inbox decrypted on this desk."""
    if today:
        if keyring is None:
            raise _fail("--today decrypts on this desk: give --keyring")
        desk = _desk(service_url, api_key, keyring, anchor)
        items = desk.today(int(time.time()))
        for r in items:
            typer.echo(r.line(desk.trust_list))
        typer.echo(f"{len(items)} referral(s) today")
        return
    for i in _client(service_url, api_key).referrals(box=box):
        typer.echo(f"{i['referral_id']}  {i['from_agency']} -> {i['to_agency']}  [{i['status']}]  "
                   f"sent {i['submitted_at']}  expires {i['expires_at']}")


@referral_app.command("show")
def show(
    referral_id: Annotated[str, typer.Argument(help="Referral id (32 hex).")],
    service_url: ServiceUrl, api_key: ApiKey,
    keyring: Annotated[Path | None, typer.Option(envvar="ZKAID_REFERRAL_KEYRING", help="Desk keyring (B).")] = None,
) -> None:
    """Status (both agencies); with --keyring at the receiving desk, the decrypted content."""
    client = _client(service_url, api_key)
    info = client.referral(referral_id)
    typer.echo(json.dumps(info, indent=1))
    if keyring is not None:
        desk = _desk(service_url, api_key, keyring, None)
        r = desk._open(info, int(time.time()))
        typer.echo(r.line())


@referral_app.command("update")
def update(
    referral_id: Annotated[str, typer.Argument(help="Referral id (32 hex).")],
    status: Annotated[str, typer.Option(help="received, accepted, declined or completed.")],
    service_url: ServiceUrl, api_key: ApiKey,
) -> None:
    """Record what happened to a referral (receiving agency)."""
    if status not in ("received", "accepted", "declined", "completed"):
        raise _fail("--status is received, accepted, declined or completed")
    out = _client(service_url, api_key).referral_status(referral_id, status)
    typer.echo(f"{referral_id}: {out['status']}")


@referral_app.command("withdraw")
def withdraw_cmd(
    folder: Annotated[Path, typer.Option("--dir", help="Wallet folder.")],
    pin: Annotated[str, typer.Option(envvar="ZKAID_WALLET_PIN", prompt=True, hide_input=True)],
    referral_id: Annotated[str, typer.Option("--id", help="The referral to withdraw (from the history).")],
) -> None:
    """The person withdraws consent: the receiving agency's copy is deleted."""
    from wallet_app.config import WalletConfig
    from wallet_app.referrals import WalletReferrals
    from wallet_app.service import WalletService

    w = WalletService(WalletConfig.from_file(folder / "wallet.json", data_dir=folder))
    w.unlock(pin)
    rec = WalletReferrals(w).withdraw(referral_id)
    typer.echo(f"{rec.referral_id}: {rec.status}")
