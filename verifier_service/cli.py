"""Operator commands of the agency service (typer), mounted under ``zkaid``:

    zkaid serve [--host --port --data-dir --database-url --dev]
    zkaid init | migrate
    zkaid kek create --out FILE
    zkaid agency create ID NAME
    zkaid api-key create --agency ID --role ROLE [--device ID]
    zkaid device create --agency ID --device-id ID [--verifier-key HEX]
    zkaid scope create SCOPE --agency ID
    zkaid issuer-key create|list|rotate|add-remote|service-key
    zkaid trust-list keygen|sign|show|export

Every command reads the same settings as the service (``ZKAID_*`` variables,
``DATABASE_URL``), and the common options override them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from verifier_service.settings import Settings

__all__ = ["app", "register"]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(help="zkaid agency service: issuance, trust list and the shared registry.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
agency_app = typer.Typer(help="Agencies.", no_args_is_help=True)
key_app = typer.Typer(help="API keys (shown once, stored hashed).", no_args_is_help=True)
device_app = typer.Typer(help="Field devices.", no_args_is_help=True)
scope_app = typer.Typer(help="Deduplication scopes (programme rounds).", no_args_is_help=True)
issuer_app = typer.Typer(help="BBS issuer keys (generated here, sealed with the KEK).", no_args_is_help=True)
tl_app = typer.Typer(help="The signed trust list.", no_args_is_help=True)
kek_app = typer.Typer(help="The key-encryption key.", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (default: $ZKAID_DATA_DIR or ./zkaid-data).")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL or SQLite in the data folder).")]
Dev = Annotated[bool, typer.Option("--dev", help="Development mode: generate a KEK and a trust-list key in the data folder.")]


def _settings(data_dir: Path | None, database_url: str | None, dev: bool, **more: Any) -> Settings:
    kw: dict[str, Any] = {k: v for k, v in more.items() if v is not None}
    if data_dir is not None:
        kw["data_dir"] = data_dir
    if database_url is not None:
        kw["database_url"] = database_url
    if dev:
        kw["dev"] = True
    return Settings(**kw)


@contextmanager
def _fail_cleanly() -> Iterator[None]:
    from sdk.errors import ZkaidError
    from verifier_service.runtime import ConfigurationError
    from verifier_service.services.errors import DomainError

    try:
        yield
    except (ConfigurationError, DomainError, ZkaidError, ValueError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def _bootstrap(settings: Settings) -> Iterator[Any]:
    from verifier_service.bootstrap import Bootstrap

    with _fail_cleanly(), Bootstrap(settings) as b:
        yield b


def _when(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------- serve

@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (stateless; share the database).")] = 1,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="The certificate's private key (PEM).")] = None,
    allow_plain_http: Annotated[bool, typer.Option(
        "--allow-plain-http", help="Plain HTTP on a public address (TLS ends at a reverse proxy in front).")] = False,
    http: Annotated[str, typer.Option(
        "--http", help="HTTP parser: auto (httptools when installed, else h11), httptools or h11.")] = "auto",
    loop: Annotated[str, typer.Option(
        "--loop", help="Event loop: auto (uvloop when installed, else asyncio), uvloop or asyncio.")] = "auto",
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Run the service with uvicorn (SQLite in the data folder unless DATABASE_URL is set)."""
    import os

    import uvicorn

    from verifier_service.app import create_app
    from verifier_service.bootstrap import install_log_redaction

    s = _settings(data_dir, database_url, dev, host=host, port=port,
                  allow_plain_http=True if allow_plain_http else None)
    if (tls_cert is None) != (tls_key is None):
        typer.echo("error: give both --tls-cert and --tls-key", err=True)
        raise typer.Exit(2)
    for what, path in (("certificate", tls_cert), ("key", tls_key)):
        if path is not None and not path.is_file():
            typer.echo(f"error: the TLS {what} file {path} does not exist", err=True)
            raise typer.Exit(2)
    _check_listen(s, tls=tls_cert is not None)
    stack = server_stack(http, loop)
    tls: dict[str, Any] = {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)} if tls_cert else {}
    with _fail_cleanly():
        application = create_app(s)  # checks the configuration, migrates, creates dev keys once
    install_log_redaction()
    typer.echo(f"zkaid service on {'https' if tls else 'http'}://{s.host}:{s.port} (docs at /docs), database "
               f"{s.effective_database_url.split('://')[0]}, {workers} worker(s), {stack['http']} + {stack['loop']}")
    if workers == 1:
        uvicorn.run(application, host=s.host, port=s.port, log_level=s.log_level, proxy_headers=True, **stack, **tls)
        return
    application.state.runtime.close()
    # Worker processes build their app from the environment: hand the options over.
    os.environ["ZKAID_DATA_DIR"] = str(s.data_dir.resolve())
    if s.database_url:
        os.environ["DATABASE_URL"] = s.database_url
    if s.dev:
        os.environ["ZKAID_DEV"] = "1"
    uvicorn.run("verifier_service.app:create_app", factory=True, host=s.host, port=s.port, workers=workers,
                log_level=s.log_level, proxy_headers=True, **stack, **tls)


_FAST = {"http": ("httptools", "h11"), "loop": ("uvloop", "asyncio")}


def server_stack(http: str = "auto", loop: str = "auto") -> dict[str, Any]:
    """uvicorn's ``http`` and ``loop``: httptools and uvloop (``uvicorn[standard]``) when they
    import (less CPU per request than h11 and asyncio: ``bench/service.py --stack``); else the
    pure-Python pair, with one warning each. An explicit choice that cannot be imported is an
    error."""
    import importlib.util

    chosen: dict[str, Any] = {}
    for what, value in (("http", http), ("loop", loop)):
        fast, plain = _FAST[what]
        if value not in ("auto", fast, plain):
            typer.echo(f"error: --{what} is auto, {fast} or {plain}", err=True)
            raise typer.Exit(2)
        available = importlib.util.find_spec(fast) is not None
        if value == fast and not available:
            typer.echo(f"error: --{what} {fast}: the package {fast} is not installed "
                       "(pip install 'uvicorn[standard]')", err=True)
            raise typer.Exit(2)
        if value == "auto":
            value = fast if available else plain
            if not available:
                logging.getLogger("zkaid.service").warning(
                    "%s is not installed: serving with %s, which costs more CPU per request "
                    "(pip install 'uvicorn[standard]')", fast, plain)
        chosen[what] = value
    return chosen


def _check_listen(s: Settings, *, tls: bool) -> None:
    """API keys and offer tokens travel in every request: a public address needs TLS (here or
    at a proxy in front). Loopback is fine; dev mode only warns, loudly."""
    import ipaddress

    try:
        loopback = ipaddress.ip_address(s.host).is_loopback
    except ValueError:
        loopback = s.host == "localhost"
    if loopback or tls or s.allow_plain_http:
        return
    msg = (f"listening on {s.host} over plain HTTP: API keys and offer tokens would cross the network "
           "in clear. Give --tls-cert/--tls-key, or put a TLS reverse proxy in front and pass "
           "--allow-plain-http (ZKAID_ALLOW_PLAIN_HTTP=1)")
    if s.dev:
        typer.secho(f"WARNING: {msg}", err=True, fg=typer.colors.RED, bold=True)
        return
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@app.command()
def init(
    agency_id: Annotated[str, typer.Option("--agency-id", help="Id of the registry operator agency.")] = "operator",
    agency_name: Annotated[str, typer.Option("--agency-name", help="Its display name.")] = "Registry operator",
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Create the schema, the first (operator) agency and its admin key (printed once)."""
    s = _settings(data_dir, database_url, dev, auto_migrate=True)  # init always migrates
    with _bootstrap(s) as b:
        from verifier_service.services.agencies import list_agencies

        with b.rt.store.read() as sess:
            existing = list_agencies(sess)
        if existing:
            typer.echo(f"already initialised ({len(existing)} agencies); nothing to do")
            return
        b.create_agency(agency_id, agency_name, operator=True)
        key = b.create_api_key(agency_id, "admin", label="first admin key")
        typer.echo(f"database ready: {s.effective_database_url.split('://')[0]}")
        typer.echo(f"agency '{agency_id}' created (registry operator)")
        typer.echo(f"admin API key (shown once, store it now): {key}")
        if b.rt.signing_key is not None:
            info = b.rt.resign(force=True)
            assert info is not None
            typer.echo(f"trust list #{info.sequence} signed; trust anchor: {info.anchor}")


@app.command()
def migrate(data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False) -> None:
    """Apply database migrations and exit (for deployments with ZKAID_AUTO_MIGRATE=false)."""
    with _bootstrap(_settings(data_dir, database_url, dev, auto_migrate=True)):
        typer.echo("database schema is up to date")


@kek_app.command("create")
def kek_create(out: Annotated[Path, typer.Option("--out", help="File to write (mode 0600; never overwritten).")]) -> None:
    """Generate a key-encryption key file for ZKAID_KEK_FILE. Back it up apart from the database."""
    from verifier_service.services.sealing import generate_kek_file

    try:
        generate_kek_file(out)
    except FileExistsError:
        typer.echo(f"error: {out} exists already", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"key-encryption key written to {out}; set ZKAID_KEK_FILE={out}")


# ------------------------------------------------------------------------ agencies

@agency_app.command("create")
def agency_create(
    agency_id: Annotated[str, typer.Argument(help="Short id, e.g. agency-b.")],
    name: Annotated[str, typer.Argument(help="Display name.")],
    operator: Annotated[bool, typer.Option(help="Registry operator (may add agencies).")] = False,
    admin_key: Annotated[bool, typer.Option("--admin-key/--no-admin-key", help="Also create its admin key.")] = True,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Add an agency (and print its first admin key once)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        b.create_agency(agency_id, name, operator=operator)
        typer.echo(f"agency '{agency_id}' created")
        if admin_key:
            typer.echo(f"admin API key (shown once): {b.create_api_key(agency_id, 'admin', label='first admin key')}")


@key_app.command("create")
def api_key_create(
    agency: Annotated[str, typer.Option(help="Agency id.")],
    role: Annotated[str, typer.Option(help="admin, registrar, field_device or auditor.")],
    device: Annotated[str | None, typer.Option(help="Device id (field_device keys).")] = None,
    label: Annotated[str | None, typer.Option(help="A note to recognise the key by.")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Create an API key and print it once."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        key = b.create_api_key(agency, role, device_id=device, label=label)
        typer.echo(f"{role} API key for {agency} (shown once): {key}")


@device_app.command("create")
def device_create(
    agency: Annotated[str, typer.Option(help="Agency id.")],
    device_id: Annotated[str, typer.Option("--device-id", help="Device id, e.g. desk-3.")],
    name: Annotated[str | None, typer.Option(help="Name wallets show for its signed requests.")] = None,
    verifier_key: Annotated[str | None, typer.Option("--verifier-key", help="The device's Ed25519 public key (hex).")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Register a field device (and its request-signing key for the trust list)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        pk = bytes.fromhex(verifier_key) if verifier_key else None
        kid = b.register_device(agency, device_id, name=name, verifier_public_key=pk)
        typer.echo(f"device '{device_id}' registered" + (f"; verifier key {kid}" if kid else ""))


@device_app.command("revoke")
def device_revoke(
    agency: Annotated[str, typer.Option(help="Agency id.")],
    device_id: Annotated[str, typer.Option("--device-id", help="The lost or stolen device.")],
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Retire a device: its API keys stop working and its signing keys leave the trust list."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        b.revoke_device(agency, device_id)
        typer.echo(f"device '{device_id}' revoked")


@scope_app.command("create")
def scope_create(
    scope: Annotated[str, typer.Argument(help="e.g. cva/2026-12/round-1 (exact string, shared by all agencies).")],
    agency: Annotated[str, typer.Option(help="Agency creating it.")],
    description: Annotated[str, typer.Option(help="What round this is (no personal data).")] = "",
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Create a deduplication scope."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        b.create_scope(scope, agency=agency, description=description)
        typer.echo(f"scope '{scope}' created")


# --------------------------------------------------------------------- issuer keys

@issuer_app.command("create")
def issuer_key_create(
    agency: Annotated[str, typer.Option(help="Agency id.")],
    name: Annotated[str, typer.Option(help="Issuer name shown to people, e.g. 'Agency A registration'.")],
    schema: Annotated[list[str] | None, typer.Option(help="Schema reference id@version (repeatable).")] = None,
    nym_count: Annotated[int, typer.Option(help="N, the number of nym secrets.")] = 1,
    range_params: Annotated[bool, typer.Option("--range-params/--no-range-params")] = True,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Generate an issuer key; its secret part is sealed with the KEK."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        kid = b.create_issuer_key(agency, name, schemas=schema or None, nym_count=nym_count,
                                  range_params=range_params)
        typer.echo(f"issuer key {kid} created for {agency}")


@issuer_app.command("add-remote")
def issuer_key_add_remote(
    agency: Annotated[str, typer.Option(help="Agency id.")],
    signer_url: Annotated[str, typer.Option(help="The agency's `zkaid signer serve` address, as this host reaches it.")],
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Register the key an agency's own signer holds: issuance for it is forwarded there (no secret here)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        kid = b.add_remote_issuer_key(agency, signer_url)
        typer.echo(f"issuer key {kid} of {agency} registered; its signer at {signer_url} signs every card")


@issuer_app.command("service-key")
def issuer_key_service_key(data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False) -> None:
    """Print the public key this service signs its requests to agency signers with."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        typer.echo(b.signer_client_key().hex())


@issuer_app.command("list")
def issuer_key_list(
    agency: Annotated[str | None, typer.Option(help="Only this agency.")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Issuer keys with their status (active, retired, pending, expired)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        found = b.issuer_keys(agency)
        if not found:
            typer.echo("no issuer keys")
        for k in found:
            typer.echo(f"{k.kid}  {k.status:8}  {k.agency:16}  {', '.join(k.schemas)}  "
                       f"valid {_when(k.not_before)} .. {_when(k.not_after)}  {k.name}")


@issuer_app.command("rotate")
def issuer_key_rotate(
    kid: Annotated[str, typer.Argument(help="The key to replace.")],
    agency: Annotated[str, typer.Option(help="Its agency.")],
    old_not_after: Annotated[int | None, typer.Option(help="Shorten the old key's validity to this Unix time.")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Replace a key for new issuance; the old key stays valid for verification until its end."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        new = b.rotate_issuer_key(agency, kid, old_not_after=old_not_after)
        typer.echo(f"issuer key {new} now issues for {agency}; {kid} is retired (verifies until its end date)")


# ----------------------------------------------------------------------- trust list

@tl_app.command("keygen")
def tl_keygen(out: Annotated[Path, typer.Option("--out", help="PEM file to write (mode 0600).")]) -> None:
    """Generate the trust-list authority's Ed25519 key; prints the anchor to distribute."""
    from verifier_service.services import trust_list as tl_service

    try:
        key = tl_service.generate_signing_key(out)
    except FileExistsError:
        typer.echo(f"error: {out} exists already", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"trust-list key written to {out}")
    typer.echo(f"trust anchor (pin in every app): {tl_service.public_key_of(key).hex()}")


@tl_app.command("sign")
def tl_sign(
    key_file: Annotated[Path | None, typer.Option("--key-file", help="The trust-list key (PEM or base64).")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Build the list from the registry's keys and schemas, sign it and store it."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        if key_file is None and b.rt.signing_key is None:
            typer.echo("error: no trust-list key: give --key-file (the authority's key) or run with --dev", err=True)
            raise typer.Exit(2)
        info = b.sign_trust_list(key_file=key_file)
        typer.echo(f"trust list #{info.sequence} signed: {info.issuers} issuers, {info.verifiers} verifiers, "
                   f"{info.schemas} schemas, {info.size} bytes; fresh until {_when(info.next_update)}")
        typer.echo(f"trust anchor: {info.anchor}")


@tl_app.command("build")
def tl_build(
    out: Annotated[Path, typer.Option("--out", help="Where to write the unsigned payload (CBOR).")],
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Write the next list, unsigned, for the authority to sign offline (`sign-offline`)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        data = b.build_trust_list()
    out.write_bytes(data)
    typer.echo(f"unsigned trust list payload ({len(data)} bytes) written to {out}")


@tl_app.command("sign-offline")
def tl_sign_offline(
    payload: Annotated[Path, typer.Option("--payload", help="The payload from `trust-list build`.")],
    key_file: Annotated[Path, typer.Option("--key-file", help="The trust-list key (PEM or base64).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the signed list.")],
) -> None:
    """Sign a payload on the authority's offline machine: no database, no KEK, no network."""
    from sdk.trust import sign_trust_list
    from sdk.wire import TrustListPayload, decode
    from verifier_service.services import trust_list as tl_service

    with _fail_cleanly():
        p = decode(payload.read_bytes(), TrustListPayload)
        key = tl_service.load_signing_key(key_file)
        signed = sign_trust_list(p, key)
    out.write_bytes(signed)
    typer.echo(f"trust list #{p.sequence} signed ({len(signed)} bytes) -> {out}; "
               f"anchor {tl_service.public_key_of(key).hex()}")


@tl_app.command("import")
def tl_import(
    signed: Annotated[Path, typer.Argument(help="The signed list from `sign-offline`.")],
    anchor: Annotated[str | None, typer.Option(help="The authority's public key (hex); default: "
                                                    "ZKAID_TRUST_ANCHOR, else the signer of the stored list.")] = None,
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Store a list signed offline, after checking its signature and that it is newer."""
    s = _settings(data_dir, database_url, dev)
    with _bootstrap(s) as b:
        pinned = anchor or s.trust_anchor
        key = bytes.fromhex(pinned) if pinned else b.trust_anchor()
        if key is None:
            typer.echo("error: give --anchor (the authority's public key) for the first list", err=True)
            raise typer.Exit(2)
        info = b.import_trust_list(signed.read_bytes(), key)
    typer.echo(f"trust list #{info.sequence} imported: {info.issuers} issuers, {info.verifiers} verifiers")


@tl_app.command("show")
def tl_show(data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False) -> None:
    """The latest signed list: sequence, dates, entries, anchor."""
    from sdk.trust import TrustAnchor, load_trust_list

    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        data, anchor = b.trust_list(), b.trust_anchor()
        if data is None or anchor is None:
            typer.echo("no trust list has been signed yet")
            raise typer.Exit(1)
        tl = load_trust_list(data, [TrustAnchor(anchor)])
        p = tl.payload
        typer.echo(f"trust list #{p.sequence}: issued {_when(p.issued_at)}, fresh until {_when(p.next_update)}, "
                   f"grace {p.grace // 3600} h, {len(data)} bytes")
        typer.echo(f"trust anchor: {anchor.hex()}")
        for i in p.issuers:
            typer.echo(f"  issuer   {i.kid.hex()}  {i.name}  N={i.nym_count}  {', '.join(i.schemas)}  "
                       f"{_when(i.not_before)} .. {_when(i.not_after)}"
                       + ("  range" if i.range_params else ""))
        for v in p.verifiers:
            typer.echo(f"  verifier {v.kid.hex()}  {v.name}  {_when(v.not_before)} .. {_when(v.not_after)}")
        for sc in p.schemas:
            typer.echo(f"  schema   {sc.id}@{sc.version}  ({len(sc.attributes)} attributes)")


@tl_app.command("export")
def tl_export(
    out: Annotated[Path, typer.Option("--out", help="Where to write the signed list (CBOR).")],
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Write the latest signed list to a file (to ship with an app or carry offline)."""
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        data = b.trust_list()
        if data is None:
            typer.echo("no trust list has been signed yet")
            raise typer.Exit(1)
        out.write_bytes(data)
        typer.echo(f"{len(data)} bytes written to {out}")


_GROUPS = (
    (agency_app, "agency"), (key_app, "api-key"), (device_app, "device"), (scope_app, "scope"),
    (issuer_app, "issuer-key"), (tl_app, "trust-list"), (kek_app, "kek"),
)
for _sub, _name in _GROUPS:
    app.add_typer(_sub, name=_name)


def register(parent: typer.Typer) -> None:
    """Mount these commands on another typer app (the ``zkaid`` command)."""
    for cmd in app.registered_commands:
        parent.registered_commands.append(cmd)
    for sub, name in _GROUPS:
        parent.add_typer(sub, name=name)


if __name__ == "__main__":  # pragma: no cover
    app()
