"""Pilot phase: people who register twice, at the other registering agency, into a new wallet.

Every household's head gets person data (names in Arabic script and in Latin spellings,
date of birth, sex, admin area). Every registration runs the registration check through the
real service: the desk encodes the person through three data stewards (separate service
instances on loopback, a 2-of-3 threshold OPRF) and submits the match record with its offer.

A share of households (``PilotConfig.linkage_share``) then registers a second time at the
other registering agency, with the variations a second desk produces: another Latin
spelling, the name in the other script, another date format or a day/month swap, a typo,
a missing field. A possible match means the person keeps their first card (the offer is
withdrawn, and the pilot checks it cannot be redeemed); a missed one gets a second card in
a new wallet and tries to enrol with it at an online desk of the round.

Counted: caught at registration, missed, false matches (a first registration flagged). The
invariant "each person enrolled at most once per scope" is computed from the registry's
answers and the ground truth (which cards belong to whom), so a missed person who enrols
twice makes it false.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sdk.client import ServiceClient
from sdk.credential import (
    Credential,
    Holder,
    WalletSeed,
    build_request,
    household_schema,
    read_request,
)
from sdk.errors import ServiceError
from sdk.linkage.encode import encode
from sdk.linkage.normalise import PersonRecord, normalise
from sdk.stewards import StewardConfig, StewardEvaluator, deal
from sdk.trust import TrustList
from sdk.wire import IssuedCredential, Offer, decode
from sdk.wire import encode as wire_encode
from zkaid.pilot.config import HOUSEHOLD_VERSION

__all__ = ["LinkagePilot", "Person", "person_for", "vary"]

# (Arabic script, Latin spellings seen on documents)
MALE = (
    ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohamad")), ("أحمد", ("Ahmed", "Ahmad")),
    ("علي", ("Ali", "Aly")), ("حسن", ("Hassan", "Hasan")), ("حسين", ("Hussein", "Hussain", "Husein")),
    ("يوسف", ("Youssef", "Yusuf", "Yousef")), ("عمر", ("Omar", "Umar")), ("خالد", ("Khaled", "Khalid")),
    ("إبراهيم", ("Ibrahim", "Ebrahim")), ("عبد الله", ("Abdullah", "Abdallah", "Abd Allah")),
    ("مصطفى", ("Mustafa", "Moustafa")), ("سعيد", ("Saeed", "Said")), ("كريم", ("Karim", "Kareem")),
    ("طارق", ("Tarek", "Tariq")), ("جمال", ("Jamal", "Gamal")), ("ياسين", ("Yassin", "Yasin")),
)
FEMALE = (
    ("فاطمة", ("Fatima", "Fatma", "Fatimah")), ("عائشة", ("Aisha", "Aicha", "Ayesha")),
    ("مريم", ("Maryam", "Mariam")), ("زينب", ("Zainab", "Zeinab", "Zaynab")),
    ("خديجة", ("Khadija", "Khadidja", "Khadeeja")), ("نور", ("Nour", "Noor", "Nur")),
    ("ليلى", ("Layla", "Leila", "Laila")), ("سارة", ("Sara", "Sarah")), ("هدى", ("Huda", "Hoda")),
    ("أمينة", ("Amina", "Aminah")), ("رانيا", ("Rania", "Ranya")), ("سلمى", ("Salma", "Selma")),
    ("دينا", ("Dina", "Deena")), ("ريم", ("Reem", "Rim")), ("هبة", ("Heba", "Hiba")), ("منى", ("Mona", "Muna")),
)
FAMILY = (
    ("الحسن", ("Al-Hassan", "El Hassan", "Alhassan")), ("العلي", ("Al-Ali", "El Ali")),
    ("الخطيب", ("Al-Khatib", "El Khatib", "Alkhatib")), ("الحلبي", ("Al-Halabi", "Halabi")),
    ("المصري", ("Al-Masri", "El Masry")), ("الشامي", ("Al-Shami", "El Chami")),
    ("النجار", ("Al-Najjar", "El Naggar")), ("حداد", ("Haddad", "Hadad")), ("عثمان", ("Othman", "Osman")),
    ("يونس", ("Younis", "Yunus", "Younes")), ("سليمان", ("Suleiman", "Sulaiman", "Soliman")),
    ("منصور", ("Mansour", "Mansur")), ("صالح", ("Saleh", "Salih")), ("قاسم", ("Kassem", "Qasim", "Qassem")),
    ("درويش", ("Darwish", "Darwiche")), ("عيسى", ("Issa", "Eissa")), ("الزعبي", ("Al-Zoubi", "Zoubi")),
    ("العمر", ("Al-Omar", "Alomar")), ("الرفاعي", ("Al-Rifai", "Rifai")), ("بكري", ("Bakri", "Bakry")),
    ("الأسعد", ("Al-Asaad", "El Assad")), ("جابر", ("Jaber", "Jabir")), ("ناصر", ("Nasser", "Nasir")),
    ("عواد", ("Awad", "Awwad")),
)
VARIATIONS = ("spelling", "transliteration", "date_format", "day_month_swap", "typo", "missing_field")


@dataclass(frozen=True)
class Person:
    """Ground truth about one household head, and how one desk wrote it down."""

    given: tuple[str, tuple[str, ...]]
    family: tuple[str, tuple[str, ...]]
    birth: dt.date
    sex: str
    admin_area: str

    def as_written(self, *, script: str = "latin", spelling: int = 0, date_format: str = "iso",
                   typo: random.Random | None = None, missing: str | None = None) -> PersonRecord:
        def name(n: tuple[str, tuple[str, ...]]) -> str:
            return n[0] if script == "arabic" else n[1][spelling % len(n[1])]

        given, family = name(self.given), name(self.family)
        if typo is not None:
            given = _typo(given, typo)
        b = self.birth
        dob = {"iso": b.isoformat(), "compact": b.strftime("%Y%m%d"), "year": f"{b.year:04d}",
               "swap": f"{b.year:04d}-{b.day:02d}-{b.month:02d}"}[date_format]
        return PersonRecord(
            given_name=given, family_name=family,
            date_of_birth=None if missing == "date_of_birth" else dob,
            sex=None if missing == "sex" else self.sex,
            admin_area=None if missing == "admin_area" else self.admin_area,
        )


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]  # two neighbouring letters swapped


def person_for(rng: random.Random, region: str) -> Person:
    sex = rng.choice("MF")
    given = rng.choice(MALE if sex == "M" else FEMALE)
    birth = dt.date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
    return Person(given, rng.choice(FAMILY), birth, sex, f"{region}/district-{rng.randint(1, 6)}")


def vary(person: Person, rng: random.Random) -> tuple[PersonRecord, tuple[str, ...]]:
    """How the second desk writes the same person: one or two realistic variations."""
    kinds = rng.sample(VARIATIONS, rng.choice((1, 1, 2)))
    if "day_month_swap" in kinds and person.birth.day > 12:
        kinds = [k if k != "day_month_swap" else "date_format" for k in kinds]
    kw: dict[str, Any] = {"spelling": 0}
    if "spelling" in kinds:
        kw["spelling"] = rng.randrange(1, 4)
    if "transliteration" in kinds:
        kw["script"] = "arabic"
    if "date_format" in kinds:
        kw["date_format"] = rng.choice(("compact", "year"))
    if "day_month_swap" in kinds:
        kw["date_format"] = "swap"
    if "typo" in kinds:
        kw["typo"] = rng
    if "missing_field" in kinds:
        kw["missing"] = rng.choice(("sex", "admin_area", "date_of_birth"))
    return person.as_written(**kw), tuple(sorted(kinds))


# ----------------------------------------------------------------------------- the phase

@dataclass
class _Registration:
    household: int
    agency: str
    outcome: str
    credential: Credential | None = None
    holder: Holder | None = None


@dataclass
class LinkagePilot:
    """Stewards, evaluators per registering agency, and the phase's counts."""

    registry_url: str
    registrar_keys: dict[str, str]
    desk_keys: dict[str, list[str]]
    evaluators: dict[str, StewardEvaluator]
    rng: random.Random
    persons: dict[int, Person] = field(default_factory=dict)
    first_checks: Counter[str] = field(default_factory=Counter)
    second: list[_Registration] = field(default_factory=list)
    variations: Counter[str] = field(default_factory=Counter)
    check_ms: list[float] = field(default_factory=list)
    encode_ms: list[float] = field(default_factory=list)

    @classmethod
    @contextlib.contextmanager
    def start(cls, dep: Any, workdir: Path, seed: int, stewards: int = 3, threshold: int = 2,
              desks: int = 4) -> Iterator[LinkagePilot]:
        """Three steward services on loopback (each its own database and KEK), a dealt
        2-of-3 key, a registrar key at every steward for every registering agency, and
        ``desks`` registration desks (registrar keys of their own) per agency at the registry:
        the registration check is rate-limited per key, as a desk's would be."""
        from verifier_service.bootstrap import Bootstrap, run_in_thread
        from verifier_service.runtime import Runtime
        from verifier_service.services.linkage import import_share
        from verifier_service.settings import Settings

        registrar_keys: dict[str, str] = dep.registrar_keys
        with contextlib.ExitStack() as stack:
            urls, runtimes = [], []
            for i in range(stewards):
                rt = Runtime.open(Settings(data_dir=workdir / f"steward-{i + 1}", dev=True))
                stack.callback(rt.close)
                url, stop = run_in_thread(rt.settings, runtime=rt)
                stack.callback(stop)
                urls.append(url)
                runtimes.append(rt)
            config, files = deal(threshold, urls, names=[f"Steward {i + 1}" for i in range(stewards)])
            keys: dict[str, dict[int, str]] = {a: {} for a in registrar_keys}
            for rt, f in zip(runtimes, files, strict=True):
                import_share(rt.store, rt.keyring, f.share, public_key=f.public_key, threshold=f.threshold,
                             stewards=f.stewards, now=rt.now())
                with Bootstrap(rt.settings, runtime=rt) as b:
                    for agency in registrar_keys:
                        b.create_agency(agency, agency.replace("-", " ").title())
                        keys[agency][f.index] = b.create_api_key(agency, "registrar")
            config = StewardConfig.from_json(config.to_json())  # as registrars load it
            evaluators = {a: StewardEvaluator(config, keys[a]) for a in registrar_keys}
            desk_keys = {a: [str(ServiceClient(dep.url, dep.admin_keys[a]).request_json(
                "POST", "/v1/admin/api-keys", {"role": "registrar", "label": f"registration desk {n + 1}"})["api_key"])
                for n in range(desks)] for a in registrar_keys}
            yield cls(dep.url, registrar_keys, desk_keys, evaluators, random.Random(seed * 31 + 14))

    # -- registration -------------------------------------------------------------
    def _record(self, agency: str, person: PersonRecord) -> bytes:
        t = time.perf_counter()
        rec = encode([normalise(person)], self.evaluators[agency])[0]
        self.encode_ms.append((time.perf_counter() - t) * 1000)
        return rec.to_bytes()

    def _desk(self, agency: str, offer_id: str) -> ServiceClient:
        """The desk that handles this registration (the same desk for its check and resolution)."""
        keys = self.desk_keys[agency]
        return ServiceClient(self.registry_url, keys[int(offer_id[:8], 16) % len(keys)])

    def _check(self, agency: str, offer_id: str, record: bytes) -> dict[str, Any]:
        import base64

        body = {"offer_id": offer_id, "record": base64.b64encode(record).decode()}
        t = time.perf_counter()
        for attempt in range(3):
            try:
                out: dict[str, Any] = self._desk(agency, offer_id).request_json("POST", "/v1/linkage/checks", body)
                break
            except ServiceError as exc:  # a busy desk waits as told, as a person would
                if exc.reason != "too_many_requests" or attempt == 2:
                    raise
                time.sleep(min(60.0, float(str(exc.detail.get("retry_after", 60)))))
        self.check_ms.append((time.perf_counter() - t) * 1000)
        return out

    def _resolve(self, agency: str, offer_id: str, decision: str) -> None:
        self._desk(agency, offer_id).request_json(
            "POST", f"/v1/linkage/checks/{offer_id}/resolution", {"decision": decision})

    def first_registration(self, household: int, region: str, agency: str, offer_id: str) -> None:
        """Called for every registration, after the offer is made and before the wallet
        redeems it. A first registration is a new person: a possible match here is a false
        match, settled by a steward review (different_person) so the card is issued."""
        person = person_for(self.rng, region)
        self.persons[household] = person
        script = "arabic" if self.rng.random() < 0.3 else "latin"
        answer = self._check(agency, offer_id, self._record(agency, person.as_written(script=script)))
        self.first_checks[answer["outcome"]] += 1
        if answer["outcome"] == "possible_match":
            self._resolve(agency, offer_id, "different_person")

    def second_registrations(self, households: list[Any], agencies: tuple[str, ...], share: float,
                             trust_list: TrustList, backend: str | None) -> None:
        """A share of households registers again at the other agency, into a new wallet."""
        schema = household_schema(HOUSEHOLD_VERSION)
        public = ServiceClient(self.registry_url)
        chosen = sorted(self.rng.sample(range(len(households)), round(share * len(households))))
        for i in chosen:
            h = households[i]
            first = agencies[h.index % len(agencies)]
            other = agencies[(h.index + 1) % len(agencies)]
            written, kinds = vary(self.persons[h.index], self.rng)
            self.variations.update(kinds)
            registrar = ServiceClient(self.registry_url, self.registrar_keys[other])
            made = registrar.create_offer(schema.ref, h.values)
            answer = self._check(other, made["offer_id"], self._record(other, written))
            reg = _Registration(h.index, first, answer["outcome"])
            holder = Holder(WalletSeed.generate(), backend=backend)  # a NEW wallet
            offer = decode(public.offer_by_code(made["code"]), Offer)
            entry = trust_list.issuer(offer.issuer_kid)
            assert entry is not None
            if answer["outcome"] == "possible_match":
                # the person shows their card: no new card, the offer is withdrawn
                self._resolve(other, made["offer_id"], "same_person")
                req, _pending = holder.start_issuance(offer, entry)
                with contextlib.suppress(ServiceError):
                    public.issue(wire_encode(req))
                    reg.outcome = "issued_after_catch"  # must never happen
            else:
                req, pending = holder.start_issuance(offer, entry)
                issued = decode(public.issue(wire_encode(req)), IssuedCredential)
                reg.holder, reg.credential = holder, holder.finish_issuance(pending, issued, entry, schema)
            self.second.append(reg)

    def enrol_second_cards(self, online_url: str, online_key: str, desk: str, scope: str,
                           trust_list: TrustList) -> dict[int, bytes]:
        """People who slipped through try to collect again with the second card, online."""
        from sdk.credential.schema import date_to_days
        from sdk.wire import PredicateSpec

        schema = household_schema(HOUSEHOLD_VERSION)
        client = ServiceClient(online_url, online_key)
        enrolled: dict[int, bytes] = {}
        today = dt.datetime.now(dt.UTC).date()
        for reg in self.second:
            if reg.credential is None or reg.holder is None:
                continue
            issuers = [i.kid for i in trust_list.payload.issuers if schema.ref in i.schemas]
            request = build_request(
                verifier_id=desk, scope=scope, issuers=issuers, schema=schema, disclose=("region",),
                predicates=(PredicateSpec("valid_until", "ge", (date_to_days(today),)),),
                purpose={"en": "Cash assistance round (checked online)"}, now=int(time.time()))
            rr = read_request(request, trust_list, now=int(time.time()))
            try:
                pres = reg.holder.present(reg.holder.assess(rr, [reg.credential], trust_list, now=int(time.time())))
                out = client.verify(request, pres, enroll=True)
            except ServiceError:
                continue
            if out.get("pseudonym"):
                enrolled[reg.household] = bytes.fromhex(str(out["pseudonym"]))
        return enrolled

    def finish(self, report: Any, households: list[Any], cfg: Any, trust_list: TrustList, dep: Any,
               first_enrolled: dict[int, bytes]) -> None:
        """After the round: the second registrations, the second cards' enrolment attempts,
        and the counts and invariants in the report."""
        self.second_registrations(households, tuple(cfg.registering_agencies), cfg.linkage_share, trust_list,
                                  cfg.backend)
        desk, key = next(iter(dep.online_keys.items()))
        second = self.enrol_second_cards(dep.url, key, desk, dep.scope, trust_list)
        self.record(report, first_enrolled, second)

    # -- report ---------------------------------------------------------------------
    def record(self, report: Any, first_enrolled: dict[int, bytes], second_enrolled: dict[int, bytes]) -> None:
        caught = sum(1 for r in self.second if r.outcome == "possible_match")
        slipped = sum(1 for r in self.second if r.outcome == "issued_after_catch")
        missed = sum(1 for r in self.second if r.outcome == "no_match")
        twice = sorted(i for i in second_enrolled if i in first_enrolled
                       and first_enrolled[i] != second_enrolled[i])
        report.phases["linkage"] = {
            "registration checks": sum(self.first_checks.values()) + len(self.second),
            "second registrations": len(self.second),
            "caught at registration": caught,
            "missed": missed,
            "false matches": self.first_checks.get("possible_match", 0),
            "missed and enrolled twice": len(twice),
            "variations": dict(sorted(self.variations.items())),
            "check p95 ms (HTTP)": _p95(self.check_ms),
            "encode p95 ms (2 stewards)": _p95(self.encode_ms),
        }
        report.phase_invariants["each person enrolled at most once per scope"] = not twice
        report.phase_invariants["no card issued after a possible match"] = slipped == 0


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return round(s[min(len(s) - 1, round(0.95 * (len(s) - 1)))], 1)
