"""Screenshots of every wallet screen at a phone resolution, for docs/wallet.md.

    .venv/bin/python scripts/wallet_screenshots.py [--out docs/wallet] [--lang en]

Drives the real Kivy app headless (SDL offscreen, 720 x 1440 px at 2 px per dp, like a
cheap 5.5" phone) against the in-process demo agency (wallet_app.demo), with a fixed clock
and a fixed demo seed so the pictures are reproducible. Every picture is taken with
Window.screenshot, exactly what the tests read QR codes from.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = 1_796_090_400  # 2026-12-01 02:00 UTC
PHONE = (720, 1440)


def setup_env() -> None:
    os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="zkaid-kivy-"))
    os.environ["KIVY_METRICS_DENSITY"] = "2"
    os.environ.pop("KIVY_GL_BACKEND", None)
    os.environ["TZ"] = "UTC"
    time.tzset()
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "wallet"))
    ap.add_argument("--lang", default=None, help="one language (default: each shipped, one process each)")
    args = ap.parse_args(argv)
    if args.lang is None:  # one process per language: a Kivy app is built once per process
        import subprocess

        from wallet_app.i18n import available_languages

        for lang in available_languages():
            subprocess.run([sys.executable, __file__, "--out", args.out, "--lang", lang], check=True)
        return 0
    lang = args.lang
    setup_env()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from kivy.config import Config

    Config.set("graphics", "width", str(PHONE[0]))
    Config.set("graphics", "height", str(PHONE[1]))
    Config.set("input", "mouse", "")
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.core.window import Window

    from sdk.credential import WalletSeed
    from sdk.transport import render_code
    from wallet_app.config import WalletConfig
    from wallet_app.demo import DemoAgency
    from wallet_app.main import WalletApp
    from wallet_app.platform.camera import FileFrames, Platform
    from wallet_app.screens.widgets import BigAction
    from wallet_app.service import WalletService
    from wallet_app.storage import KdfParams

    work = Path(tempfile.mkdtemp(prefix="zkaid-shots-"))
    agency = DemoAgency(now=NOW)
    clock = {"now": float(NOW)}
    config = WalletConfig(data_dir=work / "wallet", trust_anchors=(agency.anchor,),
                          service_url="http://agency.invalid", kdf=KdfParams(n=2**12))
    service = WalletService(config, client_factory=agency.client, clock=lambda: clock["now"])
    app = WalletApp(service, Platform(use_camera=False))
    app._run_prepare()
    written: list[str] = []

    def idle(n: int = 4) -> None:
        for _ in range(n):
            EventLoop.idle()

    def wait() -> None:
        for _ in range(3000):
            idle(1)
            if not app.busy:
                idle(3)
                return
            time.sleep(0.01)
        raise RuntimeError(f"stuck on {app.current}")

    def shot(name: str) -> None:
        idle(8)
        tmp = Path(Window.screenshot(name=str(work / "shot.png")))
        tmp.replace(out / f"{name}-{lang}.png")
        written.append(name)

    def screen():  # type: ignore[no-untyped-def]
        return app.screen(app.current)

    def press(key: str) -> None:
        word = app.t(key)
        btn = next(w for w in screen().walk() if isinstance(w, BigAction) and w.text == word)
        btn.dispatch("on_press")
        idle()

    def pin(digits: str) -> None:
        for d in digits:
            screen().ids.pad.key_widget(d).dispatch("on_press")
        idle()

    def picture(data: bytes, name: str) -> Path:
        p = work / f"{name}.png"
        p.write_bytes(render_code(data).png())
        return p

    # -- first run --------------------------------------------------------------------
    idle()
    shot("01-language")
    screen().choose(lang)
    shot("02-welcome")
    press("welcome.new")
    shot("03-pin-create")
    pin("246810")
    pin("24")
    shot("04-pin-confirm")
    pin("6810")
    picks = iter([3, 10])
    app.onboarding = service.new_onboarding(seed=WalletSeed(bytes(range(32))), randbelow=lambda n: next(picks))
    app.go("recovery_show")
    idle()
    shot("05-recovery-code")
    press("recovery.done")
    fields = screen().inputs
    fields[4].text = app.onboarding.groups[3]
    shot("06-recovery-check")
    fields[11].text = app.onboarding.groups[10]
    press("check.next")
    wait()
    shot("07-home-empty")

    # -- receive ------------------------------------------------------------------------
    press("home.scan")
    shot("08-scan-no-camera")
    Clock.unschedule(screen().tick)
    app.go("home")
    idle()
    _offer, code = agency.make_offer()
    app.go("receive")
    idle()
    screen().ids.code.text = code
    shot("09-receive-code")
    press("receive.button")
    wait()
    shot("10-receive-done")
    press("common.done")
    shot("11-home-card")

    # -- present -----------------------------------------------------------------------------
    request = agency.request()
    app.platform.inject([picture(request, "request")])
    press("home.scan")
    wait()
    for _ in range(50):
        idle(1)
        if app.current == "consent":
            break
        time.sleep(0.02)
    shot("12-consent")
    press("consent.accept")
    wait()
    shot("13-present-qr")
    codes_loop = app.codes.loop() if app.codes else ()
    press("present.done")
    app.go("history")
    idle()
    shot("14-history")
    app.go("home")
    idle()

    # scanning an animated code, caught after its first part
    if len(codes_loop) > 1:
        press("home.scan")
        scr = screen()
        scr.start(FileFrames([picture(codes_loop[0], "part0")]))
        Clock.unschedule(scr.tick)
        scr.tick(0)
        shot("15-scan-reading")
        scr.stop()
        app.go("home")
        idle()

    # an unsigned request, and one the card cannot meet
    app.platform.inject([picture(agency.request(signed=False), "unsigned")])
    press("home.scan")
    for _ in range(50):
        idle(1)
        if app.current == "consent":
            break
        time.sleep(0.02)
    shot("16-consent-unverified")
    press("consent.decline")
    from sdk.wire import PredicateSpec

    app.platform.inject([picture(agency.request(predicates=(PredicateSpec("household_size", "ge", (8,)),)),
                                 "cannot")])
    press("home.scan")
    for _ in range(50):
        idle(1)
        if screen().error:
            break
        time.sleep(0.02)
    shot("17-scan-error")
    press("common.back")

    # -- settings, French -------------------------------------------------------------------
    app.go("settings")
    idle()
    shot("18-settings")
    press("settings.change_pin")
    pin("246810")
    pin("1357")
    shot("19-change-pin")
    app.go("help")
    idle()
    shot("20-help")
    app.ask_remove(service.cards()[0])
    idle()
    shot("24-remove-card")
    app.go("home")
    app.offline = True
    app.set_large_text(True)
    idle()
    screen().show_update_status()
    shot("25-home-offline-large-text")
    app.set_large_text(False)

    # -- lock, wrong PIN, wait ------------------------------------------------------------------
    app.lock()
    idle()
    shot("21-unlock")
    for _ in range(3):
        pin("999000")
        wait()
    shot("22-unlock-wait")
    clock["now"] += 3600
    # -- restore on a new phone ------------------------------------------------------------------
    app.go("restore")
    idle()
    screen().ids.code.text = WalletSeed(bytes(range(32))).recovery_code()[:39]
    press("restore.next")
    shot("23-restore")
    # the printed recovery QR, scanned: a wrong QR (a link) says so and what to do instead
    app.platform.inject([picture(b"https://example.org/pay", "link")])
    press("restore.scan")
    for _ in range(50):
        idle(1)
        if screen().error:
            break
        time.sleep(0.02)
    shot("26-restore-scan-wrong-qr")

    app.dispatch("on_stop")
    print(f"wrote {len(written)} screenshots to {out}:", ", ".join(written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
