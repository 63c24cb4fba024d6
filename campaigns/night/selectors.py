"""Reads for election night: the board's rows (every seat in the user's scope, endorsed and target seats
first), the national picture (seats by party), a seat's night page, and the fingerprints that make the pages'
ETags. Each is a fixed number of queries whatever the number of seats.

A seat is declared when the feed has its result (campaigns.Result with a winner) or when a count agent's
report of it has been confirmed by a second user; the feed's figures win where both exist, and a report the
feed contradicts is flagged (CountReport.feed_check)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from campaigns import parties
from campaigns.models import Candidacy, Constituency, CountReport, Election
from organiser import clock, scope

# Every seat in scope with what the board shows about it: the feed's result, a confirmed count report, the
# endorsed candidate's votes and place (from the feed, else from the report), the notional previous result,
# the target tier and the expected declaration time. %(seats)s is the scope's own SQL (organiser.scope).
BOARD_SQL = """
WITH seats AS (
    SELECT k.id, k.code, k.name, k.region_name, k.nation FROM campaigns_constituency k WHERE {seats}
),
feed_votes AS (
    SELECT c.id AS candidacy_id, c.constituency_id, c.votes, COALESCE(pa.abbreviation, 'Ind') AS abbreviation,
        row_number() OVER (PARTITION BY c.constituency_id ORDER BY c.votes DESC, c.id) AS place
    FROM campaigns_candidacy c LEFT JOIN campaigns_party pa ON pa.id = c.party_id
    JOIN campaigns_result r ON r.election_id = c.election_id AND r.constituency_id = c.constituency_id
        AND r.winner_id IS NOT NULL
    WHERE c.election_id = %(election)s AND c.votes IS NOT NULL AND c.constituency_id IN (SELECT id FROM seats)
),
reports AS (
    SELECT cr.* FROM campaigns_countreport cr
    WHERE cr.election_id = %(election)s AND cr.status = 'confirmed' AND cr.constituency_id IN (SELECT id FROM seats)
),
count_votes AS (
    SELECT v.candidacy_id, cr.constituency_id, v.votes, COALESCE(pa.abbreviation, 'Ind') AS abbreviation,
        row_number() OVER (PARTITION BY cr.id ORDER BY v.votes DESC, v.candidacy_id) AS place
    FROM reports cr JOIN campaigns_countvote v ON v.report_id = cr.id
    JOIN campaigns_candidacy c ON c.id = v.candidacy_id LEFT JOIN campaigns_party pa ON pa.id = c.party_id
),
awaiting AS (
    SELECT constituency_id, count(*) AS n FROM campaigns_countreport
    WHERE election_id = %(election)s AND status = 'awaiting' GROUP BY constituency_id
)
SELECT s.id, s.code, s.name, s.region_name,
    t.tier,
    e.candidacy_id AS endorsed_candidacy_id, person.name AS endorsed_name,
    COALESCE(epa.abbreviation, 'Ind') AS endorsed_party,
    r.id AS result_id, r.majority, r.valid_votes, r.electorate, r.result_text, r.first_party, r.second_party,
    r.declared_at,
    cr.id AS report_id, cr.valid_votes AS report_valid_votes, cr.electorate AS report_electorate,
    cr.decided_at AS report_confirmed_at, cr.feed_check,
    (SELECT cv.abbreviation FROM count_votes cv WHERE cv.constituency_id = s.id AND cv.place = 1) AS count_first,
    (SELECT cv.abbreviation FROM count_votes cv WHERE cv.constituency_id = s.id AND cv.place = 2) AS count_second,
    (SELECT cv.votes FROM count_votes cv WHERE cv.constituency_id = s.id AND cv.place = 1)
        - COALESCE((SELECT cv.votes FROM count_votes cv WHERE cv.constituency_id = s.id AND cv.place = 2), 0)
        AS count_majority,
    fo.votes AS ours_feed_votes, fo.place AS ours_feed_place,
    co.votes AS ours_count_votes, co.place AS ours_count_place,
    n.winner AS notional_winner, n.majority AS notional_majority,
    nv.share AS ours_notional_share,
    x.expected_at, d.declared_at AS seen_declared_at, d.source AS declared_by,
    COALESCE(aw.n, 0) AS awaiting
FROM seats s
LEFT JOIN campaigns_target t ON t.election_id = %(election)s AND t.constituency_id = s.id AND t.tier > 0
LEFT JOIN campaigns_endorsement e ON e.election_id = %(election)s AND e.constituency_id = s.id
    AND e.status = 'endorsed'
LEFT JOIN campaigns_candidacy ec ON ec.id = e.candidacy_id
LEFT JOIN campaigns_person person ON person.id = ec.person_id
LEFT JOIN campaigns_party epa ON epa.id = ec.party_id
LEFT JOIN campaigns_result r ON r.election_id = %(election)s AND r.constituency_id = s.id AND r.winner_id IS NOT NULL
LEFT JOIN reports cr ON cr.constituency_id = s.id
LEFT JOIN feed_votes fo ON fo.candidacy_id = e.candidacy_id
LEFT JOIN count_votes co ON co.candidacy_id = e.candidacy_id
LEFT JOIN campaigns_notionalresult n ON n.election_id = %(election)s AND n.constituency_id = s.id
LEFT JOIN campaigns_notionalvote nv ON nv.notional_result_id = n.id
    AND nv.party_abbreviation = COALESCE(epa.abbreviation, 'Ind')
LEFT JOIN campaigns_expecteddeclaration x ON x.election_id = %(election)s AND x.constituency_id = s.id
LEFT JOIN campaigns_declaration d ON d.election_id = %(election)s AND d.constituency_id = s.id
LEFT JOIN awaiting aw ON aw.constituency_id = s.id
"""

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}


def ordinal(place: int | None) -> str:
    if place is None:
        return ""
    return ORDINALS.get(place, f"{place}th")


@dataclass
class BoardRow:
    """One seat on the board, with what it shows worked out (from the feed where it has the seat, else from a
    confirmed count report)."""

    id: int
    code: str
    name: str
    region_name: str
    tier: int | None
    endorsed_name: str | None
    endorsed_party: str | None
    declared: bool = False
    source: str = ""  # "feed" or "count"
    winner: str = ""
    second: str = ""
    majority: int | None = None
    turnout: float | None = None
    result_text: str = ""
    ours_votes: int | None = None
    ours_place: int | None = None
    ours_share: float | None = None
    ours_share_change: float | None = None
    notional_winner: str | None = None
    notional_majority: int | None = None
    majority_change: int | None = None
    declared_at: object = None
    expected_at: object = None
    overdue: bool = False
    feed_check: str = ""
    awaiting: int = 0

    @property
    def group(self) -> int:
        """Endorsed seats first, then targets by tier, then the rest."""
        if self.endorsed_name:
            return 0
        return self.tier or 9

    @property
    def place_text(self) -> str:
        return ordinal(self.ours_place)

    @property
    def colour(self) -> str:
        return parties.colour_for(self.winner) if self.declared else "#ffffff"

    @property
    def flagged(self) -> bool:
        return self.feed_check == CountReport.FeedCheck.DIFFERS


def change_text(winner: str, notional_winner: str | None) -> str:
    """``Lab hold`` / ``Ind gain from Lab`` against the notional previous result."""
    if not notional_winner:
        return f"{winner} win"
    return f"{winner} hold" if winner == notional_winner else f"{winner} gain from {notional_winner}"


def _row(values: dict, now) -> BoardRow:
    row = BoardRow(
        id=values["id"],
        code=values["code"],
        name=values["name"],
        region_name=values["region_name"],
        tier=values["tier"],
        endorsed_name=values["endorsed_name"],
        endorsed_party=values["endorsed_party"] if values["endorsed_candidacy_id"] else None,
        notional_winner=values["notional_winner"],
        notional_majority=values["notional_majority"],
        expected_at=values["expected_at"],
        feed_check=values["feed_check"] or "",
        awaiting=values["awaiting"],
    )
    if values["result_id"] is not None:
        row.declared, row.source = True, "feed"
        row.winner, row.second = values["first_party"], values["second_party"]
        row.majority = values["majority"]
        valid, electorate = values["valid_votes"], values["electorate"]
        row.result_text = values["result_text"] or change_text(row.winner, row.notional_winner)
        row.ours_votes, row.ours_place = values["ours_feed_votes"], values["ours_feed_place"]
        row.declared_at = values["seen_declared_at"] or values["declared_at"]
    elif values["report_id"] is not None:
        row.declared, row.source = True, "count"
        row.winner, row.second = values["count_first"] or "", values["count_second"] or ""
        row.majority = values["count_majority"]
        valid, electorate = values["report_valid_votes"], values["report_electorate"]
        row.result_text = change_text(row.winner, row.notional_winner)
        row.ours_votes, row.ours_place = values["ours_count_votes"], values["ours_count_place"]
        row.declared_at = values["seen_declared_at"] or values["report_confirmed_at"]
    else:
        valid = electorate = None
    if row.declared:
        row.turnout = valid / electorate if valid and electorate else None
        if row.ours_votes is not None and valid:
            row.ours_share = row.ours_votes / valid
            if values["ours_notional_share"] is not None:
                row.ours_share_change = row.ours_share - values["ours_notional_share"]
        if row.majority is not None and row.notional_majority is not None and row.winner == row.notional_winner:
            row.majority_change = row.majority - row.notional_majority
    row.overdue = not row.declared and row.expected_at is not None and row.expected_at < now
    return row


def _seat_condition(seats: QuerySet[Constituency]) -> tuple[str, dict]:
    sql, params = scope.as_sql(seats.values("pk").order_by(), prefix="seats")
    return f"k.id IN ({sql})", params


def board_rows(*, election: Election, seats: QuerySet[Constituency]) -> list[BoardRow]:
    """Every seat of ``seats`` (the user's scope) as the board shows it, endorsed and target seats first, then
    the declared by declaration time (latest first), then the rest by expected time and name. One query."""
    condition, params = _seat_condition(seats)
    with connection.cursor() as cursor:
        cursor.execute(BOARD_SQL.format(seats=condition), {"election": election.pk, **params})
        columns = [c.name for c in cursor.description]
        fetched = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    now = clock.now()
    rows = [_row(values, now) for values in fetched]
    far = now.replace(year=9999)

    def key(row: BoardRow):
        when = row.declared_at or far
        return (row.group, not row.overdue, not row.declared, -when.timestamp() if row.declared else 0,
                row.expected_at or far, row.name)  # fmt: skip

    rows.sort(key=key)
    return rows


@dataclass
class Board:
    election: Election
    rows: list[BoardRow]
    national: list[dict]
    declared: int
    seats: int
    priority: list[BoardRow] = field(default_factory=list)
    others: list[BoardRow] = field(default_factory=list)
    others_declared: int = 0
    overdue: int = 0
    flagged: int = 0
    at: object = None


#: On the board, how many of the latest declarations outside the endorsed and target seats are listed.
OTHERS_SHOWN = 30

NATIONAL_SQL = """
WITH feed AS (
    SELECT r.constituency_id, COALESCE(pa.abbreviation, 'Ind') AS party
    FROM campaigns_result r JOIN campaigns_candidacy c ON c.id = r.winner_id
    LEFT JOIN campaigns_party pa ON pa.id = c.party_id
    WHERE r.election_id = %(election)s
),
counted AS (
    SELECT DISTINCT ON (cr.constituency_id) cr.constituency_id, COALESCE(pa.abbreviation, 'Ind') AS party
    FROM campaigns_countreport cr JOIN campaigns_countvote v ON v.report_id = cr.id
    JOIN campaigns_candidacy c ON c.id = v.candidacy_id LEFT JOIN campaigns_party pa ON pa.id = c.party_id
    WHERE cr.election_id = %(election)s AND cr.status = 'confirmed'
        AND cr.constituency_id NOT IN (SELECT constituency_id FROM feed)
    ORDER BY cr.constituency_id, v.votes DESC, v.candidacy_id
)
SELECT party, count(*) FROM (SELECT party FROM feed UNION ALL SELECT party FROM counted) won
GROUP BY party ORDER BY count(*) DESC, party
"""
SEATS_SQL = "SELECT count(DISTINCT constituency_id) FROM campaigns_candidacy WHERE election_id = %(election)s"


def national_picture(*, election: Election) -> tuple[list[dict], int, int]:
    """Seats won by party so far (the feed's winners and, where the feed has not the seat yet, confirmed count
    reports'), the number declared, and the number of seats contested. Two queries."""
    with connection.cursor() as cursor:
        cursor.execute(NATIONAL_SQL, {"election": election.pk})
        won = cursor.fetchall()
        cursor.execute(SEATS_SQL, {"election": election.pk})
        (seats,) = cursor.fetchone()
    total = sum(n for _, n in won)
    parties_won, offset = [], 0.0
    for party, n in won:
        width = 100 * n / max(seats, total, 1)
        parties_won.append(
            {
                "party": party,
                "seats": n,
                "colour": parties.colour_for(party),
                "width": f"{width:.2f}",
                "offset": f"{offset:.2f}",
            }
        )
        offset += width
    return parties_won, total, max(seats, total)


def results_board(*, election: Election, seats: QuerySet[Constituency]) -> Board:
    """The board: the national picture and every seat in scope, endorsed and target seats first and all of
    them listed; of the other seats the latest declarations. Three queries."""
    rows = board_rows(election=election, seats=seats)
    national, declared, total = national_picture(election=election)
    board = Board(election=election, rows=rows, national=national, declared=declared, seats=total, at=clock.now())
    board.priority = [r for r in rows if r.group < 9]
    rest = [r for r in rows if r.group == 9]
    board.others_declared = sum(1 for r in rest if r.declared)
    board.others = [r for r in rest if r.declared or r.overdue][:OTHERS_SHOWN]
    board.overdue = sum(1 for r in rows if r.overdue)
    board.flagged = sum(1 for r in rows if r.flagged)
    return board


def seat_night(*, election: Election, seats: QuerySet[Constituency], code: str) -> dict | None:
    """A seat's night page: its board row, its candidates (with the feed's votes) and its count reports."""
    seat = seats.filter(code=code).first()
    if seat is None:
        return None
    rows = board_rows(election=election, seats=Constituency.objects.filter(pk=seat.pk))
    candidacies = list(
        Candidacy.objects.filter(election=election, constituency=seat)
        .select_related("person", "party")
        .order_by("person__surname", "person__name")
    )
    reports = list(
        CountReport.objects.filter(election=election, constituency=seat)
        .select_related("entered_by", "decided_by")
        .prefetch_related("votes__candidacy__person")
        .order_by("-entered_at", "-pk")[:10]
    )
    return {"seat": seat, "row": rows[0], "candidacies": candidacies, "reports": reports}


# --- fingerprints: what changes when a page would -----------------------------------------------------------

FINGERPRINT_SQL = """
SELECT
    (SELECT concat_ws('/', count(*), max(declared_at), sum(majority), sum(valid_votes), sum(winner_id))
        FROM campaigns_result WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), max(entered_at), max(decided_at), max(checked_at))
        FROM campaigns_countreport WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), max(updated_at), sum(candidacy_id))
        FROM campaigns_endorsement WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), max(updated_at))
        FROM campaigns_expecteddeclaration WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), max(recorded_at))
        FROM campaigns_declaration WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), sum(votes), sum(id))
        FROM campaigns_candidacy WHERE election_id = %(election)s {seat_filter}),
    (SELECT concat_ws('/', count(*), max(computed_at)) FROM campaigns_target WHERE election_id = %(election)s)
"""


def results_fingerprint(*, election: Election, seat: Constituency | None = None, extra: str = "") -> str:
    """A short hash of everything a results page shows (the whole election's, or one seat's): it changes
    whenever a result, a count report, an endorsement, an expected time or a candidate's votes does. One
    indexed query; the pages' ETag and their cache key."""
    seat_filter = "AND constituency_id = %(seat)s" if seat is not None else ""
    with connection.cursor() as cursor:
        params = {"election": election.pk, "seat": seat.pk if seat is not None else None}
        cursor.execute(FINGERPRINT_SQL.format(seat_filter=seat_filter), params)
        values = cursor.fetchone()
    digest = hashlib.blake2b("|".join(map(str, (*values, extra))).encode(), digest_size=12).hexdigest()
    return digest
