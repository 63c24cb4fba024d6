"""The figures of law for an election, read from LegalFigure rows (loaded from compliance/data/figures/).

``figures_for(election)`` loads an election's file the first time it is asked for, so a fresh install needs no
extra step; ``legal_figures_load`` (and the ``load_legal_figures`` command) replace them from a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.models import FigureKey, LegalFigure

FIGURES_DIR = Path(__file__).resolve().parent / "data" / "figures"


class MissingFigure(LookupError):
    """The election has no such figure: the product refuses to guess one."""


@dataclass(frozen=True)
class Figure:
    value: Decimal
    source: str
    url: str
    checked_on: str
    note: str


class Figures:
    """The figures of one election, by key and part of the UK."""

    def __init__(self, election, rows: list[LegalFigure]) -> None:
        self.election = election
        self._rows = {(row.key, row.part): row for row in rows}

    def __bool__(self) -> bool:
        return bool(self._rows)

    def get(self, key: FigureKey | str, part: str = "") -> Figure:
        row = self._rows.get((str(key), part))
        if row is None:
            raise MissingFigure(f"No figure {key}{f' for {part}' if part else ''} is loaded for {self.election}.")
        return Figure(row.value, row.source, row.url, row.checked_on.isoformat(), row.note)

    def value(self, key: FigureKey | str, part: str = "") -> Decimal:
        return self.get(key, part).value

    def rows(self) -> list[LegalFigure]:
        return list(self._rows.values())


def figures_for(election) -> Figures:
    rows = list(LegalFigure.objects.filter(election=election))
    if not rows and (FIGURES_DIR / f"{election.slug}.json").exists():
        legal_figures_load(election=election)
        rows = list(LegalFigure.objects.filter(election=election))
    return Figures(election, rows)


@transaction.atomic
def legal_figures_load(*, election, path: Path | None = None) -> int:
    """Replace the election's figures with those of ``path`` (default: the file named after its slug).

    All or nothing: a file with any bad row changes nothing and every bad row is reported."""
    path = path or FIGURES_DIR / f"{election.slug}.json"
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    keys = set(FigureKey.values)
    problems, rows = [], []
    for number, item in enumerate(data.get("figures", []), start=1):
        try:
            if item["key"] not in keys:
                raise ValueError(f"unknown key {item['key']!r}")
            row = LegalFigure(
                election=election,
                key=item["key"],
                part=item.get("part", ""),
                value=Decimal(str(item["value"])),
                source=item["source"],
                url=item.get("url", ""),
                checked_on=item["checked_on"],
                note=item.get("note", ""),
            )
            row.full_clean(exclude=["election"])
            rows.append(row)
        except (KeyError, ValueError, ArithmeticError, ValidationError) as error:
            problems.append(f"figure {number}: {error}")
    if problems:
        raise ValidationError(problems)
    LegalFigure.objects.filter(election=election).delete()
    LegalFigure.objects.bulk_create(rows)
    return len(rows)
