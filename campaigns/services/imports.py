"""Importing each data source: set-based, all-or-nothing, idempotent.

Each ``<source>_import`` parses and checks the whole file first (``campaigns.importers``), then, inside one
transaction, reads the rows it may touch (one query per table), compares them in memory, and writes only the new
and changed rows with one ``INSERT … ON CONFLICT DO UPDATE`` per table. The number of queries does not depend
on the number of rows; a re-run of the same file writes nothing and reports "no changes".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import connection, models, transaction

from campaigns import parties
from campaigns.importers.candidates import parse_dc_candidates
from campaigns.importers.demographics import parse_census_religion, parse_hoc_demographics
from campaigns.importers.hexmap import parse_hexjson
from campaigns.importers.notional import parse_notional
from campaigns.importers.results import (
    CandidateRow,
    ConstituencyResultRow,
    ResultsFile,
    SeatRow,
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
)
from organiser import clock
from organiser.imports import Counts, ImportRejected, ImportReport, Problem

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


# --- results ---------------------------------------------------------------------------------------------------
#
# The results import stages the checked rows in two temporary tables (one COPY each) and does the rest in SQL:
# one statement per table writes only the rows that are new or differ (``IS DISTINCT FROM``), so a re-run of the
# same files writes nothing. Winners, majorities and totals come from window functions over the staged votes.


def person_key(candidate: CandidateRow, election: Election) -> str:
    """A candidate's ``Person.key``: their Democracy Club id, else their name within this election and seat."""
    if candidate.dc_person_id:
        return f"dc:{candidate.dc_person_id}"
    return f"name:{election.slug}:{candidate.code}:{name_key(candidate.full_name)}"


# One results import at a time (the feed and an upload); the joins are over whole sets, so hash joins, whatever
# the statistics of freshly loaded tables suggest (until the import ends: see RESET_PLANNER_SQL).
STAGE_SQL = """
SELECT pg_advisory_xact_lock(hashtext('campaigns.results_import'));
SET LOCAL enable_nestloop = off;
DROP TABLE IF EXISTS results_stage_seat, results_stage_candidate;
CREATE TEMP TABLE results_stage_seat (
    code text PRIMARY KEY, name text, nation text, region_code text, region_name text, constituency_type text,
    electorate integer, valid_votes integer, invalid_votes integer, majority integer, result_text text,
    first_party text, second_party text, declared_at timestamptz
) ON COMMIT DROP;
CREATE TEMP TABLE results_stage_candidate (
    ordinal integer, row_number integer, code text, party_name text, party_abbreviation text, ec_party_id text,
    person_key text, name text, first_name text, surname text, gender text, dc_person_id integer, votes integer
) ON COMMIT DROP;
"""
RESET_PLANNER_SQL = "RESET enable_nestloop"
SEAT_STAGE_COLUMNS = (
    "code, name, nation, region_code, region_name, constituency_type, electorate, valid_votes, invalid_votes, "
    "majority, result_text, first_party, second_party, declared_at"
)
CANDIDATE_STAGE_COLUMNS = (
    "ordinal, row_number, code, party_name, party_abbreviation, ec_party_id, person_key, name, first_name, "
    "surname, gender, dc_person_id, votes"
)


def copy_rows(cursor, *, table: str, columns: str, rows: Iterable[tuple]) -> None:
    """Load ``rows`` into ``table`` with one COPY. Strings are quoted and None is left bare, so COPY tells an
    empty string from NULL."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_STRINGS, lineterminator="\n").writerows(rows)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def upsert_changed(
    cursor,
    *,
    table: str,
    source: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    compared: tuple[str, ...],
    params: dict | None = None,
) -> Counts:
    """Insert the rows of ``source`` (a SELECT giving ``columns``) that are new and update those whose
    ``compared`` columns differ, in one statement; rows already as they should be are not touched at all.

    New rows are told from existing ones by joining on ``key``, so a plain INSERT suffices (no ``ON CONFLICT``
    speculative insertion); the import's advisory lock keeps another import from adding the same keys meanwhile.
    """
    join = " AND ".join(f"current.{k} = source.{k}" for k in key)
    current = ", ".join(f"current.{c}" for c in compared)
    differs = f"({current}) IS DISTINCT FROM ({', '.join(f'source.{c}' for c in compared)})"
    cursor.execute(
        f"""
        WITH source AS ({source}),
        changed AS (
            SELECT source.*, current.id AS current_id FROM source LEFT JOIN {table} current ON {join}
            WHERE current.id IS NULL OR {differs}
        ),
        inserted AS (
            INSERT INTO {table} ({", ".join(columns)})
            SELECT {", ".join(columns)} FROM changed WHERE current_id IS NULL
            RETURNING 1
        ),
        updated AS (
            UPDATE {table} current SET {", ".join(f"{c} = changed.{c}" for c in compared)}
            FROM changed WHERE current.id = changed.current_id
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM source), (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated)
        """,  # noqa: S608 - identifiers are this module's constants; values are parameters
        params or {},
    )
    total, created, updated = cursor.fetchone()
    return Counts(created=created, updated=updated, unchanged=total - created - updated)


SEATS_SOURCE = """
    SELECT s.code, s.name, s.nation,
        -- a file without regions (older layouts) keeps what is known
        COALESCE(NULLIF(s.region_code, ''), k.region_code, '') AS region_code,
        COALESCE(NULLIF(s.region_name, ''), k.region_name, '') AS region_name,
        COALESCE(NULLIF(s.constituency_type, ''), k.constituency_type, '') AS constituency_type
    FROM results_stage_seat s LEFT JOIN campaigns_constituency k ON k.code = s.code
"""
PARTIES_SOURCE = """
    SELECT DISTINCT ON (c.party_name) c.party_name AS name, c.party_abbreviation AS abbreviation,
        -- a file without EC ids keeps the known one
        COALESCE(NULLIF(c.ec_party_id, ''), p.ec_party_id, '') AS ec_party_id,
        COALESCE(colours.colour, %(default_colour)s) AS colour
    FROM results_stage_candidate c
    LEFT JOIN campaigns_party p ON p.name = c.party_name
    LEFT JOIN unnest(%(abbreviations)s::text[], %(colours)s::text[]) AS colours (abbreviation, colour)
        ON colours.abbreviation = c.party_abbreviation
    WHERE c.party_name IS NOT NULL
    ORDER BY c.party_name, c.ordinal
"""
PEOPLE_SOURCE = """
    SELECT DISTINCT ON (person_key) person_key AS key, name, first_name, surname, gender, dc_person_id,
        '' AS photo_url
    FROM results_stage_candidate ORDER BY person_key, ordinal DESC
"""
RANKED_CANDIDATES = """
    SELECT c.*, row_number() OVER seat AS place, lead(c.votes) OVER seat AS next_votes,
        sum(c.votes) OVER (PARTITION BY c.code) AS total
    FROM results_stage_candidate c
    WINDOW seat AS (PARTITION BY c.code ORDER BY c.votes DESC, c.ordinal)
"""
CANDIDACIES_SOURCE = f"""
    SELECT %(election)s::bigint AS election_id, k.id AS constituency_id, p.id AS person_id, party.id AS party_id,
        c.votes, c.place = 1 AS elected
    FROM ({RANKED_CANDIDATES}) c
    JOIN campaigns_constituency k ON k.code = c.code
    JOIN campaigns_person p ON p.key = c.person_key
    LEFT JOIN campaigns_party party ON party.name = c.party_name
"""  # noqa: S608 - composed of this module's own SQL
# Each seat's result: from a by-constituency row where there is one; a by-candidate file alone sets the winner and
# majority and, for a seat with no electorate known, the valid votes; what neither says is kept.
RESULTS_SOURCE = f"""
    SELECT %(election)s::bigint AS election_id, k.id AS constituency_id,
        CASE WHEN s.electorate IS NOT NULL THEN s.electorate ELSE r.electorate END AS electorate,
        CASE WHEN s.electorate IS NOT NULL THEN s.valid_votes
            WHEN w.code IS NOT NULL AND r.electorate IS NULL THEN w.total ELSE r.valid_votes END AS valid_votes,
        CASE WHEN s.electorate IS NOT NULL THEN s.invalid_votes ELSE r.invalid_votes END AS invalid_votes,
        COALESCE(winner.id, r.winner_id) AS winner_id,
        CASE WHEN s.electorate IS NOT NULL THEN s.majority
            WHEN w.code IS NOT NULL THEN w.votes - COALESCE(w.next_votes, 0) ELSE r.majority END AS majority,
        CASE WHEN s.electorate IS NOT NULL THEN s.result_text ELSE COALESCE(r.result_text, '') END AS result_text,
        CASE WHEN s.electorate IS NOT NULL THEN s.first_party
            ELSE COALESCE(NULLIF(r.first_party, ''), w.party_abbreviation, '') END AS first_party,
        CASE WHEN s.electorate IS NOT NULL THEN s.second_party ELSE COALESCE(r.second_party, '') END AS second_party,
        COALESCE(s.declared_at, r.declared_at, %(declared_at)s) AS declared_at
    FROM results_stage_seat s
    JOIN campaigns_constituency k ON k.code = s.code
    LEFT JOIN ({RANKED_CANDIDATES}) w ON w.code = s.code AND w.place = 1
    LEFT JOIN campaigns_person p ON p.key = w.person_key
    LEFT JOIN campaigns_candidacy winner
        ON winner.election_id = %(election)s AND winner.constituency_id = k.id AND winner.person_id = p.id
    LEFT JOIN campaigns_result r ON r.election_id = %(election)s AND r.constituency_id = k.id
    WHERE s.electorate IS NOT NULL OR w.code IS NOT NULL
"""  # noqa: S608 - composed of this module's own SQL
RESULT_FIELDS = (
    "electorate",
    "valid_votes",
    "invalid_votes",
    "winner_id",
    "majority",
    "result_text",
    "first_party",
    "second_party",
    "declared_at",
)
# Candidate totals that differ from the seat's valid votes: from a by-constituency row in these files, else from
# a by-constituency result imported earlier.
VOTE_TOTALS_SQL = """
    SELECT c.code, sum(c.votes), max(c.row_number), COALESCE(s.valid_votes, r.valid_votes)
    FROM results_stage_candidate c
    JOIN results_stage_seat s ON s.code = c.code
    LEFT JOIN campaigns_constituency k ON k.code = c.code
    LEFT JOIN campaigns_result r
        ON r.election_id = %(election)s AND r.constituency_id = k.id AND r.electorate IS NOT NULL
    GROUP BY c.code, s.valid_votes, r.valid_votes
    HAVING sum(c.votes) <> COALESCE(s.valid_votes, r.valid_votes)
    ORDER BY min(c.ordinal)
"""
# The candidacies a file drops: in a seat its candidates cover, everyone it no longer lists; with ``complete``,
# also everyone in a seat it does not list at all. A candidacy the campaign's endorsement history names is kept
# (the history must stay whole) but loses its votes; any other is deleted.
DROPPED_CANDIDACIES = """
    SELECT d.id, EXISTS (SELECT 1 FROM campaigns_endorsement e WHERE e.candidacy_id = d.id)
        OR EXISTS (SELECT 1 FROM campaigns_endorsementevent e WHERE e.candidacy_id = d.id) AS kept
    FROM campaigns_candidacy d JOIN campaigns_constituency k ON k.id = d.constituency_id
    JOIN campaigns_person p ON p.id = d.person_id
    WHERE d.election_id = %(election)s
    AND CASE WHEN k.code IN (SELECT code FROM results_stage_candidate)
        THEN NOT EXISTS (SELECT 1 FROM results_stage_candidate c WHERE c.code = k.code AND c.person_key = p.key)
        ELSE %(complete)s AND k.code NOT IN (SELECT code FROM results_stage_seat) END
"""
REMOVE_DROPPED_SQL = f"""
    WITH dropped AS ({DROPPED_CANDIDACIES}),
    unwon AS (
        UPDATE campaigns_result SET winner_id = NULL
        WHERE election_id = %(election)s AND winner_id IN (SELECT id FROM dropped)
    ),
    cleared AS (
        UPDATE campaigns_candidacy SET votes = NULL, elected = false
        WHERE id IN (SELECT id FROM dropped WHERE kept) AND (votes IS NOT NULL OR elected)
        RETURNING 1
    ),
    deleted AS (DELETE FROM campaigns_candidacy WHERE id IN (SELECT id FROM dropped WHERE NOT kept) RETURNING 1)
    SELECT (SELECT count(*) FROM deleted), (SELECT count(*) FROM cleared)
"""  # noqa: S608 - composed of this module's own SQL
# With ``complete``: the results of seats the files do not list (a seat whose poll is to be re-run).
REMOVE_UNLISTED_RESULTS_SQL = """
    DELETE FROM campaigns_result r USING campaigns_constituency k
    WHERE r.election_id = %(election)s AND k.id = r.constituency_id
    AND k.code NOT IN (SELECT code FROM results_stage_seat)
"""


def _seat_stage_row(seat: SeatRow, result: ConstituencyResultRow | None) -> tuple:
    row = (seat.code, seat.name, seat.nation, seat.region_code, seat.region_name, seat.constituency_type)
    if result is None:
        return (*row, None, None, None, None, None, None, None, None)
    declared_at = result.declared_at.isoformat() if result.declared_at else None
    return (
        *row,
        *(result.electorate, result.valid_votes, result.invalid_votes, result.majority, result.result_text),
        *(result.first_party, result.second_party, declared_at),
    )


@transaction.atomic
def results_import(
    *,
    election: Election,
    files: list[bytes],
    create_seats: bool = True,
    declared_at: datetime | None = None,
    complete: bool = False,
) -> ImportReport:
    """Import Commons Library results files (by candidate and/or by constituency) for ``election``.

    A by-candidate file is the whole list of candidates in each seat it covers: a candidate it no longer lists
    is removed from that seat. Seats it does not cover are left alone (the election-night feed lists only the
    seats declared so far), unless ``complete`` says the files are the whole election: then seats they do not
    list lose this election's result and candidates too.

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
    params = {
        "election": election.pk,
        "declared_at": declared_at,
        "complete": complete,
        "default_colour": parties.DEFAULT_COLOUR,
        "abbreviations": list(parties.COLOURS),
        "colours": list(parties.COLOURS.values()),
    }
    with connection.cursor() as cursor:
        cursor.execute(STAGE_SQL)
        copy_rows(
            cursor,
            table="results_stage_seat",
            columns=SEAT_STAGE_COLUMNS,
            rows=(_seat_stage_row(seat, seat_results.get(code)) for code, seat in seats.items()),
        )
        if candidates:
            copy_rows(
                cursor,
                table="results_stage_candidate",
                columns=CANDIDATE_STAGE_COLUMNS,
                rows=(
                    (
                        ordinal,
                        c.row,
                        c.code,
                        c.party_name,
                        c.party_abbreviation,
                        c.ec_party_id,
                        person_key(c, election),
                        c.full_name,
                        c.first_name,
                        c.surname,
                        c.gender,
                        c.dc_person_id,
                        c.votes,
                    )
                    for ordinal, c in enumerate(candidates)
                ),
            )
            cursor.execute(VOTE_TOTALS_SQL, params)
            if mismatches := cursor.fetchall():
                raise ImportRejected(
                    [
                        Problem(
                            row,
                            "Votes",
                            f"candidates' votes in {code} add up to {total:,}, "
                            f"but the seat's valid votes are {valid:,}",
                        )
                        for code, total, row, valid in mismatches
                    ]
                )
        report.tables["constituencies"] = upsert_changed(
            cursor,
            table="campaigns_constituency",
            source=SEATS_SOURCE,
            key=("code",),
            columns=("code", "name", "nation", "region_code", "region_name", "constituency_type"),
            compared=("name", "nation", "region_code", "region_name", "constituency_type"),
        )
        if candidates:
            report.tables["parties"] = upsert_changed(
                cursor,
                table="campaigns_party",
                source=PARTIES_SOURCE,
                key=("name",),
                columns=("name", "abbreviation", "ec_party_id", "colour"),
                compared=("abbreviation", "ec_party_id"),
                params=params,
            )
            report.tables["people"] = upsert_changed(
                cursor,
                table="campaigns_person",
                source=PEOPLE_SOURCE,
                key=("key",),
                columns=("key", "name", "first_name", "surname", "gender", "dc_person_id", "photo_url"),
                compared=("name", "first_name", "surname", "gender", "dc_person_id"),
            )
            candidacies = upsert_changed(
                cursor,
                table="campaigns_candidacy",
                source=CANDIDACIES_SOURCE,
                key=("election_id", "constituency_id", "person_id"),
                columns=("election_id", "constituency_id", "person_id", "party_id", "votes", "elected"),
                compared=("party_id", "votes", "elected"),
                params=params,
            )
        if candidates or complete:
            cursor.execute(REMOVE_DROPPED_SQL, params)
            deleted, cleared = cursor.fetchone()
            if candidates:
                candidacies.deleted, candidacies.updated = deleted, candidacies.updated + cleared
                report.tables["candidacies"] = candidacies
            elif deleted or cleared:
                report.tables["candidacies"] = Counts(deleted=deleted, updated=cleared)
        results = upsert_changed(
            cursor,
            table="campaigns_result",
            source=RESULTS_SOURCE,
            key=("election_id", "constituency_id"),
            columns=("election_id", "constituency_id", *RESULT_FIELDS),
            compared=RESULT_FIELDS,
            params=params,
        )
        if complete:
            cursor.execute(REMOVE_UNLISTED_RESULTS_SQL, params)
            results.deleted = cursor.rowcount
        report.tables["results"] = results
        cursor.execute(RESET_PLANNER_SQL)  # the caller's transaction may go on to other queries
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
    # Democracy Club merges duplicate people, so a results file may know someone by another DC id: a candidate
    # of the same name already standing in the seat under another key is that person, and is left as they are.
    standing = {
        (seat_pk, name_key(name)): key
        for seat_pk, name, key in Candidacy.objects.filter(election=election).values_list(
            "constituency_id", "person__name", "person__key"
        )
    }
    known_elsewhere = [
        c
        for c in parsed
        if standing.get((seat_pks[c.code], name_key(c.name)), f"dc:{c.person_id}") != f"dc:{c.person_id}"
    ]
    if known_elsewhere:
        skipped = {c.row for c in known_elsewhere}
        parsed = [c for c in parsed if c.row not in skipped]

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
    counts.unchanged += len(known_elsewhere)
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
    counts.unchanged += len(known_elsewhere)
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
    return clock.now()
