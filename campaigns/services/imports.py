"""Importing each data source: set-based, all-or-nothing, idempotent.

Each ``<source>_import`` parses and checks the whole file first (``campaigns.importers``), then, inside one
transaction, reads the rows it may touch (one query per table), compares them in memory, and writes only the new
and changed rows with one ``INSERT … ON CONFLICT DO UPDATE`` per table. The number of queries does not depend
on the number of rows; a re-run of the same file writes nothing and reports "no changes".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import connection, models, transaction
from django.utils import timezone

from campaigns import parties
from campaigns.importers.base import Counts, ImportRejected, ImportReport, Problem
from campaigns.importers.candidates import parse_dc_candidates
from campaigns.importers.demographics import parse_census_religion, parse_hoc_demographics
from campaigns.importers.hexmap import parse_hexjson
from campaigns.importers.notional import parse_notional
from campaigns.importers.results import (
    CandidateRow,
    ConstituencyResultRow,
    ResultsFile,
    SeatRow,
    check_vote_totals,
    name_key,
    parse_results,
)
from campaigns.models import (
    Candidacy,
    Constituency,
    DemographicValue,
    Election,
    NotionalResult,
    NotionalVote,
    Party,
    Person,
    Result,
)

NATION_BY_PREFIX = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


# --- the set-based upsert ---------------------------------------------------------------------------------------


def existing_rows(queryset: models.QuerySet, *, key: tuple[str, ...], fields: Iterable[str]) -> dict[tuple, dict]:
    """Current rows keyed by ``key``: ``{key: {"pk": …, field: value, …}}`` (one query)."""
    fields = tuple(fields)
    rows = {}
    for values in queryset.order_by().values_list("pk", *key, *fields):
        rows[tuple(values[1 : 1 + len(key)])] = dict(
            zip(("pk", *fields), (values[0], *values[1 + len(key) :]), strict=True)
        )
    return rows


def sync_rows(
    model: type[models.Model],
    *,
    key: tuple[str, ...],
    fields: list[str],
    rows: list[dict],
    existing: dict[tuple, dict],
) -> tuple[Counts, dict[tuple, int]]:
    """Write the new and changed ``rows`` in one upsert; return the counts and every row's pk by key.

    ``fields`` are the columns compared and updated; other keys in a row are written only when it is created.
    """
    counts = Counts()
    pks: dict[tuple, int] = {}
    to_write = []
    for row in rows:
        row_key = tuple(row[f] for f in key)
        current = existing.get(row_key)
        if current is None:
            counts.created += 1
            to_write.append(row)
        elif any(current[f] != row[f] for f in fields):
            counts.updated += 1
            to_write.append(row)
        else:
            counts.unchanged += 1
            pks[row_key] = current["pk"]
    if to_write:
        pks.update(upsert(model, key=key, fields=fields, rows=to_write))
    return counts, pks


def upsert(model: type[models.Model], *, key: tuple[str, ...], fields: list[str], rows: list[dict]) -> dict[tuple, int]:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET fields`` for ``rows``, loaded through a temporary table with
    COPY (four queries whatever the number of rows). Missing columns get the model field's default, as in
    ``bulk_create``. Returns each written row's pk by key."""
    opts = model._meta
    columns = [f for f in opts.concrete_fields if not f.primary_key]
    if any(isinstance(f, models.JSONField) for f in columns):
        written = model._default_manager.bulk_create(
            [model(**row) for row in rows],
            **({"update_conflicts": True, "unique_fields": list(key), "update_fields": fields} if fields else {}),
        )
        return {tuple(getattr(obj, f) for f in key): obj.pk for obj in written}
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    temp = quote(f"upsert_{opts.db_table}")
    names = ", ".join(quote(f.column) for f in columns)
    key_columns = [quote(opts.get_field(k).column) for k in key]
    defaults = {f.attname: f.get_default() for f in columns}
    if fields:
        updates = ", ".join(
            f"{quote(opts.get_field(f).column)} = EXCLUDED.{quote(opts.get_field(f).column)}" for f in fields
        )
        conflict = f"DO UPDATE SET {updates}"
    else:
        conflict = "DO NOTHING"
    with connection.cursor() as cursor:
        # Identifiers come from the model's metadata, quoted; values travel through COPY, never in the SQL.
        cursor.execute(f"CREATE TEMP TABLE {temp} AS SELECT {names} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[f.attname] if f.attname in row else defaults[f.attname] for f in columns])
        keys = ", ".join(key_columns)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {temp} "  # noqa: S608
            f"ON CONFLICT ({keys}) {conflict} RETURNING {quote(opts.pk.column)}, {keys}"
        )
        returned = cursor.fetchall()
        cursor.execute(f"DROP TABLE {temp}")
    return {tuple(values[1:]): values[0] for values in returned}


def known_codes() -> set[str]:
    return set(Constituency.objects.values_list("code", flat=True))


def election_for_slug(slug: str, *, name: str | None = None) -> Election:
    """The election with Democracy Club id ``slug`` (e.g. ``parl.2024-07-04``), created when first imported."""
    try:
        return Election.objects.get(slug=slug)
    except Election.DoesNotExist:
        pass
    try:
        polling_day = date.fromisoformat(slug.rsplit(".", 1)[-1])
    except ValueError:
        raise ImportRejected([Problem(None, None, f"'{slug}' is not an election id such as parl.2024-07-04")]) from None
    default_name = f"UK general election {polling_day:%-d %B %Y}" if slug.startswith("parl.") else slug
    election, _ = Election.objects.get_or_create(
        slug=slug, defaults={"name": name or default_name, "date": polling_day}
    )
    return election


# --- results ----------------------------------------------------------------------------------------------------


def _sync_seats(seats: dict[str, SeatRow], report: ImportReport) -> dict[str, int]:
    fields = ["name", "nation", "region_code", "region_name", "constituency_type"]
    existing = existing_rows(Constituency.objects.filter(code__in=list(seats)), key=("code",), fields=fields)
    rows = []
    for seat in seats.values():
        current = existing.get((seat.code,), {})
        rows.append(
            {
                "code": seat.code,
                "name": seat.name,
                "nation": seat.nation,
                # A file without regions (older layouts) keeps what is known.
                "region_code": seat.region_code or current.get("region_code", ""),
                "region_name": seat.region_name or current.get("region_name", ""),
                "constituency_type": seat.constituency_type or current.get("constituency_type", ""),
            }
        )
    counts, pks = sync_rows(Constituency, key=("code",), fields=fields, rows=rows, existing=existing)
    report.tables["constituencies"] = counts
    return {code: pk for (code,), pk in pks.items()}


def _sync_parties(candidates: list[CandidateRow], report: ImportReport) -> dict[str, int]:
    wanted: dict[str, dict] = {}
    for c in candidates:
        if c.party_name is not None:
            wanted.setdefault(
                c.party_name,
                {
                    "name": c.party_name,
                    "abbreviation": c.party_abbreviation,
                    "ec_party_id": c.ec_party_id,
                    "colour": parties.colour_for(c.party_abbreviation),
                },
            )
    existing = existing_rows(
        Party.objects.filter(name__in=list(wanted)), key=("name",), fields=["abbreviation", "ec_party_id"]
    )
    for row in wanted.values():  # a file without EC ids keeps the known one
        row["ec_party_id"] = row["ec_party_id"] or existing.get((row["name"],), {}).get("ec_party_id", "")
    counts, pks = sync_rows(
        Party, key=("name",), fields=["abbreviation", "ec_party_id"], rows=list(wanted.values()), existing=existing
    )
    report.tables["parties"] = counts
    return {name: pk for (name,), pk in pks.items()}


def person_key(candidate: CandidateRow, election: Election) -> str:
    if candidate.dc_person_id:
        return f"dc:{candidate.dc_person_id}"
    return f"name:{election.slug}:{candidate.code}:{name_key(candidate.full_name)}"


def _sync_people(candidates: list[CandidateRow], election: Election, report: ImportReport) -> dict[str, int]:
    fields = ["name", "first_name", "surname", "gender", "dc_person_id"]
    rows = {}
    for c in candidates:
        key = person_key(c, election)
        rows[key] = {
            "key": key,
            "name": c.full_name,
            "first_name": c.first_name,
            "surname": c.surname,
            "gender": c.gender,
            "dc_person_id": c.dc_person_id,
        }
    existing = existing_rows(Person.objects.filter(key__in=list(rows)), key=("key",), fields=fields)
    counts, pks = sync_rows(Person, key=("key",), fields=fields, rows=list(rows.values()), existing=existing)
    report.tables["people"] = counts
    return {key: pk for (key,), pk in pks.items()}


def _winners(candidates: list[CandidateRow]) -> dict[str, tuple[CandidateRow, int, int]]:
    """Per seat: the winning candidate, the majority over the runner-up, and the total votes."""
    by_seat: dict[str, list[CandidateRow]] = defaultdict(list)
    for c in candidates:
        by_seat[c.code].append(c)
    winners = {}
    for code, rows in by_seat.items():
        ranked = sorted(rows, key=lambda c: c.votes, reverse=True)
        runner_up = ranked[1].votes if len(ranked) > 1 else 0
        winners[code] = (ranked[0], ranked[0].votes - runner_up, sum(c.votes for c in rows))
    return winners


RESULT_FIELDS = [
    "electorate",
    "valid_votes",
    "invalid_votes",
    "winner_id",
    "majority",
    "result_text",
    "first_party",
    "second_party",
    "declared_at",
]


@transaction.atomic
def results_import(
    *,
    election: Election,
    files: list[bytes],
    create_seats: bool = True,
    declared_at: datetime | None = None,
) -> ImportReport:
    """Import Commons Library results files (by candidate and/or by constituency) for ``election``.

    ``create_seats=False`` (the election-night feed) reports seats not already known as unknown codes.
    ``declared_at`` stamps seats that are declared for the first time by this import.
    """
    codes = None if create_seats else known_codes()
    parsed: list[ResultsFile] = []
    problems: list[Problem] = []
    for number, data in enumerate(files, start=1):
        try:
            parsed.append(parse_results(data, known_codes=codes))
        except ImportRejected as rejected:
            prefix = f"file {number}: " if len(files) > 1 else ""
            problems += [Problem(p.row, p.column, prefix + p.problem) for p in rejected.problems]
    if problems:
        raise ImportRejected(problems)
    seats: dict[str, SeatRow] = {}
    candidates: list[CandidateRow] = []
    seat_results: dict[str, ConstituencyResultRow] = {}
    for f in parsed:
        seats.update(f.seats)
        candidates += f.candidates
        seat_results.update({r.code: r for r in f.constituency_results})
    report = ImportReport(kind="results", rows=sum(f.rows for f in parsed))

    existing_results = existing_rows(
        Result.objects.filter(election=election).select_related(None),
        key=("constituency__code",),
        fields=RESULT_FIELDS,
    )
    if candidates:
        valid_votes = {code: r.valid_votes for code, r in seat_results.items()}
        for (code,), current in existing_results.items():
            if code not in valid_votes and current["electorate"] is not None and current["valid_votes"] is not None:
                valid_votes[code] = current["valid_votes"]
        if totals := check_vote_totals(candidates, valid_votes):
            raise ImportRejected(totals)

    seat_pks = _sync_seats(seats, report)
    if candidates:
        party_pks = _sync_parties(candidates, report)
        person_pks = _sync_people(candidates, election, report)
        winners = _winners(candidates)
        winner_keys = {(code, person_key(w, election)) for code, (w, _, _) in winners.items()}
        rows = [
            {
                "election_id": election.pk,
                "constituency_id": seat_pks[c.code],
                "person_id": person_pks[person_key(c, election)],
                "party_id": party_pks[c.party_name] if c.party_name else None,
                "votes": c.votes,
                "elected": (c.code, person_key(c, election)) in winner_keys,
            }
            for c in candidates
        ]
        key = ("election_id", "constituency_id", "person_id")
        fields = ["party_id", "votes", "elected"]
        existing = existing_rows(
            Candidacy.objects.filter(election=election, constituency_id__in=[seat_pks[c] for c in winners]),
            key=key,
            fields=fields,
        )
        counts, candidacy_pks = sync_rows(Candidacy, key=key, fields=fields, rows=rows, existing=existing)
        report.tables["candidacies"] = counts
    else:
        winners, candidacy_pks = {}, {}

    result_rows = []
    for code in sorted(set(winners) | set(seat_results)):
        current = existing_results.get((code,))
        row = dict(current) if current else dict.fromkeys(RESULT_FIELDS, None)
        row.pop("pk", None)
        for text_field in ("result_text", "first_party", "second_party"):
            row[text_field] = row[text_field] or ""
        if code in winners:
            winner, majority, total = winners[code]
            row["winner_id"] = candidacy_pks[(election.pk, seat_pks[code], person_pks[person_key(winner, election)])]
            row["majority"] = majority
            if code not in seat_results and row["electorate"] is None:
                row["valid_votes"] = total
            row["first_party"] = row["first_party"] or (winner.party_abbreviation or "")
        if code in seat_results:
            r = seat_results[code]
            row.update(
                electorate=r.electorate,
                valid_votes=r.valid_votes,
                invalid_votes=r.invalid_votes,
                majority=r.majority,
                result_text=r.result_text,
                first_party=r.first_party,
                second_party=r.second_party,
            )
            if r.declared_at:
                row["declared_at"] = r.declared_at
        if row["declared_at"] is None and declared_at is not None:
            row["declared_at"] = declared_at
        row.update(election_id=election.pk, constituency_id=seat_pks[code])
        result_rows.append(row)
    existing = {
        (election.pk, seat_pks[code]): current for (code,), current in existing_results.items() if code in seat_pks
    }
    counts, _ = sync_rows(
        Result, key=("election_id", "constituency_id"), fields=RESULT_FIELDS, rows=result_rows, existing=existing
    )
    report.tables["results"] = counts
    return report


# --- notional results -------------------------------------------------------------------------------------------


@transaction.atomic
def notional_import(*, election: Election, data: bytes, label: str = "Notional 2019") -> ImportReport:
    """Import the notional previous result on ``election``'s boundaries (Rallings & Thrasher layout)."""
    seat_pks = dict(Constituency.objects.values_list("code", "pk"))
    parsed = parse_notional(data, known_codes=set(seat_pks))
    report = ImportReport(kind="notional", rows=len(parsed))
    key = ("election_id", "constituency_id")
    fields = ["label", "electorate", "total_votes", "majority", "winner", "second"]
    rows = [
        {
            "election_id": election.pk,
            "constituency_id": seat_pks[n.code],
            "label": label,
            "electorate": n.electorate,
            "total_votes": n.total_votes,
            "majority": n.majority,
            "winner": n.winner,
            "second": n.second,
        }
        for n in parsed
    ]
    existing = existing_rows(NotionalResult.objects.filter(election=election), key=key, fields=fields)
    counts, result_pks = sync_rows(NotionalResult, key=key, fields=fields, rows=rows, existing=existing)
    report.tables["notional results"] = counts
    vote_rows = [
        {
            "notional_result_id": result_pks[(election.pk, seat_pks[n.code])],
            "party_abbreviation": abbreviation,
            "votes": votes,
            "share": votes / n.total_votes if n.total_votes else 0.0,
        }
        for n in parsed
        for abbreviation, votes in n.votes.items()
    ]
    key = ("notional_result_id", "party_abbreviation")
    existing = existing_rows(
        NotionalVote.objects.filter(notional_result__election=election), key=key, fields=["votes", "share"]
    )
    counts, _ = sync_rows(NotionalVote, key=key, fields=["votes", "share"], rows=vote_rows, existing=existing)
    report.tables["notional votes"] = counts
    return report


# --- demographics -----------------------------------------------------------------------------------------------


def _demographics_import(kind: str, data: bytes, parser: Callable) -> ImportReport:
    seat_pks = dict(Constituency.objects.values_list("code", "pk"))
    parsed = parser(data, known_codes=set(seat_pks))
    report = ImportReport(kind=kind, rows=len(parsed))
    key = ("constituency_id", "source", "topic", "variable")
    fields = ["variable_code", "value", "nation_value"]
    rows = [
        {
            "constituency_id": seat_pks[d.code],
            "source": d.source,
            "topic": d.topic,
            "variable": d.variable,
            "variable_code": d.variable_code,
            "value": d.value,
            "nation_value": d.nation_value,
        }
        for d in parsed
    ]
    sources = {d.source for d in parsed}
    existing = existing_rows(DemographicValue.objects.filter(source__in=sources), key=key, fields=fields)
    counts, _ = sync_rows(DemographicValue, key=key, fields=fields, rows=rows, existing=existing)
    report.tables["demographic values"] = counts
    return report


@transaction.atomic
def census_religion_import(*, data: bytes) -> ImportReport:
    """Census 2021 religion (TS030) counts per constituency."""
    return _demographics_import("census_religion", data, parse_census_religion)


@transaction.atomic
def demographics_import(*, data: bytes) -> ImportReport:
    """The Commons Library's demographic estimates for the 2024 constituencies."""
    return _demographics_import("demographics", data, parse_hoc_demographics)


# --- hex map ----------------------------------------------------------------------------------------------------


@transaction.atomic
def hexmap_import(*, data: bytes) -> ImportReport:
    """Each seat's hex position; seats not yet known are created from the layout (name, nation, region)."""
    parsed = parse_hexjson(data)
    report = ImportReport(kind="hexmap", rows=len(parsed))
    fields = ["hex_q", "hex_r"]
    rows = [
        {
            "code": h.code,
            "hex_q": h.q,
            "hex_r": h.r,
            "name": h.name,
            "nation": NATION_BY_PREFIX[h.code[0]],
            "region_code": h.region_code,
        }
        for h in parsed
    ]
    existing = existing_rows(Constituency.objects.all(), key=("code",), fields=fields)
    counts, _ = sync_rows(Constituency, key=("code",), fields=fields, rows=rows, existing=existing)
    report.tables["constituencies"] = counts
    return report


# --- Democracy Club candidates ------------------------------------------------------------------------------------


@transaction.atomic
def candidates_import(*, election: Election, data: bytes) -> ImportReport:
    """Democracy Club candidates: people (with photo) and their candidacies, before any votes are counted.
    A candidacy's party is set when it is created; the results import stays the authority on parties and votes."""
    seat_pks = dict(Constituency.objects.values_list("code", "pk"))
    parsed = parse_dc_candidates(data, known_codes=set(seat_pks), election_slug=election.slug)
    report = ImportReport(kind="candidates", rows=len(parsed))

    fields = ["dc_person_id", "photo_url"]
    rows_by_key = {
        f"dc:{c.person_id}": {
            "key": f"dc:{c.person_id}",
            "dc_person_id": c.person_id,
            "photo_url": c.image,
            "name": c.name,
        }
        for c in parsed
    }
    existing = existing_rows(Person.objects.filter(key__in=list(rows_by_key)), key=("key",), fields=fields)
    counts, person_pks = sync_rows(
        Person, key=("key",), fields=fields, rows=list(rows_by_key.values()), existing=existing
    )
    report.tables["people"] = counts

    key = ("election_id", "constituency_id", "person_id")
    existing = existing_rows(Candidacy.objects.filter(election=election), key=key, fields=[])
    new = [c for c in parsed if (election.pk, seat_pks[c.code], person_pks[(f"dc:{c.person_id}",)]) not in existing]
    # Parties are created only for the new candidacies that need them.
    party_names = {c.party_name for c in new if c.party_name}
    party_rows = [
        {"name": name, "abbreviation": parties.abbreviate(name), "colour": parties.DEFAULT_COLOUR}
        for name in sorted(party_names)
    ]
    existing_parties = existing_rows(Party.objects.filter(name__in=party_names), key=("name",), fields=[])
    party_counts, party_pks = sync_rows(Party, key=("name",), fields=[], rows=party_rows, existing=existing_parties)
    report.tables["parties"] = party_counts
    rows = [
        {
            "election_id": election.pk,
            "constituency_id": seat_pks[c.code],
            "person_id": person_pks[(f"dc:{c.person_id}",)],
            "party_id": party_pks.get((c.party_name,)) if c.party_name else None,
        }
        for c in parsed
    ]
    counts, _ = sync_rows(Candidacy, key=key, fields=[], rows=rows, existing=existing)
    report.tables["candidacies"] = counts
    return report


# --- one entry point for the admin upload and the task ----------------------------------------------------------


def import_file(*, kind: str, data: bytes, election: Election | None) -> ImportReport:
    """Run the import of ``kind`` on one file (the admin upload's task calls this)."""
    needs_election = {"results", "notional", "candidates"}
    if kind in needs_election and election is None:
        raise ImportRejected([Problem(None, None, f"a {kind} import needs an election")])
    if kind == "results":
        return results_import(election=election, files=[data])
    if kind == "notional":
        return notional_import(election=election, data=data)
    if kind == "census_religion":
        return census_religion_import(data=data)
    if kind == "demographics":
        return demographics_import(data=data)
    if kind == "candidates":
        return candidates_import(election=election, data=data)
    if kind == "hexmap":
        return hexmap_import(data=data)
    raise ImportRejected([Problem(None, None, f"unknown import kind '{kind}'")])


def now() -> datetime:
    return timezone.now()
