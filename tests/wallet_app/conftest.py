"""Wallet tests: Kivy offscreen (a real GL window, so screenshots work), fast scrypt.

The environment is set before anything imports Kivy: SDL's *offscreen* video driver (not
"dummy", which has no GL context, and not KIVY_GL_BACKEND=mock, which silently skips
drawing), no Kivy argument parsing, no console log, a throwaway KIVY_HOME, and a phone
density (2 px per dp on a 720 x 1440 window, like a cheap 5.5" phone).
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ["KIVY_NO_CONSOLELOG"] = "1"
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="zkaid-kivy-home-"))
os.environ.setdefault("KIVY_METRICS_DENSITY", "2")
os.environ.pop("KIVY_GL_BACKEND", None)

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from wallet_app.config import WalletConfig
from wallet_app.demo import DemoAgency
from wallet_app.service import WalletService
from wallet_app.storage import DelayPolicy, KdfParams

NOW = 1_796_083_200  # 2026-12-01T00:00:00Z
FAST_KDF = KdfParams(n=2**10)  # the real cost is covered by test_storage.py::test_default_kdf_cost
PIN = "246810"


@pytest.fixture(scope="session")
def agency() -> DemoAgency:
    """One in-process agency (keys, trust list) for the session: key generation is the slow part."""
    return DemoAgency(now=NOW)


class Clock:
    def __init__(self, now: int = NOW) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_service(tmp_path: Path, agency: DemoAgency, clock: Clock) -> Iterator[Callable[..., WalletService]]:
    """A wallet service on a fresh data dir, talking to the in-process agency."""
    made: list[WalletService] = []

    def make(name: str = "phone", *, client_factory: object = None, **kw: object) -> WalletService:
        cfg = WalletConfig(
            data_dir=tmp_path / name, trust_anchors=(agency.anchor,), service_url="http://agency.invalid",
            kdf=FAST_KDF, delay=DelayPolicy(), **kw,  # type: ignore[arg-type]
        )
        svc = WalletService(cfg, client_factory=client_factory or agency.client, clock=clock)  # type: ignore[arg-type]
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.lock()


@pytest.fixture
def onboarded(make_service: Callable[..., WalletService]) -> WalletService:
    svc = make_service()
    onb = svc.new_onboarding()
    assert svc.check_written(onb, {n: onb.groups[n - 1] for n in onb.checks})
    svc.finish_onboarding(onb, PIN)
    return svc


@pytest.fixture
def with_card(onboarded: WalletService, agency: DemoAgency) -> WalletService:
    offer, _code = agency.make_offer()
    onboarded.receive_offer(offer)
    return onboarded
