"""Screenshots of every field app screen, for docs/field-app.md.

    python scripts/field_screenshots.py [--out docs/field-app] [--lang en --lang ar]

Every screen is taken in each language (``<name>-<lang>.png``; Arabic right to left).

Runs the real Kivy app on an offscreen window (SDL ``offscreen`` + Mesa: real rendering)
against an in-process deployment (trust-list key, issuer, wallets made with the SDK), and
drives it exactly like the headless tests do. The sync screen's conflicts come from the
real agency service (verifier_service, in a thread) when it is installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.field_app.harness import UI, prepare_kivy  # noqa: E402

prepare_kivy()  # before Kivy is imported anywhere

import numpy as np  # noqa: E402

from field_app.service import FieldService  # noqa: E402
from sdk.transport import render_code  # noqa: E402
from sdk.wire import Presentation, decode, encode  # noqa: E402
from tests.field_app.demo import DAY, NOW, Deployment, MutableClock, qr_images  # noqa: E402

PREDICATES = ["valid_until ge today", "household_size ge 5"]


def tampered(answer: bytes) -> bytes:
    p = decode(answer, Presentation)
    proof = bytearray(p.proof)
    proof[175] ^= 1  # low bit of the first response scalar: still a scalar, wrong proof
    return encode(dataclasses.replace(p, proof=bytes(proof)))


class Shots:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.lang = "en"
        self.taken: list[Path] = []

    def open(self, svc: FieldService) -> UI:
        ui = UI(svc)
        ui.app.lang = self.lang
        ui.app.auto_next_seconds = 0  # the pictures are taken before it would go on
        ui.pump()
        return ui

    def __call__(self, ui: UI, name: str) -> None:
        path = ui.screenshot(self.out / f"{name}-{self.lang}.png")
        self.taken.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main_flow(dep: Deployment, tmp: Path, shot: Shots) -> None:
    clock = MutableClock(NOW + 9 * 3600)  # 09:00 on distribution day
    svc = FieldService(tmp / "desk-1", clock=clock, backend=dep.backend)
    ui = shot.open(svc)
    # -- setup, as an operator fills it in
    ids = ui.screen("setup").ids
    values = {"service_url": "https://registry.example.org", "agency": "agency-b", "device_id": "desk-1",
              "api_key": "fd_3c9e0b7a41d2", "scope": "cva/2026-12/round-1", "anchor": dep.anchor_hex,
              "schema": dep.world.schema.ref,  # the demo world issues household@1 cards (setup's default is @2)
              "disclose": "region", "predicates": "\n".join(PREDICATES),
              "purpose_en": "Cash assistance, December round: check your registration.",
              "purpose_fr": "Aide en espèces, tour de décembre : vérifier votre inscription."}
    for k, v in values.items():
        ids[k].text = v
    ui.press("save", "setup")
    shot(ui, "setup")
    ui.press("create_key", "setup")  # its public key is registered with the agency service ...
    key = svc.verifier_key()
    assert key is not None
    tl_file = tmp / "trust_list.cbor"  # ... and comes back in the next trust list
    tl_file.write_bytes(dep.trust_list(now=clock.now, verifiers=[key]).signed)
    ids["trust_list_file"].text = str(tl_file)
    ui.press("load_trust_list", "setup")
    ids["scroll"].scroll_y = 0
    shot(ui, "setup-trust-list")

    # -- request, scan, yes
    ui.go("request")
    shot(ui, "request")
    alice = dep.person(size=6)
    frames = qr_images(dep.answer(alice, svc.current_request.data, now=clock.now))  # type: ignore[union-attr]

    class Camera:
        live, ended = True, False

        def read(self) -> Any:  # the phone shows its first part while the picture is taken
            return _camera_view(frames[0])

        def close(self) -> None:
            self.ended = True

    ui.use_camera(Camera)
    ui.press("scan", "request")
    scan = ui.screen("scan")
    ui.pump(lambda: scan.received == 1)
    shot(ui, "scan-progress")
    ui.press("cancel", "scan")
    ui.use_camera()
    ui.scan(frames)
    shot(ui, "result-yes")

    # -- the same person again, later that morning
    clock.advance(25 * 60)
    next_person(ui)
    ui.scan(qr_images(dep.answer(alice, svc.current_request.data, now=clock.now)))  # type: ignore[union-attr]
    shot(ui, "result-no-already-here")

    # -- enrolled at another agency (what the last sync brought)
    bob = dep.person(size=7, region="south")
    next_person(ui)
    first = svc.check(dep.answer(bob, svc.current_request.data, now=clock.now), enroll=False)  # type: ignore[union-attr]
    svc.ledger.add_remote(svc.config.scope, first.pseudonym, agency="agency-a", at=NOW - 2 * DAY + 14 * 3600)  # type: ignore[union-attr,arg-type]
    ui.go("request")
    ui.press("new_code", "request")
    ui.scan(qr_images(dep.answer(bob, svc.current_request.data, now=clock.now)))  # type: ignore[union-attr]
    shot(ui, "result-no-elsewhere")

    nos: list[tuple[str, Callable[[bytes], Any]]] = [
        ("result-no-tampered", lambda r: qr_images(tampered(dep.answer(dep.person(), r, now=clock.now)))),
        ("result-no-unknown-issuer", lambda r: qr_images(dep.answer(dep.rogue_person(), r, now=clock.now,
                                                                    force=True))),
        ("result-try-again-foreign", lambda r: [render_code(b"https://pay.example/invoice/2931", module_px=8).image]),
        ("result-try-again-unreadable", lambda r: [_camera_view(None)]),
    ]
    for name, make in nos:
        next_person(ui)
        ui.scan(make(svc.current_request.data))  # type: ignore[union-attr]
        shot(ui, name)

    next_person(ui)
    old = svc.current_request.data  # type: ignore[union-attr]
    answer_to_old = dep.answer(dep.person(), old, now=clock.now)
    ui.press("new_code", "request")
    ui.scan(qr_images(answer_to_old))
    shot(ui, "result-try-again-request-mismatch")
    ui.close()
    svc.close()

    # -- an expired card (a template that shows valid_until)
    svc = dep.device(tmp / "desk-2", clock=MutableClock(NOW + 10 * 3600), disclose=("region", "valid_until"))
    ui = shot.open(svc)
    ui.scan(qr_images(dep.answer(dep.person(valid_until=dt.date(2026, 11, 15)), svc.current_request.data)))  # type: ignore[union-attr]
    shot(ui, "result-no-expired")
    ui.close()
    svc.close()

    # -- a stale trust list: yes with a warning; beyond grace: refused
    clock = MutableClock(NOW + 11 * 3600)
    stale = dep.trust_list(now=NOW - 2 * DAY, next_update=NOW - 3600, grace=2 * DAY)
    svc = dep.device(tmp / "desk-3", clock=clock, trust_list=stale, predicates=PREDICATES)
    ui = shot.open(svc)
    shot(ui, "request-stale")
    ui.scan(qr_images(dep.answer(dep.person(size=5), svc.current_request.data, now=clock.now)))  # type: ignore[union-attr]
    shot(ui, "result-yes-stale")
    clock.advance(2 * DAY)
    next_person(ui)
    shot(ui, "request-trust-list-expired")
    ui.close()
    svc.close()



def next_person(ui: UI) -> None:
    """What the big button does after YES or NO (TRY AGAIN's small button too)."""
    ui.app.next_person()
    ui.pump()


def _camera_view(code: Any | None) -> Any:
    """A camera frame: a phone-sized code on a grey table (or just the table)."""
    import cv2

    rng = np.random.default_rng(7)
    table = rng.normal(110, 18, size=(720, 1280)).clip(0, 255).astype(np.uint8)
    if code is not None:
        side = 520
        table[100:100 + side, 380:380 + side] = cv2.resize(np.asarray(code), (side, side),
                                                           interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(table, cv2.COLOR_GRAY2BGR)


def sync_flow(dep: Deployment, tmp: Path, shot: Shots) -> None:
    """Two desks of two agencies enroll one person offline, then sync."""
    try:
        from tests.field_app.service_world import ServiceWorld
    except ImportError as exc:
        print(f"  verifier_service not available ({exc}): sync screen from a local ledger instead")
        _sync_without_service(dep, tmp, shot)
        return
    clock = MutableClock(NOW + 8 * 3600)
    world = ServiceWorld(tmp / "registry", clock, backend=dep.backend)
    try:
        scope = world.new_scope()
        people = [world.person(size=s) for s in (6, 5, 7)]
        a = world.device("agency-a", "desk-a1", scope, data_dir=tmp / "a1")
        b = world.device("agency-b", "desk-b1", scope, data_dir=tmp / "b1")
        for desk in (a, b):
            desk.sync()
        for person in people:  # the same three people at both desks, offline
            for desk in (a, b):
                assert desk.check(world.answer(person, desk.new_request().data)).ok
                clock.advance(300)
        a.sync()
        clock.advance(3600)
        a.close()
        ui = shot.open(b)
        ui.go("sync")
        ui.press("sync_now", "sync")
        sync = ui.screen("sync")
        ui.pump(lambda: not sync.busy)
        shot(ui, "sync-conflicts")
        ui.close()
        b.close()
    finally:
        world.close()


def _sync_without_service(dep: Deployment, tmp: Path, shot: Shots) -> None:
    svc = dep.device(tmp / "desk-9", clock=MutableClock(NOW + 15 * 3600), service_url="http://127.0.0.1:9")
    for i in range(3):
        svc.ledger.add_conflict(svc.config.scope, bytes([i + 1]) * 48, first_agency="agency-a",  # type: ignore[union-attr]
                                first_enrolled_at=NOW + (8 + i) * 3600, second_agency="agency-b",
                                second_enrolled_at=NOW + (9 + i) * 3600, reported_at=NOW + 15 * 3600)
    ui = shot.open(svc)
    ui.go("sync")
    ui.press("sync_now", "sync")
    sync = ui.screen("sync")
    ui.pump(lambda: not sync.busy)
    shot(ui, "sync-conflicts")
    ui.close()
    svc.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "field-app")
    ap.add_argument("--backend", default=None, help="curve backend (default: native)")
    ap.add_argument("--lang", action="append", help="language(s) to take (default: every one shipped)")
    args = ap.parse_args(argv)
    from field_app.i18n import LANGUAGES
    from sdk.curves import available_backends

    dep = Deployment(args.backend or available_backends()[0])
    shot = Shots(args.out)
    for lang in args.lang or LANGUAGES:
        shot.lang = lang
        with tempfile.TemporaryDirectory(prefix="zkaid-field-shots-") as tmp:
            main_flow(dep, Path(tmp), shot)
            sync_flow(dep, Path(tmp), shot)
    print(f"{len(shot.taken)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
