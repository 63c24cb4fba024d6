"""Synthetic electoral registers of any size, for tests, the demo and the benchmarks. Never a real register.

:func:`write_register` writes a council export in the common layout (``Elector Number Prefix``, ``Elector
Number``, ``Elector Number Suffix``, ``Elector Markers``, ``Elector DOB``, ``Elector Name``, ``PostCode``,
``Address1``..``Address6``): polling districts of about 2,500 electors, in street order, streets of houses
(odd and even sides) and blocks of flats, households of one to five electors, franchise markers, attainers and
suffixed electors added to a household later. :func:`write_absent_voters` writes the matching postal/proxy
list. The same seed always gives the same file; rows are generated one at a time, so any size fits in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from typing import BinaryIO

HEADERS = [
    "Elector Number Prefix",
    "Elector Number",
    "Elector Number Suffix",
    "Elector Markers",
    "Elector DOB",
    "Elector Name",
    "PostCode",
    "Address1",
    "Address2",
    "Address3",
    "Address4",
    "Address5",
    "Address6",
]
ELECTORS_PER_DISTRICT = 2500


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Khan Hughes Edwards Lewis Hill Moore Clark Harrison "
    "Scott Young Morris Ward Turner Cooper King Baker Allen Mitchell Kelly Begum Wong Nowak Okafor Murphy "
    "Rossi Silva Kowalski Mensah Ahmed Singh Ali Hussain Chen Novak Byrne Doyle Price Bell Bailey Cox "
    "Shaw Lloyd Ellis"
)
FORENAMES = _words(
    "Oliver George Harry Jack Noah Leo Arthur Muhammad Oscar Charlie Jacob Thomas Henry William Amelia "
    "Olivia Isla Ava Mia Ivy Lily Isabella Sophia Grace Freya Florence Emily Ella Aisha Maryam Zara Priya "
    "Anna Maria Sarah David James John Michael Daniel Joseph Samuel Adam Yusuf Omar Ibrahim Chloe Ruth "
    "Helen Karen Paul Mark Peter Susan Margaret Patricia Linda Barbara Elizabeth Fatima Amir Tomasz Ewa "
    "Kwame Chidi Aoife Sean"
)
STREET_NAMES = _words(
    "High Mill Church Station Park Victoria Queens Kings Green Manor Chapel Grove Windsor York Albert Oak "
    "Elm Cedar Beech Willow Meadow Orchard Springfield Highfield Woodland Brook Castle Bridge Market Hill "
    "Richmond Cambridge Stanley Clarence Grange Ashgrove Hawthorn Rosebery Belmont Fairview Kingsley "
    "Milton"
)
STREET_KINDS = ("Road", "Street", "Avenue", "Close", "Gardens", "Lane", "Drive", "Way", "Crescent", "Terrace")
BLOCK_NAMES = ("Court", "House", "Heights", "Lodge", "Point", "Mansions")
TOWN = "Newtown"
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# (marker, per-mille): F overseas, G/K EU citizens, M qualifying foreign national, L peer.
MARKERS = (("F", 8), ("G", 20), ("K", 6), ("M", 4), ("L", 1))


def district_codes(count: int) -> list[str]:
    """``KA``, ``KB``, ... ``KZ``, ``LA``, ...: two letters per polling district."""
    return [chr(ord("K") + (i // 26) % 16) + chr(ord("A") + i % 26) for i in range(count)]


def _households(rng: random.Random, electors: int) -> Iterator[tuple[list[str], str, list[str]]]:
    """Yield (address lines, postcode, surnames of its electors) in street order until ``electors`` are placed."""
    placed = 0
    street_number = 0
    streets_used: set[str] = set()  # a street name once per polling district
    while placed < electors:
        street_number += 1
        street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}"
        while street in streets_used and len(streets_used) < len(STREET_NAMES) * len(STREET_KINDS):
            street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}"
        streets_used.add(street)
        outward = f"NT{rng.randint(1, 20)}"
        houses = rng.randint(10, 80)
        for number in range(1, houses + 1):
            if placed >= electors:
                return
            if number % 12 == 1:  # a postcode covers a dozen or so doors
                postcode = f"{outward} {rng.randint(1, 9)}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
            if rng.random() < 0.06:  # a block of flats at this number
                block = f"{rng.choice(STREET_NAMES)} {rng.choice(BLOCK_NAMES)}"
                for flat in range(1, rng.randint(6, 24) + 1):
                    size = rng.choice((1, 1, 2, 2, 3))
                    surnames = [rng.choice(SURNAMES)] * min(size, electors - placed)
                    if not surnames:
                        return
                    yield [f"Flat {flat}", block, f"{number} {street}", TOWN], postcode, surnames
                    placed += len(surnames)
                continue
            size = rng.choice((1, 2, 2, 2, 3, 3, 4, 5))
            family = rng.choice(SURNAMES)
            size = min(size, electors - placed)
            surnames = [family if rng.random() < 0.8 else rng.choice(SURNAMES) for _ in range(size)]
            yield [f"{number} {street}", TOWN], postcode, surnames
            placed += len(surnames)


def register_rows(electors: int, *, seed: int = 1, polling_day: dt.date | None = None) -> Iterator[list[str]]:
    """The register's rows (without the header), deterministic for ``seed``."""
    rng = random.Random(seed)
    polling_day = polling_day or dt.date(2029, 5, 3)
    districts = district_codes(max(1, -(-electors // ELECTORS_PER_DISTRICT)))
    remaining = electors
    for code in districts:
        size = min(ELECTORS_PER_DISTRICT, remaining)
        remaining -= size
        number, suffix = 0, "0"
        for lines, postcode, surnames in _households(rng, size):
            for position, surname in enumerate(surnames):
                if position and suffix == "0" and rng.random() < 0.03:
                    suffix = "1"  # added to the household later: the previous number with a suffix
                else:
                    number, suffix = number + 1, "0"
                roll = rng.randint(1, 1000)
                markers, cumulative = "", 0
                for marker, per_mille in MARKERS:
                    cumulative += per_mille
                    if roll <= cumulative:
                        markers = marker
                        break
                dob = ""
                if rng.random() < 0.015:  # an attainer: turns 18 within the year before polling day
                    dob = (polling_day - dt.timedelta(days=rng.randint(-60, 300))).strftime("%d/%m/%Y")
                forenames = rng.choice(FORENAMES)
                if rng.random() < 0.4:
                    forenames += f" {rng.choice(FORENAMES)}"
                address = ([*lines, "", "", "", "", "", ""])[:6]
                yield [code, str(number), suffix, markers, dob, f"{surname}, {forenames}", postcode, *address]


def write_register(out: BinaryIO, electors: int, *, seed: int = 1, encoding: str = "utf-8") -> int:
    """Write a synthetic register of ``electors`` rows as CSV to the binary file ``out``; returns the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    count = 0
    for row in register_rows(electors, seed=seed):
        writer.writerow(row)
        count += 1
        if buffer.tell() > 1 << 20:
            out.write(buffer.getvalue().encode(encoding))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode(encoding))
    return count


def write_absent_voters(out: BinaryIO, electors: int, *, seed: int = 1, share: float = 0.2) -> int:
    """Write the absent-voter list for the register of the same ``electors`` and ``seed``: about ``share``
    postal voters and a few proxies, as ``Elector Number`` (``KA-12/1``) and ``Absent Type``."""
    rng = random.Random(seed + 7919)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Elector Number", "Absent Type"])
    count = 0
    for row in register_rows(electors, seed=seed):
        roll = rng.random()
        if roll < share:
            kind = "P"
        elif roll < share + 0.01:
            kind = "X"
        else:
            continue
        number = f"{row[0]}-{row[1]}" + (f"/{row[2]}" if row[2] != "0" else "")
        writer.writerow([number, kind])
        count += 1
    out.write(buffer.getvalue().encode())
    return count
