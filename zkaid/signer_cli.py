"""``zkaid signer``: the agency's own issuer key and blind-signing server (docs/operations.md §13).

    zkaid signer init   --dir D --name "Agency A registration" [--schema REF | --schema-file F]
                        [--kek-file F | --passphrase-file F | (typed)]
    zkaid signer serve  --dir D --service-key HEX [--registrar-key HEX] [--max-per-hour N]
    zkaid signer journal --dir D                 (count what the key signed; check the chain)
    zkaid signer registrar-key --out F           (an Ed25519 key for the agency's registrar)
    zkaid signer approve --registrar-key F --kid HEX --values JSON   (one approval, base64)

Runs on the agency's machine; the shared service never sees the secret key.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

signer_app = typer.Typer(help="The agency's own issuer key and signing server (the operator never holds it).",
                         no_args_is_help=True)

SignerDir = Annotated[Path, typer.Option("--dir", help="Signer folder (key file and journal).")]
KekFile = Annotated[Path | None, typer.Option("--kek-file", help="Seal/open the key with this key-encryption "
                                                                  "key file (made, 0600, if missing at init).")]
PassFile = Annotated[Path | None, typer.Option("--passphrase-file", help="Read the passphrase from this file "
                                                                          "(else $ZKAID_SIGNER_PASSPHRASE, else asked).")]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _passphrase(pass_file: Path | None, *, confirm: bool) -> str:
    if pass_file is not None:
        try:
            return pass_file.read_text("utf-8").rstrip("\n")
        except OSError as exc:
            raise _fail(f"cannot read the passphrase file: {exc}") from None
    env = os.environ.get("ZKAID_SIGNER_PASSPHRASE")
    if env:
        return env
    return str(typer.prompt("Signer key passphrase", hide_input=True, confirmation_prompt=confirm))


@signer_app.command("init")
def init(
    name: Annotated[str, typer.Option(help="Issuer name people see, e.g. 'Agency A registration'.")],
    folder: SignerDir = Path("zkaid-signer"),
    schema: Annotated[list[str] | None, typer.Option(help="A shipped schema, id@version (repeatable; "
                                                          "default household @2 and @1).")] = None,
    schema_file: Annotated[list[Path] | None, typer.Option(help="A schema definition JSON file (repeatable).")] = None,
    nym_count: Annotated[int, typer.Option(help="N, the number of nym secrets.")] = 1,
    range_params: Annotated[bool, typer.Option("--range-params/--no-range-params",
                                               help="Publish range parameters (predicates).")] = True,
    kek_file: KekFile = None, passphrase_file: PassFile = None,
) -> None:
    """Generate the agency's BBS issuer key here and seal it (0600) with the agency's passphrase or KEK file."""
    from appkit.files import atomic_write
    from sdk.credential import Schema, household_schema
    from sdk.errors import ZkaidError
    from verifier_service.services.keys import MAX_NYM_COUNT
    from verifier_service.services.sealing import generate_kek_file
    from verifier_service.signer.keystore import SignerKeyError, create_key_file

    schemas: list[Schema] = []
    try:
        for ref in schema or []:
            sid, _, ver = ref.rpartition("@")
            if sid != household_schema().id or not ver.isdigit():
                raise _fail(f"{ref!r} is not a shipped schema: give its definition with --schema-file")
            schemas.append(household_schema(int(ver)))
        for path in schema_file or []:
            schemas.append(Schema.from_json(path.read_text("utf-8")))
    except (OSError, ZkaidError) as exc:
        raise _fail(f"cannot read the schema: {exc}") from None
    schemas = schemas or [household_schema(2), household_schema(1)]  # like the service's own keys
    if not 1 <= nym_count <= MAX_NYM_COUNT:
        raise _fail(f"--nym-count is 1..{MAX_NYM_COUNT}")
    passphrase = None
    if kek_file is not None:
        if not kek_file.exists():
            generate_kek_file(kek_file)
            typer.echo(f"new key-encryption key written to {kek_file} (0600): back it up apart from {folder}")
    else:
        passphrase = _passphrase(passphrase_file, confirm=True)
    from sdk.credential import IssuerKey

    typer.echo("generating the issuer key (range parameters take a few seconds)...")
    from sdk.predicates import DEFAULT_U

    key = IssuerKey.generate(name.strip(), schemas=tuple(s.ref for s in schemas), nym_count=nym_count,
                             range_u=DEFAULT_U if range_params else None)
    try:
        path = create_key_file(folder, key, schemas, passphrase=passphrase, kek_file=kek_file, write=atomic_write)
    except SignerKeyError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"issuer key {key.kid.hex()} sealed in {path}")
    typer.echo("next: get the service's signer-client key from the operator (`zkaid issuer-key service-key`), "
               f"run `zkaid signer serve --dir {folder} --service-key <hex>`, and register the signer "
               "(`zkaid issuer-key add-remote` or POST /v1/admin/issuer-keys/remote)")


def _hex_keys(values: list[str], what: str) -> frozenset[bytes]:
    out = set()
    for v in values:
        for part in v.split(","):
            try:
                raw = bytes.fromhex(part.strip())
            except ValueError:
                raise _fail(f"{what} {part[:20]!r} is not hex") from None
            if len(raw) != 32:
                raise _fail(f"{what} is a 32-byte Ed25519 public key (64 hex digits)")
            out.add(raw)
    return frozenset(out)


def open_signer(folder: Path, *, kek_file: Path | None, passphrase_file: Path | None, service_keys: list[str],
                registrar_keys: list[str], max_per_hour: int) -> Any:
    """The signer's configuration (key opened, journal checked)."""
    from verifier_service.signer.app import SignerConfig
    from verifier_service.signer.journal import JOURNAL_FILE, Journal, JournalError
    from verifier_service.signer.keystore import SignerKeyError, open_key_file

    trusted = _hex_keys(service_keys, "--service-key")
    if not trusted:
        raise _fail("give the service's signer-client key with --service-key (the operator prints it with "
                    "`zkaid issuer-key service-key`); a signer that trusts no caller would sign for nobody")
    passphrase = None if kek_file is not None else _passphrase(passphrase_file, confirm=False)
    try:
        key = open_key_file(folder, passphrase=passphrase, kek_file=kek_file)
        journal = Journal(folder / JOURNAL_FILE)
    except (SignerKeyError, JournalError) as exc:
        raise _fail(str(exc)) from None
    return SignerConfig(key, journal, trusted, _hex_keys(registrar_keys, "--registrar-key"), max_per_hour)


@signer_app.command("serve")
def serve(
    folder: SignerDir = Path("zkaid-signer"),
    service_key: Annotated[list[str] | None, typer.Option(
        envvar="ZKAID_SIGNER_SERVICE_KEYS", help="Hex public key of the service allowed to call (repeatable).")] = None,
    registrar_key: Annotated[list[str] | None, typer.Option(
        help="Hex public key of an agency registrar: with one, every card needs a registrar approval.")] = None,
    max_per_hour: Annotated[int, typer.Option(min=1, help="Cards signed per rolling hour at most.")] = 600,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8700,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="Serve HTTPS with this certificate (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="The certificate's private key (PEM).")] = None,
    kek_file: KekFile = None, passphrase_file: PassFile = None,
) -> None:
    """Run the blind-signing server for this agency's key (FastAPI + uvicorn)."""
    import uvicorn

    from verifier_service.signer.app import create_signer_app

    if (tls_cert is None) != (tls_key is None):
        raise _fail("give both --tls-cert and --tls-key")
    cfg = open_signer(folder, kek_file=kek_file, passphrase_file=passphrase_file, service_keys=service_key or [],
                      registrar_keys=registrar_key or [], max_per_hour=max_per_hour)
    tls: dict[str, Any] = {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)} if tls_cert else {}
    typer.echo(f"zkaid signer for key {cfg.key.key.kid.hex()} on {'https' if tls else 'http'}://{host}:{port}; "
               f"journal {cfg.journal.path} ({cfg.journal.size} entries); "
               f"{'registrar approval required' if cfg.registrar_keys else f'at most {max_per_hour} cards an hour'}")
    uvicorn.run(create_signer_app(cfg), host=host, port=port, log_level="warning", **tls)


@signer_app.command("journal")
def journal(folder: SignerDir = Path("zkaid-signer"),
            as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False) -> None:
    """Count what this key signed (per day, per schema) and check the journal's chain."""
    from verifier_service.signer.journal import JOURNAL_FILE, JournalError, read_journal, summarise

    try:
        entries, head = read_journal(folder / JOURNAL_FILE)
    except JournalError as exc:
        raise _fail(f"the journal is damaged: {exc}") from None
    s = summarise(entries, head)
    if as_json:
        typer.echo(json.dumps(s.__dict__, indent=1))
        return
    typer.echo(f"{s.entries} cards signed ({s.reissues} re-issues); chain intact; head {s.head}")
    for day, n in s.per_day.items():
        typer.echo(f"  {day}  {n}")
    for ref, n in s.per_schema.items():
        typer.echo(f"  {ref}: {n}")


@signer_app.command("registrar-key")
def registrar_key(out: Annotated[Path, typer.Option("--out", help="PEM file to write (0600; never replaced).")]) -> None:
    """A registrar approval key: the registrar keeps it, the signer gets its public key (--registrar-key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from verifier_service.signer.protocol import public_bytes

    if out.exists():
        raise _fail(f"{out} exists already")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    typer.echo(f"registrar key written to {out}; its public key (for `zkaid signer serve --registrar-key`): "
               f"{public_bytes(key).hex()}")


@signer_app.command("approve")
def approve(
    registrar_key: Annotated[Path, typer.Option(help="The registrar's PEM key.")],
    kid: Annotated[str, typer.Option(help="The agency's issuer key id (hex).")],
    values: Annotated[str, typer.Option(help="Attribute values as JSON, or @file.json (as sent in the offer).")],
    schema: Annotated[str, typer.Option(help="Schema as id@version.")] = "org.zkaid.household@1",
    schema_file: Annotated[Path | None, typer.Option(help="Its definition, if not a shipped schema.")] = None,
    ttl: Annotated[int, typer.Option(help="Seconds the approval stays valid.")] = 86_400,
) -> None:
    """Print the registrar's approval (base64) for one offer's values: the `approval` of POST /v1/offers."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from sdk.credential import Schema, household_schema
    from sdk.errors import ZkaidError
    from verifier_service.signer.protocol import make_approval

    try:
        key = serialization.load_pem_private_key(registrar_key.read_bytes(), password=None)
        text = Path(values[1:]).read_text("utf-8") if values.startswith("@") else values
        vals = json.loads(text)
        sch = (Schema.from_json(schema_file.read_text("utf-8")) if schema_file is not None
               else household_schema(int(schema.rpartition("@")[2])))
        if sch.ref != schema:
            raise _fail(f"the schema definition is {sch.ref}, not {schema}")
        if not isinstance(key, Ed25519PrivateKey):
            raise _fail("the registrar key is not an Ed25519 key")
        data = make_approval(key, issuer_kid=bytes.fromhex(kid), schema=sch, values=vals,
                             expires=int(time.time()) + ttl)
    except (OSError, ValueError, ZkaidError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(base64.b64encode(data).decode())
