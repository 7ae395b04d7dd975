"""Synthetic households with Arabic names, written as registrars really write them.

Used by ``bench/linkage.py``, the tests of ``zkaid dedup`` and the pilot: each person has a
true identity (Arabic script given name, father's name and family name, date of birth, sex,
area, household phone) and every *rendering* of that person picks a script or one of several
Latin spellings, may add or drop particles, put the family name first, misspell a letter,
write the date in another format (or the year only, or day and month swapped) and leave a
field out. All names here are common names; no real person is described.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Person", "RenderedRow", "household_people", "render"]

# (Arabic script, Latin spellings...)
MALE = [
    ("محمد", "Mohammed", "Muhammad", "Mohamed", "Mohamad"), ("أحمد", "Ahmed", "Ahmad", "Ahmet"),
    ("علي", "Ali", "Aly"), ("عمر", "Omar", "Umar", "Omer"), ("يوسف", "Youssef", "Yusuf", "Yousef"),
    ("خالد", "Khaled", "Khalid"), ("حسن", "Hassan", "Hasan"), ("حسين", "Hussein", "Husain", "Hussain"),
    ("إبراهيم", "Ibrahim", "Ebrahim"), ("مصطفى", "Mustafa", "Moustafa", "Mostafa"),
    ("عبد الله", "Abdullah", "Abdallah", "Abd Allah"), ("عبد الرحمن", "Abdulrahman", "Abd al-Rahman", "Abdelrahman"),
    ("سعيد", "Said", "Saeed", "Saied"), ("محمود", "Mahmoud", "Mahmud"), ("كريم", "Karim", "Kareem"),
    ("طارق", "Tariq", "Tarek", "Tarik"), ("سامي", "Sami", "Samy"), ("ماجد", "Majed", "Majid"),
    ("فيصل", "Faisal", "Faysal"), ("ناصر", "Nasser", "Naser"), ("جمال", "Jamal", "Gamal"),
    ("رامي", "Rami", "Ramy"), ("زياد", "Ziad", "Ziyad"), ("وليد", "Walid", "Waleed"),
    ("بلال", "Bilal", "Belal"), ("حمزة", "Hamza", "Hamzah"), ("أنس", "Anas"), ("عماد", "Imad", "Emad"),
    ("هشام", "Hisham", "Hesham"), ("ياسر", "Yasser", "Yasir"), ("عادل", "Adel", "Adil"),
    ("سليمان", "Suleiman", "Sulaiman", "Soliman"), ("نبيل", "Nabil", "Nabeel"), ("منير", "Mounir", "Munir"),
    ("رشيد", "Rachid", "Rashid", "Rasheed"), ("شريف", "Sherif", "Sharif", "Cherif"),
]
FEMALE = [
    ("فاطمة", "Fatima", "Fatimah", "Fatma"), ("عائشة", "Aisha", "Aicha", "Ayesha"),
    ("مريم", "Maryam", "Mariam", "Meryem"), ("زينب", "Zainab", "Zeinab", "Zaynab"),
    ("خديجة", "Khadija", "Khadijah"), ("نور", "Nour", "Noor", "Nur"), ("سارة", "Sara", "Sarah"),
    ("ليلى", "Layla", "Leila", "Laila"), ("هدى", "Huda", "Hoda"), ("رنا", "Rana"),
    ("سلمى", "Salma", "Selma"), ("أمل", "Amal"), ("هبة", "Heba", "Hiba"), ("دينا", "Dina", "Deena"),
    ("رحمة", "Rahma", "Rahmah"), ("ياسمين", "Yasmin", "Yasmine", "Jasmin"), ("منى", "Mona", "Muna"),
    ("سعاد", "Souad", "Suad"), ("جميلة", "Jamila", "Djamila", "Jameela"), ("حليمة", "Halima", "Halimah"),
    ("رقية", "Ruqayya", "Roqaya"), ("أسماء", "Asma", "Asmaa"), ("إيمان", "Iman", "Eman"),
    ("لبنى", "Lubna", "Loubna"), ("نادية", "Nadia", "Nadiya"), ("وفاء", "Wafaa", "Wafa"),
    ("غادة", "Ghada", "Rhada"), ("شيماء", "Shaimaa", "Chaymae"), ("بشرى", "Bushra", "Bochra"),
]
FAMILY = [
    ("الحسن", "Al-Hassan", "El Hassan", "Alhassan"), ("العلي", "Al-Ali", "El Ali"),
    ("الخطيب", "Al-Khatib", "El Khatib", "Khatib"), ("النجار", "Al-Najjar", "Najjar", "El Naggar"),
    ("الحداد", "Al-Haddad", "Haddad"), ("الشامي", "Al-Shami", "Shami", "Chami"),
    ("المصري", "Al-Masri", "Masri", "El Masry"), ("العمر", "Al-Omar", "Al Umar"),
    ("الزعبي", "Al-Zoubi", "Zoubi", "Al Zu'bi"), ("السعيد", "Al-Saeed", "El Said"),
    ("القاسم", "Al-Qasim", "Al Kassem", "Qassem"), ("الحلبي", "Al-Halabi", "Halabi"),
    ("العبد الله", "Al-Abdullah", "Abdallah"), ("الأحمد", "Al-Ahmad", "Al Ahmed"),
    ("حمدان", "Hamdan", "Hamdane"), ("سلامة", "Salameh", "Salama", "Salamah"),
    ("عثمان", "Othman", "Osman", "Uthman"), ("منصور", "Mansour", "Mansur"),
    ("يوسف", "Youssef", "Yousef", "Yusuf"), ("إبراهيم", "Ibrahim", "Ebrahim"),
    ("درويش", "Darwish", "Darwich"), ("عيسى", "Issa", "Eissa"), ("خليل", "Khalil", "Khaleel"),
    ("سليمان", "Suleiman", "Sleiman"), ("نصار", "Nassar", "Nasar"), ("عودة", "Odeh", "Awda", "Ouda"),
    ("بكر", "Bakr", "Baker", "Bakir"), ("جابر", "Jaber", "Jabir", "Gaber"),
    ("الرفاعي", "Al-Rifai", "Rifai", "Refaie"), ("الطويل", "Al-Tawil", "Tawil", "El Taweel"),
    ("قاسم", "Qasem", "Kassem", "Kasim"), ("صالح", "Saleh", "Salih"), ("عباس", "Abbas", "Abas"),
    ("حسون", "Hassoun", "Hasson"), ("الكردي", "Al-Kurdi", "Kurdi", "El Kordy"),
    ("البيطار", "Al-Bitar", "Bitar", "Baytar"), ("الصباغ", "Al-Sabbagh", "Sabbagh"),
    ("الدباغ", "Al-Dabbagh", "Dabbagh"), ("الخياط", "Al-Khayat", "Khayyat"), ("الحمصي", "Al-Homsi", "Homsi"),
]
AREAS = ["Zaatari", "Mafraq", "Irbid", "Amman East", "Zarqa", "Ramtha", "Jerash", "Ajloun", "Madaba",
         "Karak", "Azraq", "Sahab", "Marka", "Ruseifa", "Baqaa", "Tafileh", "Maan", "Aqaba"]


@dataclass(frozen=True)
class Person:
    """The truth about one synthetic person (indexes into the name tables)."""

    pid: int
    given: int
    female: bool
    father: int
    family: int
    dob: tuple[int, int, int]
    area: str
    phone: str


@dataclass(frozen=True)
class RenderedRow:
    """One list row as a registrar wrote it (CSV columns of ``zkaid dedup``)."""

    pid: int
    given_name: str
    family_name: str
    date_of_birth: str
    sex: str
    admin_area: str
    phone: str
    id_number: str = ""


def household_people(n_persons: int, rng: random.Random) -> list[Person]:
    """About ``n_persons`` people in households of 1-7 sharing family, area and phone."""
    out: list[Person] = []
    while len(out) < n_persons:
        family = rng.randrange(len(FAMILY))
        area = rng.choice(AREAS)
        phone = "07" + "".join(rng.choice("0123456789") for _ in range(8))
        father = rng.randrange(len(MALE))
        used: set[tuple[bool, int]] = set()  # no two members of a household share a given name
        for _ in range(min(rng.randint(1, 7), n_persons - len(out))):
            female = rng.random() < 0.5
            table = FEMALE if female else MALE
            given = rng.randrange(len(table))
            while (female, given) in used:
                given = rng.randrange(len(table))
            used.add((female, given))
            dob = (rng.randint(1940, 2024), rng.randint(1, 12), rng.randint(1, 28))
            out.append(Person(len(out), given, female, father, family, dob, area, phone))
    return out


def _typo(s: str, rng: random.Random) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice("aeiouy") + s[i + 1:]


def render(p: Person, rng: random.Random, *, vary: bool = True) -> RenderedRow:
    """One way a registrar writes ``p``: clean (``vary=False``) or with realistic variations."""
    g_tab = (FEMALE if p.female else MALE)[p.given]
    f_tab, fam_tab = MALE[p.father], FAMILY[p.family]
    arabic = vary and rng.random() < 0.4
    if arabic:
        given, father, family = g_tab[0], f_tab[0], fam_tab[0]
    elif vary:
        given, father, family = rng.choice(g_tab[1:]), rng.choice(f_tab[1:]), rng.choice(fam_tab[1:])
    else:
        given, father, family = g_tab[1], f_tab[1], fam_tab[1]
    if vary and not arabic and rng.random() < 0.15:
        given = _typo(given, rng)
    if vary and not arabic and rng.random() < 0.1:
        family = _typo(family, rng)
    given_field = f"{given} {father}" if not vary or rng.random() < 0.7 else given
    family_field = family
    if vary and rng.random() < 0.1:  # family name written in the given-name column and back
        given_field, family_field = family_field, given_field
    y, m, d = p.dob
    r = rng.random() if vary else 0.0
    if r < 0.45:
        dob = f"{y:04d}-{m:02d}-{d:02d}"
    elif r < 0.7:
        dob = f"{y:04d}{m:02d}{d:02d}"
    elif r < 0.8:
        dob = f"{d:02d}/{m:02d}/{y:04d}"
    elif r < 0.87:
        dob = f"{y:04d}-{d:02d}-{m:02d}" if d <= 12 else f"{y:04d}-{m:02d}-{d:02d}"
    elif r < 0.94:
        dob = f"{y:04d}"
    else:
        dob = ""
    sex = ("F" if p.female else "M") if not vary or rng.random() < 0.9 else ""
    area = p.area if not vary or rng.random() < 0.85 else ""
    phone = p.phone if not vary or rng.random() < 0.8 else ""
    if phone and vary and rng.random() < 0.3:
        phone = "+962 " + phone[1:3] + " " + phone[3:6] + " " + phone[6:]
    return RenderedRow(p.pid, given_field, family_field, dob, sex, area, phone)
