"""In-process set-up for the pilot, tests and benchmarks (the same operations as the CLI).

    with Bootstrap(settings) as b:
        b.create_agency("agency-a", "Agency A", operator=True)
        admin = b.create_api_key("agency-a", "admin")
        kid = b.create_issuer_key("agency-a", "Agency A registration")
        b.create_scope("cva/2026-12/round-1", agency="agency-a")
        b.register_device("agency-a", "desk-3", verifier_public_key=pk)
        b.sign_trust_list()           # with the service's key (dev mode) or key_file=...
    base_url, stop = run_in_thread(settings)
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sdk.credential import IssuerKey, household_schema
from verifier_service.runtime import Clock, Runtime
from verifier_service.services import agencies, keys, registry
from verifier_service.services import trust_list as tl_service
from verifier_service.services.keys import IssuerKeyInfo
from verifier_service.settings import Settings

__all__ = ["Bootstrap", "RedactOfferCodes", "install_log_redaction", "run_in_thread"]

ACTOR = "bootstrap"


class Bootstrap:
    """Administrative operations straight on the database (no HTTP, no API key)."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, runtime: Runtime | None = None) -> None:
        self._owned = runtime is None
        self.rt = runtime or Runtime.open(settings, clock=clock)

    def __enter__(self) -> Bootstrap:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.rt.close()

    # -- agencies and keys --------------------------------------------------------
    def create_agency(self, agency_id: str, name: str, *, operator: bool = False) -> None:
        with self.rt.store.write() as s:
            agencies.create_agency(s, now=self.rt.now(), agency_id=agency_id, name=name, operator=operator,
                                   actor=ACTOR)

    def create_api_key(self, agency_id: str, role: str, *, device_id: str | None = None,
                       label: str | None = None) -> str:
        """A new API key (the only time it is visible)."""
        with self.rt.store.write() as s:
            _info, key = agencies.create_api_key(s, now=self.rt.now(), agency=agency_id, role=role,
                                                 device_id=device_id, label=label, actor=ACTOR)
        return key

    def register_device(self, agency_id: str, device_id: str, *, name: str | None = None,
                        verifier_public_key: bytes | None = None) -> str | None:
        """Register a field device; with its Ed25519 public key, also as a verifier key
        (returns its kid hex). Re-signs the trust list when the service holds the key."""
        kid = None
        with self.rt.store.write() as s:
            d = agencies.register_device(s, now=self.rt.now(), agency=agency_id, device_id=device_id, name=name,
                                         actor=ACTOR)
            if verifier_public_key is not None:
                kid = keys.register_verifier_key(
                    s, now=self.rt.now(), agency=agency_id, name=d.name, public_key=verifier_public_key,
                    device_id=device_id, not_before=None, not_after=None,
                    lifetime=self.rt.settings.verifier_key_lifetime, actor=ACTOR).kid
        if kid:
            self.rt.resign(force=True, actor=ACTOR)
        return kid

    def revoke_device(self, agency_id: str, device_id: str) -> None:
        """Retire a device: its API keys stop working, its verifier keys leave the trust list."""
        with self.rt.store.write() as s:
            removed = agencies.revoke_device(s, now=self.rt.now(), agency=agency_id, device_id=device_id, actor=ACTOR)
        if removed:
            self.rt.resign(force=True, actor=ACTOR)

    def register_verifier_key(self, agency_id: str, name: str, public_key: bytes, *,
                              device_id: str | None = None) -> str:
        with self.rt.store.write() as s:
            kid = keys.register_verifier_key(
                s, now=self.rt.now(), agency=agency_id, name=name, public_key=public_key, device_id=device_id,
                not_before=None, not_after=None, lifetime=self.rt.settings.verifier_key_lifetime, actor=ACTOR).kid
        self.rt.resign(force=True, actor=ACTOR)
        return kid

    def create_issuer_key(self, agency_id: str, name: str, *, schemas: Sequence[str] | None = None,
                          nym_count: int = 1, range_params: bool | None = None,
                          not_before: int | None = None, not_after: int | None = None,
                          key: IssuerKey | None = None) -> str:
        """Generate an issuer key (secret sealed with the KEK), or import ``key``; returns
        its kid hex."""
        # default: household@2 first (cards that can be revoked one by one, issue 13), and @1
        # still accepted for rounds configured for it
        refs = list(schemas) if schemas is not None else [household_schema(2).ref, household_schema(1).ref]
        if key is None:
            key = keys.generate_issuer_key(name, refs, nym_count=nym_count,
                                           range_params=self.rt.settings.range_params if range_params is None
                                           else range_params)
        with self.rt.store.write() as s:
            info = keys.store_issuer_key(s, self.rt.keyring, key, now=self.rt.now(), agency=agency_id,
                                         not_before=not_before, not_after=not_after,
                                         lifetime=self.rt.settings.issuer_key_lifetime, actor=ACTOR)
        self.rt.resign(force=True, actor=ACTOR)
        return info.kid

    def signer_client_key(self) -> bytes:
        """The public key this service signs its requests to agency signers with."""
        from verifier_service.services import remote_signer
        from verifier_service.signer.protocol import public_bytes

        with self.rt.store.write() as s:
            return public_bytes(remote_signer.client_key(s, self.rt.keyring))

    def add_remote_issuer_key(self, agency_id: str, signer_url: str) -> str:
        """Register the key an agency's own signer holds (fetched and proven over HTTP);
        returns its kid hex. No secret reaches the service."""
        from verifier_service.services import remote_signer

        with self.rt.store.write() as s:
            client = remote_signer.client_key(s, self.rt.keyring)
        offer = remote_signer.fetch_info(signer_url, client, now=self.rt.now())
        with self.rt.store.write() as s:
            info = remote_signer.register_remote_key(s, self.rt.keyring, offer, url=signer_url, now=self.rt.now(),
                                                     agency=agency_id, lifetime=self.rt.settings.issuer_key_lifetime,
                                                     actor=ACTOR)
        self.rt.resign(force=True, actor=ACTOR)
        return info.kid

    def rotate_issuer_key(self, agency_id: str, kid: str, *, old_not_after: int | None = None) -> str:
        with self.rt.store.read() as s:
            old = next((k for k in keys.list_issuer_keys(s, now=self.rt.now(), agency=agency_id) if k.kid == kid),
                       None)
        if old is None:
            raise KeyError(kid)
        new = keys.generate_issuer_key(old.name, old.schemas, nym_count=old.nym_count, range_params=old.range_params)
        with self.rt.store.write() as s:
            info = keys.rotate_issuer_key(s, self.rt.keyring, new, now=self.rt.now(), agency=agency_id,
                                          old_kid=kid, old_not_after=old_not_after,
                                          lifetime=self.rt.settings.issuer_key_lifetime, actor=ACTOR)
        self.rt.resign(force=True, actor=ACTOR)
        return info.kid

    def issuer_keys(self, agency_id: str | None = None) -> list[IssuerKeyInfo]:
        with self.rt.store.read() as s:
            return keys.list_issuer_keys(s, now=self.rt.now(), agency=agency_id)

    def create_scope(self, scope: str, *, agency: str, description: str = "") -> None:
        with self.rt.store.write() as s:
            registry.create_scope(s, now=self.rt.now(), name=scope, description=description, agency=agency,
                                  actor=ACTOR)
        self.rt.resign(force=True, actor=ACTOR)  # verifier keys may ask for the new round (issue 13)

    def add_schema(self, definition_json: str) -> str:
        with self.rt.store.write() as s:
            ref = keys.add_schema(s, now=self.rt.now(), definition=definition_json, agency=None, actor=ACTOR).ref
        self.rt.resign(force=True, actor=ACTOR)
        return ref

    # -- trust list ---------------------------------------------------------------
    def sign_trust_list(self, *, key: Ed25519PrivateKey | None = None,
                        key_file: Path | None = None) -> tl_service.TrustListInfo:
        """Sign with ``key`` / ``key_file``, or with the key the service holds."""
        if key is None and key_file is not None:
            key = tl_service.load_signing_key(key_file)
        key = key or self.rt.signing_key
        if key is None:
            raise ValueError("no trust-list key: pass key= or key_file=, or run in dev mode")
        s_ = self.rt.settings
        with self.rt.store.write() as s:
            return tl_service.sign(s, key, now=self.rt.now(), validity=s_.trust_list_validity,
                                   grace=s_.trust_list_grace, actor=ACTOR)

    def build_trust_list(self) -> bytes:
        """The next payload, unsigned (wire bytes), for an authority that signs offline."""
        from sdk.wire import encode

        s_ = self.rt.settings
        with self.rt.store.read() as s:
            return encode(tl_service.build(s, now=self.rt.now(), validity=s_.trust_list_validity,
                                           grace=s_.trust_list_grace))

    def import_trust_list(self, signed: bytes, anchor: bytes) -> tl_service.TrustListInfo:
        """Store a list signed offline by the authority whose public key is ``anchor``."""
        with self.rt.store.write() as s:
            return tl_service.import_signed(s, signed, anchor, now=self.rt.now(), actor=ACTOR)

    def trust_anchor(self) -> bytes | None:
        """The public key of the latest list's signer (or of the service's own key)."""
        with self.rt.store.read() as s:
            row = tl_service.latest(s)
        if row is not None:
            return row.signer_public_key
        return tl_service.public_key_of(self.rt.signing_key) if self.rt.signing_key else None

    def trust_list(self) -> bytes | None:
        with self.rt.store.read() as s:
            row = tl_service.latest(s)
        return row.signed if row is not None else None


class RedactOfferCodes(logging.Filter):
    """Access logs must not carry offer codes (they work like one-time passwords)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "/v1/offers/" in args[2]:
            head, _, _rest = args[2].partition("/v1/offers/")
            record.args = (*args[:2], head + "/v1/offers/<code>", *args[3:])
        return True


def install_log_redaction() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactOfferCodes) for f in access.filters):
        access.addFilter(RedactOfferCodes())


def run_in_thread(settings: Settings, *, clock: Clock | None = None, runtime: Runtime | None = None,
                  access_log: bool = False, timeout: float = 30.0) -> tuple[str, Callable[[], None]]:
    """Start the service with uvicorn on 127.0.0.1 and a free port, in a daemon thread.
    Returns (base_url, stop); ``stop()`` shuts the server down and waits for it."""
    from verifier_service.app import create_app

    app = create_app(settings, clock=clock, runtime=runtime)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    install_log_redaction()
    config = uvicorn.Config(app, log_level="warning", access_log=access_log, lifespan="on",
                            timeout_keep_alive=30, backlog=2048)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"zkaid-service:{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the service did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout)
        sock.close()

    return f"http://127.0.0.1:{port}", stop
