"""A small deployment for the field app, made in-process with the SDK.

Used by the field app tests, ``bench/field.py`` and ``scripts/field_screenshots.py``: a
trust-list key, a trusted issuer (agency A registration), an issuer nobody trusts, the
devices' verifier keys, wallets, and presentations rendered as QR images the way a
wallet's screen shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from field_app.config import FieldConfig, PredicateRule, RequestTemplate
from field_app.service import FieldService
from sdk.credential import Assessment, Credential, Holder, IssuerKey, VerifierKey, read_request
from sdk.trust import TrustList, build_payload, load_trust_list, sign_trust_list
from tests.sdk.credential.world import DAY, NOW, World, household, issuer_key

__all__ = ["DAY", "NOW", "Deployment", "MutableClock", "Person", "household"]

SCOPE = "cva/2026-12/round-1"


class MutableClock:
    """A clock tests move by hand."""

    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


@dataclass
class Person:
    """A beneficiary with a wallet and one credential."""

    holder: Holder
    credential: Credential


@dataclass
class Deployment:
    backend: str
    world: World = field(init=False)
    rogue: IssuerKey = field(init=False)
    sequence: int = 1

    def __post_init__(self) -> None:
        self.world = World(self.backend)
        self.rogue = issuer_key("Unknown registrar", self.backend, self.world.schema)

    @property
    def anchor_hex(self) -> str:
        return self.world.anchor.public_key.hex()

    def trust_list(self, *, now: int = NOW, next_update: int | None = None, grace: int = 7 * DAY,
                   issuer_validity: tuple[int, int] | None = None, verifiers: Sequence[VerifierKey] = ()) -> TrustList:
        """A signed list from the deployment's trust-list key (sequence grows each time)."""
        self.sequence += 1
        validity = issuer_validity or (now - 30 * DAY, now + 365 * DAY)
        payload = build_payload(
            sequence=self.sequence, issued_at=now - DAY,
            next_update=next_update if next_update is not None else now + DAY, grace=grace,
            issuers=[self.world.issuer.entry(*validity)],
            verifiers=[v.entry(now - DAY, now + 90 * DAY) for v in verifiers],
            schemas=[self.world.schema.to_def()],
        )
        return load_trust_list(sign_trust_list(payload, self.world.tl_key), [self.world.anchor])

    def config(self, agency: str = "agency-b", device: str = "desk-1", *, scope: str = SCOPE,
               disclose: tuple[str, ...] = ("region",), predicates: Sequence[str] = (),
               service_url: str = "") -> FieldConfig:
        return FieldConfig(
            agency=agency, device_id=device, scope=scope, service_url=service_url,
            anchors=(self.anchor_hex,),
            # this world issues household@1 cards: a round set up for them keeps asking for them
            template=RequestTemplate(schema=self.world.schema.ref, disclose=disclose,
                                     predicates=tuple(PredicateRule.parse(p) for p in predicates)),
        )

    def device(self, data_dir: str | Path, *, clock: Any = None, agency: str = "agency-b", device: str = "desk-1",
               trust_list: TrustList | None = None, **kw: Any) -> FieldService:
        """A set-up field device with the deployment's trust list installed."""
        svc = FieldService(data_dir, clock=clock or MutableClock(), backend=self.backend)
        svc.configure(self.config(agency, device, **kw), api_key=f"key-{agency}-{device}")
        svc.import_trust_list((trust_list or self.trust_list()).signed)
        return svc

    def person(self, **values: Any) -> Person:
        holder, cred, _ = self.world.enroll_wallet(household(**values))
        return Person(holder, cred)

    def rogue_person(self, **values: Any) -> Person:
        """A credential from an issuer that no trust list of this deployment contains."""
        world = World(self.backend, issuer_name="Unknown registrar")
        holder, cred, _ = world.enroll_wallet(household(**values))
        return Person(holder, cred)

    def answer(self, person: Person, request: bytes, *, now: int = NOW, force: bool = False) -> bytes:
        """What the person's wallet shows after scanning ``request`` and consenting.

        ``force`` answers with the card even when the request does not accept its issuer,
        as a modified wallet would (to test "unknown issuer")."""
        tl = self._wallet_trust_list()
        rr = read_request(request, tl, now=now)
        if not force:
            return person.holder.present(person.holder.assess(rr, [person.credential], tl, now=now))
        entry = tl.issuer(person.credential.issuer_kid)
        assert entry is not None
        req = rr.request
        return person.holder.present(Assessment(rr, person.credential, entry, None, tuple(req.disclose),
                                                tuple(req.predicates)))

    def _wallet_trust_list(self) -> TrustList:
        """The wallet's own view of the world (it knows the rogue issuer too)."""
        issuers = [self.world.issuer, self.rogue]
        payload = build_payload(
            sequence=1, issued_at=NOW - 400 * DAY, next_update=NOW + 400 * DAY, grace=DAY,
            issuers=[i.entry(NOW - 400 * DAY, NOW + 400 * DAY) for i in issuers],
            schemas=[self.world.schema.to_def()],
        )
        return load_trust_list(sign_trust_list(payload, self.world.tl_key), [self.world.anchor])


def qr_images(data: bytes, *, module_px: int | None = 4) -> list[Any]:
    """The codes a wallet shows for ``data``: one image, or one per part of a multi-part
    code (systematic parts then repair parts, as a pre-rendered loop)."""
    from sdk.transport import encode, render_code, render_cycle

    enc = encode(data)
    if enc.single:
        return [render_code(data, module_px=module_px).image]
    return [c.image for c in render_cycle(enc, module_px=module_px)]


def save_images(images: Sequence[Any], folder: Path, stem: str) -> list[Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, img in enumerate(images):
        p = folder / f"{stem}_{i:03d}.png"
        Image.fromarray(img).save(p)
        out.append(p)
    return out

