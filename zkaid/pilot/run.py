"""`zkaid pilot`: a simulated cash-assistance round, end to end, on real components.

1. The agency service runs (in-process on loopback with SQLite, or ``--database-url`` /
   ``--service-url``); registering and programme agencies, issuer keys, field devices and
   the round's scope are set up through its bootstrap API, the trust list is signed.
2. Registration: for every household a registrar creates an offer over HTTP; a wallet made
   from a fresh seed redeems it (CommitWithNym -> BlindSignWithNym) and keeps the credential.
3. The round: each household walks up to a desk (a field device of a programme agency,
   working offline) or, for a share of them, a desk that verifies online. The desk issues a
   signed request; the wallet answers; the answer travels as rendered QR codes that a
   simulated phone camera photographs (tilt, blur, noise, JPEG) and zxing-cpp decodes; the
   desk verifies offline and writes its ledger. Some households come back (same desk, same
   agency, another agency); some codes are tampered, foreign, unreadable or replayed; some
   credentials have expired.
4. Every device syncs with the registry; the registry reports the duplicates.
5. The report: outcomes, rejections by reason, false accepts / rejects, sizes, QR parts,
   timings and throughput; printed, and written as Markdown, JSON and PNG charts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sdk.client import ServiceClient
from sdk.credential import Credential, Holder, WalletSeed, household_schema, read_request
from sdk.errors import CredentialError, OfflineError, ServiceError, TransportError
from sdk.trust import TrustAnchor, TrustList, load_trust_list
from sdk.wire import IssuedCredential, Offer, Presentation, decode, encode
from zkaid.pilot.config import HOUSEHOLD_VERSION, PilotConfig
from zkaid.pilot.report import PilotReport

__all__ = ["run_pilot"]

REGIONS = ("north", "south", "east", "west", "central")
VULNERABILITY = ("none", "elderly_head", "female_headed", "disability", "chronic_illness", "child_headed")
FOREIGN_CODES = (b"https://pay.example.org/merchant?id=88213&amount=25.00",
                 b"00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678",
                 b"WIFI:S:distribution-point;T:WPA;P:letmein;;")


@dataclass
class Household:
    index: int
    values: dict[str, Any]
    holder: Holder
    credential: Credential | None = None
    behaviour: str = "honest"  # honest, duplicate:<where>, tamper, foreign, unreadable, replay, expired


@dataclass
class Visit:
    household: Household
    desk: str
    kind: str  # first, duplicate, attack
    attack: str = ""


Progress = Callable[[str, int, int], None]


# ----------------------------------------------------------------------------- QR path

def _qr_roundtrip(payload: bytes, seed: int, unreadable: bool, foreign: bool, max_rescans: int) -> dict[str, Any]:
    """Show ``payload`` as QR codes and read them back through a simulated camera.

    Runs in a worker process. Returns the decoded bytes (or None), the frames shown, the
    number of parts, rescans needed and per-step milliseconds.
    """
    from sdk.transport import Scanner, render_code
    from sdk.transport import encode as qr_encode
    from zkaid.pilot.camera import photograph

    rng = np.random.default_rng(seed)
    t_render = t_photo = t_scan = 0.0
    if foreign:
        t = time.perf_counter()
        image = render_code(payload).image
        t_render += time.perf_counter() - t
        from sdk.transport import scan_image

        scan = scan_image(photograph(image, rng))
        return {"data": None, "foreign": scan.status.value, "frames": 1, "parts": 1, "rescans": 0,
                "render_ms": t_render * 1000, "photo_ms": 0.0, "scan_ms": 0.0}
    enc = qr_encode(payload)
    frames = rescans = 0
    for attempt in range(max_rescans + 1):
        scanner = Scanner()
        budget = 3 * enc.count + 4
        for code in enc.stream(start=attempt * budget):
            if frames >= (attempt + 1) * budget:
                break
            frames += 1
            t = time.perf_counter()
            image = render_code(code, screen_px=600, mask=frames % 8).image
            t_render += time.perf_counter() - t
            if enc.count > 1 and rng.random() < 0.1:
                continue  # the camera missed this frame (motion, autofocus)
            t = time.perf_counter()
            shot = photograph(image, rng, unreadable=unreadable)
            t_photo += time.perf_counter() - t
            t = time.perf_counter()
            try:
                update = scanner.feed(shot)
            except TransportError:
                update = None
            t_scan += time.perf_counter() - t
            if update is not None and update.complete is not None:
                return {"data": update.complete.payload, "frames": frames, "parts": enc.count, "rescans": rescans,
                        "render_ms": t_render * 1000, "photo_ms": t_photo * 1000, "scan_ms": t_scan * 1000}
        rescans += 1
    return {"data": None, "frames": frames, "parts": enc.count, "rescans": rescans - 1,
            "render_ms": t_render * 1000, "photo_ms": t_photo * 1000, "scan_ms": t_scan * 1000}


# ----------------------------------------------------------------------------- set-up

@dataclass
class Deployment:
    url: str
    scope: str
    anchor: bytes
    registrar_keys: dict[str, str]
    auditor_keys: dict[str, str]
    devices: dict[str, Any]  # device id -> FieldService
    device_agency: dict[str, str]
    online_keys: dict[str, str]  # online desk id -> field_device API key
    online_agency: dict[str, str]
    admin_keys: dict[str, str] = dataclasses.field(default_factory=dict)  # agency name -> admin API key
    agency_ids: dict[str, str] = dataclasses.field(default_factory=dict)  # agency name -> id in the registry
    database_url: str | None = None  # when the pilot can read the registry database (in-process)


@contextmanager
def _service(cfg: PilotConfig, workdir: Path, report: PilotReport) -> Iterator[Deployment]:
    from field_app.config import FieldConfig
    from field_app.service import FieldService
    from verifier_service.bootstrap import Bootstrap, run_in_thread
    from verifier_service.runtime import Runtime
    from verifier_service.settings import Settings

    settings = Settings(data_dir=workdir / "service", dev=True, database_url=cfg.database_url)
    runtime = Runtime.open(settings)
    stop: Callable[[], None] | None = None
    try:
        boot = Bootstrap(settings, runtime=runtime)
        agencies = list(cfg.registering_agencies) + [a for a in cfg.program_agencies
                                                     if a not in cfg.registering_agencies]
        for i, agency in enumerate(agencies):
            boot.create_agency(agency, agency.replace("-", " ").title(), operator=(i == 0))
        registrar_keys, auditor_keys = {}, {}
        for agency in cfg.registering_agencies:
            boot.create_issuer_key(agency, f"{agency} registration")
            registrar_keys[agency] = boot.create_api_key(agency, "registrar")
        for agency in agencies:
            auditor_keys[agency] = boot.create_api_key(agency, "auditor")
        boot.create_scope(cfg.scope, agency=cfg.program_agencies[0])
        admin_keys = {a: boot.create_api_key(a, "admin") for a in agencies}
        boot.sign_trust_list()
        anchor = boot.trust_anchor()
        assert anchor is not None
        url, stop = run_in_thread(settings, runtime=runtime)
        template = _template()
        devices: dict[str, Any] = {}
        device_agency: dict[str, str] = {}
        online_keys: dict[str, str] = {}
        online_agency: dict[str, str] = {}
        for agency in cfg.program_agencies:
            for n in range(cfg.devices_per_agency):
                dev_id = f"{agency}-desk-{n + 1}"
                svc = FieldService(workdir / "devices" / dev_id, backend=cfg.backend)
                key = svc.create_verifier_key()
                boot.register_device(agency, dev_id, verifier_public_key=key.public_key)
                api_key = boot.create_api_key(agency, "field_device", device_id=dev_id)
                svc.configure(FieldConfig(agency=agency, device_id=dev_id, scope=cfg.scope, service_url=url,
                                          anchors=(anchor.hex(),), template=template), api_key=api_key)
                devices[dev_id] = svc
                device_agency[dev_id] = agency
            online_id = f"{agency}-online"
            boot.register_device(agency, online_id)
            online_keys[online_id] = boot.create_api_key(agency, "field_device", device_id=online_id)
            online_agency[online_id] = agency
        for svc in devices.values():  # the first sync brings the trust list (with the devices' keys)
            svc.sync()
        db = "sqlite (in the pilot's temporary folder)"
        if settings.database_url:
            from sqlalchemy.engine import make_url

            db = make_url(settings.database_url).render_as_string(hide_password=True)
        report.config["service"] = {"url": "in-process (loopback)", "database": db}
        yield Deployment(url, cfg.scope, anchor, registrar_keys, auditor_keys, devices, device_agency, online_keys,
                         online_agency, admin_keys, {a: a for a in agencies}, settings.effective_database_url)
    finally:
        if stop is not None:
            stop()
        runtime.close()


def _template() -> Any:
    from field_app.config import PredicateRule, RequestTemplate

    return RequestTemplate(
        disclose=("region",),
        predicates=(PredicateRule("valid_until", "ge", ("today",)),
                    PredicateRule("head_birth_date", "le", ("today-18y",))),
    )


@contextmanager
def _remote_service(cfg: PilotConfig, workdir: Path, report: PilotReport) -> Iterator[Deployment]:
    """Set the pilot up on a running service through its administration API.

    The service must hold the trust-list key (dev mode, or ``zkaid serve --dev``) so that new
    devices and keys appear in the list; agency ids get a run suffix so runs do not collide.
    """
    from field_app.config import FieldConfig
    from field_app.service import FieldService

    assert cfg.service_url and cfg.api_key
    url = cfg.service_url.rstrip("/")
    root = ServiceClient(url, cfg.api_key)
    run = f"{cfg.seed % 10000:04d}{int(time.time()) % 100000:05d}"
    scope = f"{cfg.scope}/pilot-{run}"
    agencies = list(cfg.registering_agencies) + [a for a in cfg.program_agencies if a not in cfg.registering_agencies]
    admin_keys: dict[str, str] = {}
    for agency in agencies:
        made = root.request_json("POST", "/v1/admin/agencies", {"id": f"{agency}-{run}", "name": f"{agency} ({run})"})
        admin_keys[agency] = made["admin_key"]

    def key(agency: str, role: str, device: str | None = None) -> str:
        made = ServiceClient(url, admin_keys[agency]).request_json(
            "POST", "/v1/admin/api-keys", {"role": role, "device_id": device})
        return str(made["api_key"])

    registrar_keys = {}
    for agency in cfg.registering_agencies:
        ServiceClient(url, admin_keys[agency]).request_json(
            "POST", "/v1/admin/issuer-keys", {"name": f"{agency} registration", "schemas": [household_schema(HOUSEHOLD_VERSION).ref]})
        registrar_keys[agency] = key(agency, "registrar")
    auditor_keys = {a: key(a, "auditor") for a in agencies}
    ServiceClient(url, admin_keys[cfg.program_agencies[0]]).request_json("POST", "/v1/admin/scopes", {"scope": scope})
    devices: dict[str, Any] = {}
    device_agency: dict[str, str] = {}
    online_keys: dict[str, str] = {}
    online_agency: dict[str, str] = {}
    anchor = bytes.fromhex(str(root.request_json("GET", "/v1/trust-list/anchor")["public_key"]))
    for agency in cfg.program_agencies:
        admin = ServiceClient(url, admin_keys[agency])
        for n in range(cfg.devices_per_agency):
            dev_id = f"{agency}-desk-{n + 1}"
            svc = FieldService(workdir / "devices" / dev_id, backend=cfg.backend)
            vk = svc.create_verifier_key()
            admin.request_json("POST", "/v1/admin/devices",
                               {"device_id": dev_id, "verifier_public_key": vk.public_key.hex()})
            svc.configure(FieldConfig(agency=f"{agency}-{run}", device_id=dev_id, scope=scope, service_url=url,
                                      anchors=(anchor.hex(),), template=_template()),
                          api_key=key(agency, "field_device", dev_id))
            devices[dev_id] = svc
            device_agency[dev_id] = agency
        online_id = f"{agency}-online"
        admin.request_json("POST", "/v1/admin/devices", {"device_id": online_id})
        online_keys[online_id] = key(agency, "field_device", online_id)
        online_agency[online_id] = agency
    root.request_json("POST", "/v1/admin/trust-list/sign")
    for svc in devices.values():
        svc.sync()
    report.config["service"] = {"url": url, "run": run}
    yield Deployment(url, scope, anchor, registrar_keys, auditor_keys, devices, device_agency, online_keys, online_agency,
                     {**admin_keys, "operator": cfg.api_key}, {a: f"{a}-{run}" for a in agencies})


# ----------------------------------------------------------------------------- the round

def _household_values(rng: random.Random, today: dt.date, expired: bool) -> dict[str, Any]:
    birth = dt.date(rng.randint(1935, 2000), rng.randint(1, 12), rng.randint(1, 28))
    registered = today - dt.timedelta(days=rng.randint(10, 400))
    valid_until = today - dt.timedelta(days=rng.randint(1, 60)) if expired else today + dt.timedelta(
        days=rng.randint(30, 700))
    return {
        "household_size": rng.randint(1, 11),
        "head_birth_date": birth,
        "region": rng.choice(REGIONS),
        "vulnerability": rng.choice(VULNERABILITY),
        "registration_date": registered,
        "valid_until": valid_until,
    }


def _assign_behaviours(cfg: PilotConfig, households: list[Household], rng: random.Random) -> None:
    shares = [("expired", cfg.expired_share), ("tamper", cfg.tamper_share), ("foreign", cfg.foreign_share),
              ("unreadable", cfg.unreadable_share), ("replay", cfg.replay_share)]
    order = list(range(len(households)))
    rng.shuffle(order)
    pos = 0
    for name, share in shares:
        n = round(share * len(households))
        for i in order[pos:pos + n]:
            households[i].behaviour = name
        pos += n
    where = ("same-desk", "same-agency", "other-agency")
    n = round(cfg.duplicate_share * len(households))
    for k, i in enumerate(order[pos:pos + n]):
        households[i].behaviour = f"duplicate:{where[k % 3]}"


def run_pilot(cfg: PilotConfig, progress: Progress | None = None) -> PilotReport:
    cfg.validate()
    report = PilotReport(config=cfg.as_dict())
    from sdk.curves import get_backend

    report.config["backend"] = get_backend(cfg.backend).name
    say = progress or (lambda stage, done, total: None)
    rng = random.Random(cfg.seed)
    started = time.perf_counter()
    schema = household_schema(HOUSEHOLD_VERSION)
    today = dt.datetime.now(dt.UTC).date()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="zkaid-pilot-")))
        setup = _remote_service if cfg.service_url else _service
        dep = stack.enter_context(setup(cfg, workdir, report))
        workers = max(1, min(2, os.cpu_count() or 1))
        pool: Executor = stack.enter_context(ProcessPoolExecutor(max_workers=workers))
        public = ServiceClient(dep.url)
        trust_list = load_trust_list(public.trust_list() or b"", [TrustAnchor(dep.anchor)])
        # registration checks through three data stewards (zkaid/pilot/linkage.py, issue 14)
        from zkaid.pilot.linkage import LinkagePilot

        link = stack.enter_context(LinkagePilot.start(dep, workdir, cfg.seed))

        # -- registration ---------------------------------------------------------------
        households = [Household(i, {}, Holder(WalletSeed.generate(), backend=cfg.backend))
                      for i in range(cfg.households)]
        _assign_behaviours(cfg, households, rng)
        registrars = {a: ServiceClient(dep.url, k) for a, k in dep.registrar_keys.items()}
        phase = time.perf_counter()
        for h in households:
            h.values = _household_values(rng, today, h.behaviour == "expired")
            agency = cfg.registering_agencies[h.index % len(cfg.registering_agencies)]
            t = time.perf_counter()
            made = registrars[agency].create_offer(schema.ref, h.values)
            link.first_registration(h.index, h.values["region"], agency, made["offer_id"])
            offer = decode(public.offer_by_code(made["code"]), Offer)
            entry = trust_list.issuer(offer.issuer_kid)
            req, pending = h.holder.start_issuance(offer, entry)
            issued = decode(public.issue(encode(req)), IssuedCredential)
            assert entry is not None
            h.credential = h.holder.finish_issuance(pending, issued, entry, schema)
            report.timings.add("issuance (offer, commit, sign, verify)", (time.perf_counter() - t) * 1000)
            report.issued += 1
            say("registration", report.issued, cfg.households)
        report.households = cfg.households
        report.throughput["credentials issued per second"] = cfg.households / (time.perf_counter() - phase)
        phase = time.perf_counter()

        # -- visits -------------------------------------------------------------------------
        desks = list(dep.devices)
        online = list(dep.online_keys)
        visits: list[Visit] = []
        for h in households:
            first_desk = rng.choice(online) if rng.random() < cfg.online_share else rng.choice(desks)
            if h.behaviour in ("tamper", "foreign", "unreadable", "replay"):
                visits.append(Visit(h, rng.choice(desks), "attack", h.behaviour))
                continue
            visits.append(Visit(h, first_desk, "first"))
            if h.behaviour.startswith("duplicate:"):
                where = h.behaviour.split(":", 1)[1]
                agency = (dep.device_agency | dep.online_agency)[first_desk]
                if where == "same-desk":
                    second = first_desk
                elif where == "same-agency":
                    pool_ = [d for d in desks + online
                             if (dep.device_agency | dep.online_agency)[d] == agency and d != first_desk]
                    second = rng.choice(pool_) if pool_ else first_desk
                else:
                    pool_ = [d for d in desks + online if (dep.device_agency | dep.online_agency)[d] != agency]
                    second = rng.choice(pool_) if pool_ else first_desk
                visits.append(Visit(h, second, "duplicate", where))
        firsts = [v for v in visits if v.kind != "duplicate"]
        dups = [v for v in visits if v.kind == "duplicate"]
        rng.shuffle(firsts)
        # a replayed screenshot needs someone's earlier answer: replays come after the others
        replays = [v for v in firsts if v.attack == "replay"]
        firsts = [v for v in firsts if v.attack != "replay"]
        ordered = firsts + replays + dups  # people come back later in the day
        report.duplicate_attempts.update(v.attack for v in dups)
        report.attack_attempts.update(v.attack for v in visits if v.kind == "attack")

        online_clients = {d: ServiceClient(dep.url, k) for d, k in dep.online_keys.items()}
        answers: list[tuple[Visit, bytes | None, bytes | None]] = []  # (visit, request, presentation)
        enrolled_pseudonyms: dict[int, bytes] = {}
        pending_sync: list[tuple[Visit, bytes]] = []  # duplicates accepted offline elsewhere
        replay_pool: list[bytes] = []
        done = 0
        # Phase A: requests and answers (wallet side), in visit order
        for v in ordered:
            h = v.household
            assert h.credential is not None
            if v.desk in dep.devices:
                request = dep.devices[v.desk].new_request(replace=False).data
            else:
                request = _online_request(trust_list, v.desk, dep.scope, schema, today)
            if v.attack == "foreign":
                answers.append((v, request, rng.choice(FOREIGN_CODES)))
                continue
            if v.attack == "replay":
                answers.append((v, request, replay_pool[-1] if replay_pool else None))
                continue
            t = time.perf_counter()
            try:
                rr = read_request(request, trust_list, now=int(time.time()))
                assessment = h.holder.assess(rr, [h.credential], trust_list, now=int(time.time()))
                pres = h.holder.present(assessment)
            except CredentialError as exc:
                report.wallet_refusals[exc.reason] += 1
                answers.append((v, request, None))
                continue
            report.timings.add("wallet: assess + present", (time.perf_counter() - t) * 1000)
            if v.attack == "tamper":
                p = decode(pres, Presentation)
                idx = next(iter(p.disclosed))
                pres = encode(dataclasses.replace(p, disclosed={idx: (p.disclosed[idx] + 1) % len(REGIONS)}))
            elif v.kind == "first":
                replay_pool.append(pres)
                report.presentation_sizes.append(len(pres))
            answers.append((v, request, pres))

        # Phase B: the QR path (render, camera, decode) in worker processes
        futures: list[Future[dict[str, Any]] | None] = []
        for n, (v, _req, answer) in enumerate(answers):
            if answer is None:
                futures.append(None)
                continue
            futures.append(pool.submit(_qr_roundtrip, answer, cfg.seed * 100_003 + n, v.attack == "unreadable",
                                       v.attack == "foreign", cfg.max_rescans))

        # Phase C: desks check what they read, in visit order
        for (v, request, shown), fut in zip(answers, futures, strict=True):
            h = v.household
            done += 1
            say("distribution", done, len(answers))
            if shown is None:  # the wallet refused (expired, ...) or had nothing to replay
                continue
            pres = shown
            qr: dict[str, Any] = fut.result() if fut is not None else {"data": None}
            for step in ("render", "photo", "scan"):
                if f"{step}_ms" in qr:
                    report.timings.add({"render": "QR render (all frames)", "photo": "camera simulation",
                                        "scan": "QR decode (zxing-cpp)"}[step], qr[f"{step}_ms"])
            if v.kind == "first":
                report.parts_per_presentation[int(qr.get("parts", 1))] += 1
            report.rescans += int(qr.get("rescans", 0))
            data = qr.get("data")
            outcome, pseudonym = _check(dep, online_clients, v, request, data, qr, report)
            _score(report, v, outcome, pseudonym, enrolled_pseudonyms, pending_sync)

        report.throughput["people served per second (wallet, QR, camera, desk)"] = (
            len(answers) / (time.perf_counter() - phase))
        # -- sync ---------------------------------------------------------------------------
        for rnd in range(2):  # twice: the desk that enrolled first hears about later duplicates too
            for dev_id, svc in dep.devices.items():
                t = time.perf_counter()
                rep = svc.sync()
                report.timings.add("device sync", (time.perf_counter() - t) * 1000)
                if rnd == 0:
                    report.sync[dev_id] = {"ok": rep.ok, "uploaded": rep.uploaded, "duplicates": rep.duplicates,
                                           "received": rep.received}
                say("sync", 1, 1)
        seen_dups: set[str] = set()
        for key in dep.auditor_keys.values():
            for d in ServiceClient(dep.url, key).duplicates(dep.scope, limit=10_000):
                seen_dups.add(d.pseudonym.hex())
        stats = ServiceClient(dep.url, next(iter(dep.auditor_keys.values()))).scope_stats(dep.scope)
        report.registry = {**stats, "duplicate_pseudonyms": len(seen_dups)}
        for _v, nym in pending_sync:
            if nym.hex() in seen_dups:
                report.duplicates_caught_at_sync += 1
            else:
                report.duplicates_missed += 1
        report.enrolled_households = len(enrolled_pseudonyms)
        link.finish(report, households, cfg, trust_list, dep, enrolled_pseudonyms)  # second registrations
        say("linkage", 1, 1)
        # -- referrals between programme agencies (zkaid/pilot/referrals.py) ---------------
        from zkaid.pilot.referrals import run_referrals

        operator = "operator" if cfg.service_url else (list(dep.admin_keys) or [""])[0]
        run_referrals(url=dep.url, anchor=dep.anchor, admin_keys=dep.admin_keys, agency_ids=dep.agency_ids,
                      operator=operator, sender=cfg.program_agencies[0], recipient=cfg.program_agencies[-1],
                      people=[(h.holder, h.credential) for h in households
                              if h.credential is not None and h.behaviour == "honest"],
                      share=cfg.referral_share if len(cfg.program_agencies) > 1 else 0.0, rng=rng,
                      workdir=workdir, report=report, database_url=dep.database_url)
        say("referrals", 1, 1)
        # -- card lifecycle: lost phones, revoked and expired cards (zkaid/pilot/lifecycle.py) --
        from zkaid.pilot.lifecycle import run_lifecycle

        run_lifecycle(url=dep.url, admin_keys=dep.admin_keys, registrar_keys=dep.registrar_keys,
                      agency_ids=dep.agency_ids, program_agency=cfg.program_agencies[0], scope=dep.scope,
                      people=max(1, min(4, cfg.households // 25)), rng=rng, workdir=workdir,
                      backend=cfg.backend, report=report)
        say("lifecycle", 1, 1)
    report.wall_seconds = time.perf_counter() - started
    report.timings.add("whole pilot (s -> ms)", report.wall_seconds * 1000)
    report.check_invariants()
    return report


# ----------------------------------------------------------------------------- helpers

def _online_request(tl: TrustList, desk: str, scope: str, schema: Any, today: dt.date) -> bytes:
    """An online desk has no device key in the trust list: its request is unsigned."""
    from sdk.credential import build_request
    from sdk.credential.schema import date_to_days
    from sdk.wire import PredicateSpec

    issuers = [i.kid for i in tl.payload.issuers if schema.ref in i.schemas]
    return build_request(
        verifier_id=desk, scope=scope, issuers=issuers, schema=schema, disclose=("region",),
        predicates=(PredicateSpec("valid_until", "ge", (date_to_days(today),)),
                    PredicateSpec("head_birth_date", "le", (date_to_days(today.replace(year=today.year - 18)),))),
        purpose={"en": "Cash assistance round (checked online)"}, now=int(time.time()),
    )


def _check(dep: Deployment, online_clients: dict[str, ServiceClient], v: Visit, request: bytes | None,
           data: bytes | None, qr: dict[str, Any], report: PilotReport) -> tuple[str, bytes | None]:
    """Returns (outcome, pseudonym): outcome 'yes' or a NO reason."""
    t = time.perf_counter()
    if data is None:
        reason = "foreign" if qr.get("foreign") else "unreadable"
        if v.desk in dep.devices:
            dep.devices[v.desk].refuse(reason)
        report.timings.add("desk check (bytes -> result, ledger)", (time.perf_counter() - t) * 1000)
        return reason, None
    if v.desk in dep.devices:
        res = dep.devices[v.desk].check(data)
        report.timings.add("desk check (bytes -> result, ledger)", res.elapsed_ms)
        return ("yes" if res.ok else res.reason), res.pseudonym
    try:
        out = online_clients[v.desk].verify(request or b"", data, enroll=True)
        report.timings.add("online verify + enroll (HTTP)", (time.perf_counter() - t) * 1000)
        nym = bytes.fromhex(str(out.get("pseudonym", ""))) if out.get("pseudonym") else None
        return "yes", nym
    except OfflineError:
        return "offline", None
    except ServiceError as exc:
        report.timings.add("online verify + enroll (HTTP)", (time.perf_counter() - t) * 1000)
        nym_hex = exc.detail.get("pseudonym") if isinstance(exc.detail, dict) else None
        reason = "already_enrolled_online" if exc.reason == "already_enrolled" else exc.reason
        return reason, bytes.fromhex(str(nym_hex)) if nym_hex else None


def _score(report: PilotReport, v: Visit, outcome: str, pseudonym: bytes | None,
           enrolled: dict[int, bytes], pending_sync: list[tuple[Visit, bytes]]) -> None:
    h = v.household
    if v.kind == "attack":
        if outcome == "yes":
            report.false_accepts += 1
        else:
            report.rejections[f"attack:{v.attack}"] += 1
            report.attack_reasons[f"{v.attack} -> {outcome}"] += 1
        return
    if v.kind == "first":
        report.honest_attempts += 1
        if outcome == "yes":
            assert pseudonym is not None
            enrolled[h.index] = pseudonym
        else:
            report.false_rejects += 1
            report.rejections[f"honest:{outcome}"] += 1
        return
    # a duplicate attempt
    if outcome in ("already_enrolled_here", "already_enrolled_elsewhere"):
        report.duplicates_caught_at_desk += 1
        report.rejections[f"duplicate:{outcome}"] += 1
    elif outcome == "already_enrolled_online":
        report.duplicates_caught_online += 1
        report.rejections["duplicate:already_enrolled_online"] += 1
    elif outcome == "yes" and pseudonym is not None:
        # accepted offline at another desk: the registry must catch it at sync
        pending_sync.append((v, pseudonym))
    else:
        report.duplicates_missed += 1
        report.rejections[f"duplicate:{outcome}"] += 1

