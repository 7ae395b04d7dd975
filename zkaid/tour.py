"""``zkaid demo``: everything the README's tour needs, in one folder (default ``./zkaid-demo``).

    zkaid-demo/
      service/      a dev agency service (SQLite, dev keys): Agency A registers households,
                    Agency B runs the round; ``zkaid serve --dev --data-dir zkaid-demo/service``
      wallet/       a beneficiary wallet holding one card (``zkaid wallet ... --dir``); demo PIN printed
      field/        Agency B's field device, set up with the signed trust list and open requests
                    (``zkaid verify ... --data-dir``, ``python -m field_app ... --data-dir``)
      answers/      sample answers as QR pictures: 1-yes, 2-duplicate, 3-tampered, 4-foreign
      request.png   one more open request of the field device, to answer by hand

It uses the real parts, as the pilot does: the service's bootstrap and HTTP API on loopback,
the wallet's and the field app's own service classes. Nothing here is a mock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SERVICE_URL", "MARKER", "DemoError", "DemoFolder", "build_demo", "next_steps"]

DAY = 86400
MARKER = "zkaid-demo.json"
DEFAULT_SERVICE_URL = "http://127.0.0.1:8000"  # where `zkaid serve --dev` listens by default
REQUEST_TTL = 7 * DAY  # the longest a field request may live: the sample answers stay checkable a week


class DemoError(Exception):
    """The demo folder cannot be made (exists and is not a demo, ...): one line for a person."""


@dataclass(frozen=True)
class DemoFolder:
    root: Path
    pin: str
    scope: str
    anchor: str
    answers: dict[str, Path]  # kind -> picture

    @property
    def service(self) -> Path:
        return self.root / "service"

    @property
    def wallet(self) -> Path:
        return self.root / "wallet"

    @property
    def field(self) -> Path:
        return self.root / "field"


def _household(size: int, region: str, today: dt.date) -> dict[str, Any]:
    return {"household_size": size, "head_birth_date": dt.date(1961, 4, 12), "region": region,
            "vulnerability": "elderly_head", "registration_date": today - dt.timedelta(days=20),
            "valid_until": today + dt.timedelta(days=365)}


def _prepare(root: Path, force: bool) -> None:
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise DemoError(f"{root} exists and is not a zkaid demo folder: choose another with --dir")
        if not force:
            raise DemoError(f"{root} already holds a demo: add --force to make a fresh one, or use it as it is")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)


def build_demo(root: Path, *, force: bool = False, pin: str | None = None,
               service_url: str = DEFAULT_SERVICE_URL, say: Callable[[str], None] = lambda _s: None) -> DemoFolder:
    """Make the demo folder (see the module docstring). ``say`` gets one line per step."""
    from field_app.config import FieldConfig, RequestTemplate
    from field_app.service import FieldService
    from sdk.client import ServiceClient
    from sdk.credential import household_schema
    from sdk.transport import render_code
    from sdk.wire import Presentation, decode, encode
    from verifier_service.bootstrap import Bootstrap, run_in_thread
    from verifier_service.runtime import Runtime
    from verifier_service.settings import Settings
    from wallet_app.config import WalletConfig
    from wallet_app.service import WalletService

    _prepare(root, force)
    pin = pin or f"{secrets.randbelow(10**6):06d}"
    today = dt.datetime.now(dt.UTC).date()
    scope = f"cva/{today:%Y-%m}/round-1"
    schema = household_schema(2).ref  # the default card: revocable one by one (issue 13)
    settings = Settings(data_dir=root / "service", dev=True, trust_list_validity=7 * DAY)
    runtime = Runtime.open(settings)
    stop: Callable[[], None] | None = None
    scratch = tempfile.TemporaryDirectory(prefix="zkaid-demo-")  # the other households and Agency A's desk
    devices: list[Any] = []
    try:
        boot = Bootstrap(settings, runtime=runtime)
        names = {"agency-a": "Agency A", "agency-b": "Agency B"}
        boot.create_agency("agency-a", names["agency-a"], operator=True)
        boot.create_agency("agency-b", names["agency-b"])
        boot.create_issuer_key("agency-a", "Agency A registration")
        keys = {"agency-a admin": boot.create_api_key("agency-a", "admin"),
                "agency-a registrar": boot.create_api_key("agency-a", "registrar"),
                "agency-b admin": boot.create_api_key("agency-b", "admin")}
        boot.create_scope(scope, agency="agency-b")
        say(f"service: agencies agency-a (registers) and agency-b (runs round {scope}) in {root / 'service'}")

        url, stop = run_in_thread(settings, runtime=runtime)

        def field_client(_url: str, api_key: str | None) -> ServiceClient:
            return ServiceClient(url, api_key)

        def wallet_client(_url: str, timeout: float) -> ServiceClient:
            return ServiceClient(url, timeout=timeout)

        template = RequestTemplate(request_ttl=REQUEST_TTL)

        def device(folder: Path, agency: str, device_id: str) -> Any:
            svc = FieldService(folder, client_factory=field_client, persist_requests=True)
            devices.append(svc)
            key = svc.create_verifier_key()
            boot.register_device(agency, device_id, name=f"{names[agency]} field desk ({device_id})",
                                 verifier_public_key=key.public_key)
            api_key = boot.create_api_key(agency, "field_device", device_id=device_id)
            svc.configure(FieldConfig(agency=agency, device_id=device_id, scope=scope, service_url=service_url,
                                      anchors=(anchor.hex(),), template=template), api_key=api_key)
            return svc

        boot.sign_trust_list()
        got = boot.trust_anchor()
        assert got is not None  # dev mode holds the trust-list key
        anchor = got
        desk_b = device(root / "field", "agency-b", "desk-1")
        desk_a = device(Path(scratch.name) / "desk-a", "agency-a", "desk-a")
        for d in (desk_b, desk_a):
            report = d.sync()  # brings the trust list that now lists both desks' request keys
            if not report.ok:
                raise DemoError(f"the field device could not sync with the demo service: {report.detail}")
        say(f"field device: agency-b/desk-1 in {root / 'field'}, trust list and request key installed")

        registrar = ServiceClient(url, keys["agency-a registrar"])

        def wallet(folder: Path, values: dict[str, Any], wallet_pin: str) -> WalletService:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "wallet.json").write_text(json.dumps(
                {"trust_anchors": [anchor.hex()], "service_url": service_url}), "utf-8")
            w = WalletService(WalletConfig.from_file(folder / "wallet.json", data_dir=folder),
                              client_factory=wallet_client)
            ob = w.new_onboarding()
            w.check_written(ob, {g: ob.groups[g - 1] for g in ob.checks})
            w.finish_onboarding(ob, wallet_pin)
            w.receive_code(registrar.create_offer(schema, values)["code"])
            return w

        def answer(w: WalletService, request: bytes) -> bytes:
            w.consider_request(request)
            return w.accept().payload

        mine = wallet(root / "wallet", _household(6, "north", today), pin)
        say(f"wallet: one household card (size 6, region north) in {root / 'wallet'}")
        other_pin = f"{secrets.randbelow(10**6):06d}"
        seen = wallet(Path(scratch.name) / "household-2", _household(5, "east", today), other_pin)
        forger = wallet(Path(scratch.name) / "household-3", _household(7, "south", today), other_pin)

        # Household 2 was enrolled this round at Agency A's desk; the registry tells Agency B's device.
        first = desk_a.check(answer(seen, desk_a.new_request(replace=False).data))
        if not first.ok:
            raise DemoError(f"the demo could not enroll its second household: {first.reason}")
        desk_a.sync()
        desk_b.sync()

        answers_dir = root / "answers"
        answers_dir.mkdir()
        yes = answer(mine, desk_b.new_request(replace=False).data)
        duplicate = answer(seen, desk_b.new_request(replace=False).data)
        honest = decode(answer(forger, desk_b.new_request(replace=False).data), Presentation)
        idx = next(iter(honest.disclosed))  # the region shown is edited after the proof was made
        regions = household_schema(2).attribute("region").values or ("north", "south")
        tampered = encode(dataclasses.replace(honest, disclosed={idx: (honest.disclosed[idx] + 1) % len(regions)}))
        foreign = b"https://pay.example.org/transfer?to=0712345678&amount=50"
        pictures = {"yes": yes, "duplicate": duplicate, "tampered": tampered, "foreign": foreign}
        written: dict[str, Path] = {}
        for n, (kind, data) in enumerate(pictures.items(), start=1):
            written[kind] = answers_dir / f"{n}-{kind}.png"
            written[kind].write_bytes(render_code(data).png())
        (root / "request.png").write_bytes(render_code(desk_b.new_request(replace=False).data).png())
        say(f"answers: {', '.join(p.name for p in written.values())} in {answers_dir}")

        (root / "service" / "demo-api-keys.json").write_text(json.dumps(keys, indent=2) + "\n", "utf-8")
        (root / "service" / "demo-api-keys.json").chmod(0o600)
        (root / MARKER).write_text(json.dumps({"scope": scope, "trust_anchor": anchor.hex(),
                                               "service_url": service_url}, indent=2) + "\n", "utf-8")
        return DemoFolder(root, pin, scope, anchor.hex(), written)
    except BaseException:
        # a half-made folder (an error, Ctrl-C) would block the next run: the folder was empty or ours
        shutil.rmtree(root, ignore_errors=True)
        raise
    finally:
        for d in devices:
            d.close()
        if stop is not None:
            stop()
        runtime.close()
        scratch.cleanup()


def next_steps(demo: DemoFolder, *, venv: str = ".venv/bin/") -> str:
    """The commands to try next, exactly as the README's tour gives them."""
    d = demo.root
    return "\n".join([
        f"demo wallet PIN: {demo.pin}   (a demo PIN, printed only because this is a demo)",
        "",
        "next:",
        f"  {venv}zkaid verify {d}/answers/*.png --data-dir {d}/field",
        "      -> YES, then NO already enrolled (at Agency A), NO tampered, NO not a zkaid code",
        f"  {venv}zkaid wallet cards --dir {d}/wallet                      # asks for the demo PIN",
        f"  {venv}zkaid wallet present --dir {d}/wallet --request {d}/request.png --out {d}/mine --yes",
        f"  {venv}zkaid verify {d}/mine/qr-*.png --data-dir {d}/field       # NO: enrolled by the first answer",
        f"  {venv}zkaid serve --dev --data-dir {d}/service                  # the agencies' service, /docs",
        f"  {venv}python -m field_app sync --data-dir {d}/field             # while the service runs",
        f"  {venv}python -m field_app --demo                                # the field app on these answers",
        f"  {venv}python -m wallet_app --demo                               # the wallet app",
    ])
