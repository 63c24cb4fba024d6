"""The Commons Library results import: real 2024 files, idempotency, updates, bad input, layouts, encodings."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import Candidacy, Constituency, Party, Person, Result
from campaigns.services.demo import data_file
from campaigns.services.imports import election_for_slug, results_import
from organiser.imports import ImportRejected
from tests.campaigns import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def election2024():
    return election_for_slug("parl.2024-07-04")


def import_real(election):
    return results_import(election=election, files=[data_file("by_constituency"), data_file("by_candidate")])


def test_real_2024_files_import_every_seat_and_candidate(election2024):
    report = import_real(election2024)
    assert report.tables["results"].created == 650
    assert report.tables["candidacies"].created == 4515
    assert Result.objects.filter(election=election2024, winner__isnull=False).count() == 650
    assert Candidacy.objects.filter(election=election2024, elected=True).count() == 650
    # Independents have no party; Lab and Lab Co-op are two parties with one abbreviation; the Speaker stands alone.
    assert Candidacy.objects.filter(party__isnull=True).count() == 459
    assert set(Party.objects.filter(abbreviation="Lab").values_list("name", flat=True)) == {
        "Labour",
        "Labour and Co-operative",
    }
    chorley = Result.objects.select_related("winner__party", "winner__person").get(constituency__name="Chorley")
    assert chorley.winner.party.name == "Speaker"
    assert chorley.winner.person.surname == "Hoyle"
    ilford = Result.objects.get(constituency__code="E14001300")
    assert ilford.majority == 528
    assert Constituency.objects.get(code="W07000112").name == "Ynys Môn"


def rows_written() -> int:
    """Rows this transaction has inserted, updated or deleted in the campaigns tables (PostgreSQL's own count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
            "WHERE schemaname = 'public' AND relname LIKE 'campaigns\\_%%'"
        )
        return cursor.fetchone()[0]


def test_rerun_changes_nothing_and_says_so(election2024):
    import_real(election2024)
    before = rows_written()
    assert before >= 650 + 4515  # the count sees this transaction's writes
    report = import_real(election2024)
    assert not report.changed
    assert "no changes" in report.summary()
    assert rows_written() == before


def test_query_count_does_not_grow_with_rows(election2024):
    other = election_for_slug("parl.2019-12-12")
    with CaptureQueriesContext(connection) as small:
        results_import(election=other, files=[files.constituency_csv(), files.candidate_csv()])
    with CaptureQueriesContext(connection) as full:
        import_real(election2024)
    assert len(full) == len(small)


def test_an_updated_file_changes_only_what_changed(election2024):
    results_import(election=election2024, files=[files.constituency_csv(), files.candidate_csv()])
    changed = [list(c) for c in files.CANDIDATES]
    changed[2][5] += 10  # Kaz Rizvi gets ten more votes; the seat's valid votes follow
    report = results_import(
        election=election2024,
        files=[
            files.constituency_csv(valid_votes={"E14001300": 15647 + 15119 + 6569 + 10}),
            files.candidate_csv([tuple(c) for c in changed]),
        ],
    )
    assert report.tables["candidacies"].updated == 1
    assert report.tables["candidacies"].unchanged == 5
    assert report.tables["results"].updated == 1
    assert report.tables["results"].unchanged == 1
    assert Candidacy.objects.get(person__surname="Rizvi").votes == 6579


def without(*surnames: str) -> list[tuple]:
    return [c for c in files.CANDIDATES if c[4] not in surnames]


def test_a_candidate_dropped_from_the_file_is_removed_from_that_seat(election2024):
    results_import(election=election2024, files=[files.constituency_csv(), files.candidate_csv()])
    report = results_import(
        election=election2024,
        files=[
            files.constituency_csv(valid_votes={"E14001300": 15647 + 15119}),
            files.candidate_csv(without("Rizvi")),
        ],
    )
    assert report.tables["candidacies"].deleted == 1
    assert report.tables["candidacies"].unchanged == 5
    ilford = Candidacy.objects.filter(election=election2024, constituency__code="E14001300")
    assert sorted(ilford.values_list("person__surname", flat=True)) == ["Mohamad", "Streeting"]
    assert Candidacy.objects.filter(election=election2024, constituency__code="W07000112").count() == 3
    assert Result.objects.get(constituency__code="E14001300").valid_votes == 15647 + 15119


def test_a_dropped_winner_hands_the_seat_to_the_new_top_candidate(election2024):
    results_import(election=election2024, files=[files.candidate_csv()])
    report = results_import(election=election2024, files=[files.candidate_csv(without("Streeting"))])
    assert report.tables["candidacies"].deleted == 1
    result = Result.objects.select_related("winner__person").get(constituency__code="E14001300")
    assert (result.winner.person.surname, result.majority) == ("Mohamad", 15119 - 6569)
    assert Candidacy.objects.get(person__surname="Mohamad").elected


def test_a_partial_feed_leaves_seats_it_does_not_list(election2024):
    results_import(election=election2024, files=[files.constituency_csv(), files.candidate_csv()])
    ilford_only = [c for c in files.CANDIDATES if c[0] == "E14001300"]
    report = results_import(election=election2024, files=[files.candidate_csv(ilford_only)], create_seats=False)
    assert not report.changed
    assert Result.objects.filter(election=election2024).count() == 2
    assert Candidacy.objects.filter(election=election2024, constituency__code="W07000112").count() == 3


def test_a_complete_file_removes_a_seat_it_no_longer_lists(election2024, tmp_path):
    results_import(election=election2024, files=[files.constituency_csv(), files.candidate_csv()])
    other = election_for_slug("parl.2019-12-12")
    results_import(election=other, files=[files.candidate_csv()])  # another election is out of scope
    ilford_only = [c for c in files.CANDIDATES if c[0] == "E14001300"]
    path = tmp_path / "ilford.csv"
    path.write_bytes(files.candidate_csv(ilford_only))
    call_command("import_results", str(path), "--election", "parl.2024-07-04", "--complete")
    assert list(Result.objects.filter(election=election2024).values_list("constituency__code", flat=True)) == [
        "E14001300"
    ]
    assert not Candidacy.objects.filter(election=election2024, constituency__code="W07000112").exists()
    assert Candidacy.objects.filter(election=other).count() == 6
    assert Result.objects.filter(election=other).count() == 2


def test_a_dropped_candidate_named_by_an_endorsement_keeps_the_history_but_loses_the_votes(election2024):
    from campaigns.models import Endorsement, EndorsementEvent

    results_import(election=election2024, files=[files.candidate_csv()])
    rizvi = Candidacy.objects.get(person__surname="Rizvi")
    endorsement = Endorsement.objects.create(
        election=election2024, constituency=rizvi.constituency, candidacy=rizvi, status="proposed"
    )
    EndorsementEvent.objects.create(endorsement=endorsement, status="proposed", candidacy=rizvi)
    report = results_import(election=election2024, files=[files.candidate_csv(without("Rizvi"))])
    rizvi.refresh_from_db()
    assert (rizvi.votes, rizvi.elected) == (None, False)
    assert report.tables["candidacies"].updated == 1 and report.tables["candidacies"].deleted == 0
    assert not results_import(election=election2024, files=[files.candidate_csv(without("Rizvi"))]).changed


def test_every_bad_row_is_reported_and_nothing_is_written(election2024):
    rows = files.candidate_rows()
    rows[0][18] = "lots"  # non-numeric votes
    rows[1][18] = "-5"  # negative votes
    rows[3][0] = "E1400128"  # mistyped code
    rows.append(list(rows[4]))  # the same candidate twice
    data = files.to_csv(files.CANDIDATE_HEADER, rows).encode()
    with pytest.raises(ImportRejected) as rejected:
        results_import(election=election2024, files=[data])
    found = {(p.row, p.column) for p in rejected.value.problems}
    assert (2, "ONS ID") not in found
    assert {(2, "Votes"), (3, "Votes"), (5, "ONS ID"), (8, "Candidate surname")} <= found
    messages = " | ".join(str(p) for p in rejected.value.problems)
    assert "'lots' is not a number" in messages
    assert "-5 is negative" in messages
    assert "'E1400128' is not a constituency code" in messages
    assert "the same candidate (Llinos Medi) as row 6" in messages
    assert Constituency.objects.count() == 0
    assert Candidacy.objects.count() == 0


def test_votes_must_add_up_to_the_seats_valid_votes(election2024):
    with pytest.raises(ImportRejected) as rejected:
        results_import(
            election=election2024,
            files=[files.constituency_csv(valid_votes={"W07000112": 30000}), files.candidate_csv()],
        )
    [problem] = rejected.value.problems
    assert "W07000112 add up to 30,950, but the seat's valid votes are 30,000" in problem.problem
    assert Result.objects.count() == 0


def test_votes_are_checked_against_a_constituency_file_imported_earlier(election2024):
    results_import(election=election2024, files=[files.constituency_csv(valid_votes={"W07000112": 30000})])
    with pytest.raises(ImportRejected, match="add up to 30,950"):
        results_import(election=election2024, files=[files.candidate_csv()])


def test_missing_and_renamed_columns_are_named(election2024):
    header = [("Vote count" if h == "Votes" else h) for h in files.CANDIDATE_HEADER if h != "Candidate surname"]
    rows = [[cell for i, cell in enumerate(row) if i != 13] for row in files.candidate_rows()]
    with pytest.raises(ImportRejected) as rejected:
        results_import(election=election2024, files=[files.to_csv(header, rows).encode()])
    messages = [str(p) for p in rejected.value.problems]
    assert "row 1, column 'Votes': missing column 'Votes' (is 'Vote count' the same column, renamed?)" in messages
    assert any("missing column 'Candidate surname'" in m for m in messages)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02PK\x03\x04binary", "not text"),
        (",".join(files.CANDIDATE_HEADER).encode() + b"\n", "no data rows"),
        (data_file("census_religion"), "not a Commons Library results file"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(election2024, data, message):
    with pytest.raises(ImportRejected, match=message):
        results_import(election=election2024, files=[data])


def test_byte_order_mark_and_windows_1252_are_read(election2024):
    text = files.candidate_csv().decode()
    results_import(election=election2024, files=[text.encode("utf-8-sig")])
    assert Constituency.objects.get(code="W07000112").name == "Ynys Môn"
    Constituency.objects.filter(code="W07000112").update(name="x")
    report = results_import(election=election2024, files=[text.encode("cp1252")])
    assert Constituency.objects.get(code="W07000112").name == "Ynys Môn"
    assert report.tables["constituencies"].updated == 1
    assert Person.objects.get(dc_person_id=1006).surname == "Môn Williams"


def test_undecodable_bytes_are_reported(election2024):
    with pytest.raises(ImportRejected, match="could not be decoded"):
        results_import(election=election2024, files=[files.candidate_csv() + b"\x81\x8d"])


def test_older_snake_case_layout_is_read(election2024):
    header = ["ons_id", "constituency_name", "country_name", "party_name", "party_abbreviation", "firstname"]
    header += ["surname", "votes"]
    rows = [
        ["E14000530", "Aldershot", "England", "Conservative", "Con", "Leo", "Docherty", "27980"],
        ["E14000530", "Aldershot", "England", "Labour", "Lab", "Howard", "Kaye", "11282"],
    ]
    election = election_for_slug("parl.2019-12-12")
    report = results_import(election=election, files=[files.to_csv(header, rows).encode()])
    assert report.tables["candidacies"].created == 2
    result = Result.objects.get(election=election)
    assert (result.majority, result.valid_votes, result.winner.person.surname) == (16698, 39262, "Docherty")


def test_unknown_seats_are_reported_when_seats_must_exist(election2024):
    with pytest.raises(ImportRejected, match="unknown constituency code 'E14001300'"):
        results_import(election=election2024, files=[files.candidate_csv()], create_seats=False)


def test_command_prints_the_report_and_every_problem(election2024, tmp_path, capsys):
    good = tmp_path / "candidates.csv"
    good.write_bytes(files.candidate_csv())
    call_command("import_results", str(good), "--election", "parl.2024-07-04")
    assert "candidacies: 6 created" in capsys.readouterr().out
    call_command("import_results", str(good), "--election", "parl.2024-07-04")
    assert "no changes" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    rows = files.candidate_rows()
    rows[0][18] = "x"
    rows[1][18] = "y"
    bad.write_text(files.to_csv(files.CANDIDATE_HEADER, rows))
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_results", str(bad), "--election", "parl.2024-07-04")
    err = capsys.readouterr().err
    assert "row 2, column 'Votes'" in err and "row 3, column 'Votes'" in err


def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    assert "results: 5165 rows read; constituencies: 650 created" in first
    assert "targets: 650 seats" in first
    call_command("load_demo")
    second = capsys.readouterr().out
    assert second.count("no changes") == 6
    assert "targets: 0 seats" in second
