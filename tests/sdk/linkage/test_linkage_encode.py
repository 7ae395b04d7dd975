"""Match records, comparison, link and cluster on generated lists with known answers."""

from __future__ import annotations

import random

import pytest

from sdk.errors import EncodingError, ParameterError
from sdk.linkage import (
    MatchRecord,
    PersonRecord,
    cluster,
    compare,
    deal_shares,
    encode,
    link,
    local_evaluator,
    normalise,
)
from zkaid.persons import household_people, render


@pytest.fixture(scope="module")
def evaluator():  # type: ignore[no-untyped-def]
    _, shares = deal_shares(2, 3)
    return local_evaluator(shares, 2)


def persons(rows):  # type: ignore[no-untyped-def]
    return [normalise(PersonRecord(r.given_name, r.family_name, r.date_of_birth or None, r.sex or None,
                                   r.admin_area or None, r.phone or None)) for r in rows]


def test_one_round_trip_for_many_records() -> None:
    calls: list[int] = []
    _, shares = deal_shares(2, 3)
    inner = local_evaluator(shares, 2)

    def counting(xs: list[bytes]) -> list[bytes]:
        calls.append(len(xs))
        return inner(xs)

    ps = persons(render(p, random.Random(1), vary=False) for p in household_people(30, random.Random(2)))
    recs = encode(ps + ps, counting)
    assert len(calls) == 1 and calls[0] <= sum(len(r.keys) for r in recs[:30])
    assert recs[:30] == recs[30:]


def test_match_record_bytes_round_trip_and_limits(evaluator) -> None:  # type: ignore[no-untyped-def]
    rec = encode([normalise(PersonRecord("Ali", "Omar", "1990-01-02", "m", "Irbid", "0791234567"))], evaluator)[0]
    assert MatchRecord.from_bytes(rec.to_bytes()) == rec
    assert compare(rec, rec) == 1.0
    for junk in (b"", b"\xa0", rec.to_bytes()[:-1], b"\x83\x01\x80\x40", b"\x00" * 5000):
        with pytest.raises(EncodingError):
            MatchRecord.from_bytes(junk)
    with pytest.raises(EncodingError):
        MatchRecord((b"short",), b"")


def test_records_without_a_shared_key_are_not_comparable(evaluator) -> None:  # type: ignore[no-untyped-def]
    a, b = encode([normalise(PersonRecord("Ali", "Omar", "1990-01-02")),
                   normalise(PersonRecord("Sara", "Haddad", "1971-05-06"))], evaluator)
    assert not set(a.keys) & set(b.keys)
    assert compare(a, b) == 0.0


def test_spellings_scripts_and_date_swaps_link(evaluator) -> None:  # type: ignore[no-untyped-def]
    left = [PersonRecord("Mohammed Ahmed", "Al-Hassan", "1985-03-07", "m", "Irbid", "0791234567"),
            PersonRecord("Fatima", "Haddad", "1990-11-02", "f", "Zarqa"),
            PersonRecord("Layla", "Mansour", "2001-06-30", "f", "Mafraq")]
    right = [PersonRecord("Sara", "Khatib", "1979-01-01", "f", "Irbid"),
             PersonRecord("فاطمة", "الحداد", "1990-02-11", "F", "Zarqa"),  # day/month swapped
             PersonRecord("محمد أحمد", "الحسن", "19850307", "", "", "+962 79 123 4567")]
    pairs = link(encode([normalise(p) for p in left], evaluator),
                 encode([normalise(p) for p in right], evaluator))
    assert pairs == [(0, 2), (1, 1)]


def test_link_on_generated_lists_with_known_answer(evaluator) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    people = household_people(160, rng)
    left = people[:100]
    right = people[60:]  # 40 people on both lists
    lrec = encode(persons(render(p, rng, vary=False) for p in left), evaluator)
    rrec = encode(persons(render(p, rng, vary=False) for p in right), evaluator)
    assert link(lrec, rrec) == [(60 + j, j) for j in range(40)]
    # with realistic variations most of them are still found, and found pairs are right
    lrec2 = encode(persons(render(p, rng) for p in left), evaluator)
    rrec2 = encode(persons(render(p, rng) for p in right), evaluator)
    found = link(lrec2, rrec2)
    right_pairs = sum(1 for i, j in found if left[i].pid == right[j].pid)
    assert right_pairs >= 30 and right_pairs >= 0.9 * len(found)


def test_cluster_finds_the_duplicates_inside_a_list(evaluator) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    people = household_people(80, rng)
    rows = [render(p, rng, vary=False) for p in people]
    dup_of = {80: 3, 81: 17, 82: 17, 83: 50}
    rows += [render(people[i], rng, vary=False) for i in dup_of.values()]
    groups = cluster(encode(persons(rows), evaluator))
    assert groups == [[3, 80], [17, 81, 82], [50, 83]]


def test_threshold_is_checked(evaluator) -> None:  # type: ignore[no-untyped-def]
    recs = encode([normalise(PersonRecord("Ali", "Omar", "1990"))], evaluator)
    for bad in (0.0, -1.0, 1.5):
        with pytest.raises(ParameterError):
            link(recs, recs, bad)
        with pytest.raises(ParameterError):
            cluster(recs, bad)
