"""Normalisation of a person's identifying fields for matching (specs/linkage.md §2).

Registrars write the same person in many ways: Arabic script or one of several Latin
spellings, the family name first or last, particles (al-, el-, bin, abu ...) kept or dropped,
dates of birth as YYYY-MM-DD, YYYYMMDD or a year only, day and month swapped. ``normalise``
maps all of these to one canonical form so the encodings of :mod:`sdk.linkage.encode` agree:

- names: NFKC, Arabic script transliterated (ICU ``Arabic-Latin`` when PyICU is installed,
  else ``anyascii``), diacritics removed, lower case, split into tokens, particles dropped,
  ``abd``/``abdul``/``abdel`` + name joined into one token, frequent variants mapped to one
  spelling (Mohammed / Muhammad / Mohamed / محمد -> ``muhammad``);
- :func:`skeleton` reduces a token to its consonant skeleton (Arabic script writes no short
  vowels, so ``محمد`` and ``Mohammed`` only agree on ``mhmd``);
- date of birth: year, month, day (month/day may be missing); a month above 12 with a day
  at most 12 is read as swapped;
- sex ``f``/``m``, admin area as lower-case ASCII words, phone as its last 9 digits,
  identity number as upper-case letters and digits.

Bad values raise :class:`sdk.errors.EncodingError` with the field named; nothing is dropped
silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from sdk.errors import EncodingError
from sdk.reasons import LinkageReason

__all__ = [
    "ARABIC_VARIANTS",
    "PARTICLES",
    "VARIANTS",
    "NormalisedPerson",
    "PersonRecord",
    "normalise",
    "normalise_name",
    "parse_date",
    "skeleton",
    "transliterate",
]

MAX_FIELD = 200  # characters per field; longer input is refused, not truncated

# Particles dropped wherever they stand (Arabic article and kinship words, common European
# particles). "abd" is NOT a particle: it is joined to the next token (Abd al-Rahman).
PARTICLES = frozenset({
    "al", "el", "ul", "ad", "ar", "as", "at", "an", "az", "ash", "bin", "ben", "ibn", "bint",
    "abu", "abou", "abo", "ould", "walad", "bou", "de", "da", "di", "du", "del", "della", "van",
    "von", "der", "den", "la", "le",
})
_ABD = ("abdul", "abdel", "abdal", "abdur", "abdar", "abdus", "abdou", "abdu", "abd")

# Frequent names with spellings whose consonant skeletons differ; canonical form first.
VARIANTS: dict[str, tuple[str, ...]] = {
    "muhammad": ("mohammed", "mohamed", "mohammad", "mohamad", "muhammed", "muhamed", "mohd",
                 "mhd", "md", "mehmet", "mehmed", "mamadou", "mamadu", "mahomet", "mouhamed",
                 "mouhammad", "mohamud", "mahamed"),
    "ahmad": ("ahmed", "ahmet", "ahmad", "achmad", "ahmadou", "amadou"),
    "yusuf": ("youssef", "yousef", "yusef", "youssouf", "yousif", "yousuf", "jusuf"),
    "ibrahim": ("ebrahim", "ibraheem", "ebraheem", "brahim", "ibrahima"),
    "husayn": ("hussein", "husain", "hussain", "hossein", "hosein", "husein", "houssein"),
    "hasan": ("hassan", "hasan", "hassen", "hacen"),
    "abdullah": ("abdallah", "abdulla", "abdalla", "abdellah", "abdoulaye"),
    "fatima": ("fatimah", "fatma", "fatmah", "fatouma", "fadime", "fatime"),
    "aisha": ("aicha", "ayesha", "aysha", "aishah", "ayse", "aishatu"),
    "khadija": ("khadijah", "kadija", "hatice", "khadidja", "khadiga"),
    "umar": ("omar", "umar", "omer", "oumar"),
    "uthman": ("othman", "osman", "usman", "ousmane", "othmane", "uthman"),
    "mustafa": ("moustafa", "mostafa", "mustapha", "moustapha", "mostapha"),
    "yahya": ("yehia", "yahia", "yehya"),
    "zaynab": ("zainab", "zeinab", "zaynab", "zineb", "zeynep"),
    "maryam": ("mariam", "meryem", "mariem", "maryem"),
    "khalid": ("khaled", "khalid", "halid"),
    "jamal": ("gamal", "djamel", "jamel"),
}

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+")
_SPLIT = re.compile(r"[^a-z0-9]+")
_VOWELS = frozenset("aeiou")
_APOSTROPHES = re.compile(r"[\u02bf\u02be\u02bb\u02bc\u2018\u2019'`\u0621]")


@cache
def _icu_transliterator() -> Callable[[str], str] | None:
    try:
        import icu  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    tr = icu.Transliterator.createInstance("Arabic-Latin; Latin-ASCII")
    return lambda s: str(tr.transliterate(s))


def _arabic_word(word: str) -> str:
    """Arabic-specific steps before transliteration: known names, the article, abd, ta marbuta."""
    if word in ARABIC_VARIANTS:
        return f" {ARABIC_VARIANTS[word]} "
    if word == "عبد":
        return " abd "
    for article in ("ال", "أل"):
        if word.startswith(article) and len(word) > len(article) + 1:
            word = word[len(article):]
            if word in ARABIC_VARIANTS:
                return f" {ARABIC_VARIANTS[word]} "
    # ta marbuta is written -a/-ah in Latin spellings, never -t: map it to ha (dropped later)
    return word.replace("ة", "ه") + " "


def transliterate(text: str) -> str:
    """Latin ASCII form of ``text``: Arabic through ICU (or anyascii), diacritics removed."""
    text = unicodedata.normalize("NFKC", text)
    if _ARABIC.search(text):
        text = _ARABIC_WORD.sub(lambda m: _arabic_word(m.group(0)), text)
        icu_tr = _icu_transliterator()
        if icu_tr is not None:
            text = icu_tr(text)
    # ayn and hamza (ʿ ʾ ' ` ’) are not written in most Latin spellings: drop them, do not split
    text = _APOSTROPHES.sub("", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
        if not text.isascii():
            from anyascii import anyascii

            text = anyascii(text)
    return text.lower()


_VARIANT_OF: dict[str, str] = {v: canon for canon, vs in VARIANTS.items() for v in (*vs, canon)}


@lru_cache(maxsize=1 << 16)
def skeleton(token: str) -> str:
    """Consonant skeleton: ``ch`` -> ``sh``, ``q``/``c`` -> ``k``, vowels and non-initial
    ``w``/``y`` dropped, doubled letters collapsed, a final ``h`` dropped (not the h of sh, kh, th, dh, gh).

    Arabic script writes long vowels as w/y and no short vowels at all, so only the
    consonants of a Latin spelling can agree with a transliteration from Arabic."""
    s = token.replace("ch", "sh").replace("q", "k").replace("ck", "k").replace("c", "k")
    out: list[str] = []
    for i, ch in enumerate(s):
        if not ch.isalpha() or ch in _VOWELS or (i > 0 and ch in "wy"):
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    if len(out) > 1 and out[-1] == "h" and out[-2] not in "sktdgzc":  # keep sh, kh, th, dh, gh, zh
        out.pop()
    return "".join(out)


# The usual Arabic spelling of the names in VARIANTS (looked up before transliteration, so that
# محمد and محمود, which share the skeleton mhmd, stay apart).
ARABIC_VARIANTS: dict[str, str] = {
    "محمد": "muhammad", "أحمد": "ahmad", "احمد": "ahmad", "يوسف": "yusuf", "إبراهيم": "ibrahim",
    "ابراهيم": "ibrahim", "حسين": "husayn", "حسن": "hasan", "عبدالله": "abdullah",
    "فاطمة": "fatima", "عائشة": "aisha", "عايشة": "aisha", "خديجة": "khadija", "عمر": "umar",
    "عثمان": "uthman", "مصطفى": "mustafa", "يحيى": "yahya", "زينب": "zaynab", "مريم": "maryam",
    "خالد": "khalid", "جمال": "jamal",
}


def normalise_name(text: str, *, field_name: str = "name") -> tuple[str, ...]:
    """Canonical Latin tokens of one name field (order kept; particles dropped)."""
    if len(text) > MAX_FIELD:
        raise EncodingError(f"{field_name} is longer than {MAX_FIELD} characters",
                            reason=LinkageReason.FIELD_TOO_LONG)
    words = [w for w in _SPLIT.split(transliterate(text)) if w]
    tokens: list[str] = []
    pending_abd = False
    for w in words:
        if w.isdigit():
            continue
        if pending_abd:
            if w in PARTICLES:
                continue
            tokens.append("abd" + w)
            pending_abd = False
            continue
        if w in PARTICLES:
            continue
        stem = next((p for p in _ABD if w.startswith(p)), None)
        if stem is not None and w not in _VARIANT_OF:
            rest = w[len(stem):]
            if not rest:
                pending_abd = True
                continue
            w = "abd" + rest
        tokens.append(w)
    if pending_abd:
        tokens.append("abd")
    canon = []
    for tok in tokens:
        canon.append(_VARIANT_OF.get(tok, tok))
    return tuple(canon)


_DATE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})(\d{2})$"), ("y", "m")),
    (re.compile(r"^(\d{4})$"), ("y",)),
]


def parse_date(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a date of birth; month/day None when the date is partial.

    Accepts YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, DD/MM/YYYY (also with . or -), YYYY-MM, YYYYMM,
    YYYY. A month above 12 with a day of at most 12 is taken as a day/month swap."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None, None, None
    for rx, order in _DATE_FORMS:
        m = rx.match(s)
        if m is None:
            continue
        parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
        y, mo, d = parts["y"], parts.get("m"), parts.get("d")
        if mo is not None and d is not None and mo > 12 >= d:
            mo, d = d, mo
        if not 1800 <= y <= 2200 or (mo is not None and not 1 <= mo <= 12) or (
                d is not None and not 1 <= d <= 31):
            break
        return y, mo, d
    raise EncodingError(
        f"date of birth {text!r} is not a date: use YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY",
        reason=LinkageReason.BAD_DATE,
    )


_SEX = {"f": "f", "female": "f", "w": "f", "woman": "f", "girl": "f", "2": "f", "أنثى": "f",
        "انثى": "f", "m": "m", "male": "m", "man": "m", "boy": "m", "1": "m", "ذكر": "m"}


@dataclass(frozen=True)
class PersonRecord:
    """A person's identifying fields as a registrar or a beneficiary list writes them."""

    given_name: str
    family_name: str
    date_of_birth: str | None = None
    sex: str | None = None
    admin_area: str | None = None
    phone: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class NormalisedPerson:
    """The canonical form that encodings are built from (never stored or sent as is)."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    dob_year: int | None = None
    dob_month: int | None = None
    dob_day: int | None = None
    sex: str = ""
    admin_area: str = ""
    phone: str = ""
    id_number: str = ""


def _check_len(value: str | None, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EncodingError(f"{name} must be text", reason=LinkageReason.BAD_FIELD)
    if len(value) > MAX_FIELD:
        raise EncodingError(f"{name} is longer than {MAX_FIELD} characters", reason=LinkageReason.FIELD_TOO_LONG)
    return value.strip()


def normalise(record: PersonRecord) -> NormalisedPerson:
    """The canonical form of ``record``; raises EncodingError naming a bad field."""
    given = normalise_name(_check_len(record.given_name, "given_name"), field_name="given_name")
    family = normalise_name(_check_len(record.family_name, "family_name"), field_name="family_name")
    y, mo, d = parse_date(_check_len(record.date_of_birth, "date_of_birth"))
    sex_raw = _check_len(record.sex, "sex").lower()
    if sex_raw and sex_raw not in _SEX:
        raise EncodingError(f"sex {record.sex!r} is not one of f, m, female, male", reason=LinkageReason.BAD_SEX)
    area = " ".join(w for w in _SPLIT.split(transliterate(_check_len(record.admin_area, "admin_area")))
                    if w)
    phone_raw = _check_len(record.phone, "phone")
    # isdecimal() also takes Arabic-Indic digits; unicodedata.decimal maps them to 0-9
    digits = "".join(str(unicodedata.decimal(c)) for c in phone_raw if c.isdecimal())
    if phone_raw and len(digits) < 6:
        raise EncodingError(f"phone {record.phone!r} has fewer than 6 digits", reason=LinkageReason.BAD_PHONE)
    id_raw = _check_len(record.id_number, "id_number")
    id_number = "".join(c for c in transliterate(id_raw).upper() if c.isalnum())
    if not given and not family and y is None and not digits and not id_number:
        raise EncodingError("nothing to match on: no name, date of birth, phone or id number",
                            reason=LinkageReason.NO_NAME)
    return NormalisedPerson(
        given=given, family=family, dob_year=y, dob_month=mo, dob_day=d,
        sex=_SEX.get(sex_raw, ""), admin_area=area, phone=digits[-9:], id_number=id_number,
    )
