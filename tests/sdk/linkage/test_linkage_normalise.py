"""Normalisation: one canonical form for Arabic/Latin spellings, particles, word order and dates."""

from __future__ import annotations

import pytest

from sdk.errors import EncodingError
from sdk.linkage.normalise import PersonRecord, normalise, normalise_name, parse_date, skeleton


@pytest.mark.parametrize("spellings", [
    ["Mohammed", "Muhammad", "Mohamed", "MOHAMAD", "محمد"],
    ["Fatima", "Fatimah", "Fatma", "فاطمة"],
    ["Youssef", "Yusuf", "Yousef", "يوسف"],
    ["Hussein", "Husain", "Hussain", "حسين"],
    ["Aisha", "Aicha", "Ayesha", "عائشة"],
    ["Abdullah", "Abdallah", "Abd Allah", "عبد الله"],
    ["Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "عبد الرحمن"],
])
def test_spellings_of_one_name_agree(spellings: list[str]) -> None:
    forms = {tuple(skeleton(t) for t in normalise_name(s)) for s in spellings}
    assert len(forms) == 1, forms


def test_frequent_variants_map_to_one_spelling() -> None:
    assert normalise_name("Mohammed Al-Hassan") == ("muhammad", "hasan")
    assert normalise_name("محمد الحسن") == ("muhammad", "hasan")
    assert normalise_name("محمود") != normalise_name("محمد")


def test_particles_case_and_diacritics() -> None:
    assert normalise_name("Al-Khatib") == normalise_name("el khatib") == normalise_name("KHATIB")
    assert normalise_name("Omar bin Khalid") == ("umar", "khalid")
    assert normalise_name("José  Müller-Lüdenscheidt") == ("jose", "muller", "ludenscheidt")


def test_skeleton_drops_what_arabic_script_does_not_write() -> None:
    assert skeleton("mohammed") == skeleton("mhmd") == "mhmd"
    assert skeleton("fatimah") == skeleton("ftm")  # final h of ta marbuta
    assert skeleton("aisha") == "sh"  # but the h of sh stays


def test_dates_full_partial_swapped() -> None:
    assert parse_date("1980-03-25") == parse_date("19800325") == parse_date("25/03/1980") == (1980, 3, 25)
    assert parse_date("1980-25-03") == (1980, 3, 25)  # a month above 12 is a day/month swap
    assert parse_date("1980") == (1980, None, None)
    assert parse_date("1980-07") == (1980, 7, None)
    assert parse_date("") == (None, None, None)
    for bad in ("1980-13-13", "yesterday", "19800230x", "0000", "1980-00-10"):
        with pytest.raises(EncodingError) as err:
            parse_date(bad)
        assert err.value.reason == "bad_date"


def test_other_fields() -> None:
    p = normalise(PersonRecord("Ali", "Omar", "1990-02", "female", "Amman - East", "+962 79 123 4567", "ab-123"))
    assert (p.dob_year, p.dob_month, p.dob_day) == (1990, 2, None)
    assert p.sex == "f" and p.admin_area == "amman east" and p.phone == "791234567" and p.id_number == "AB123"
    arabic_digits = normalise(PersonRecord("Ali", "Omar", phone="٠٧٩١٢٣٤٥٦٧"))
    assert arabic_digits.phone == "791234567"


@pytest.mark.parametrize("record", [
    PersonRecord("Ali", "Omar", sex="unknown"),
    PersonRecord("Ali", "Omar", phone="12"),
    PersonRecord("A" * 300, "Omar"),
    PersonRecord("", "", None),
])
def test_bad_fields_raise_typed_errors(record: PersonRecord) -> None:
    with pytest.raises(EncodingError):
        normalise(record)
