"""Analysis on the real 2024 data: the national summary, seat annotations and the scatter's correlation."""

from __future__ import annotations

import pytest

from campaigns import selectors
from campaigns.models import Constituency

pytestmark = pytest.mark.django_db


def test_national_summary_matches_the_commons_library(real_2024, django_assert_num_queries):
    with django_assert_num_queries(2):
        summary = selectors.election_summary(election=real_2024)
    seats = {p["abbreviation"]: p["seats"] for p in summary["parties"]}
    assert summary["seats"] == 650
    assert sum(seats.values()) == 650
    assert (seats["Lab"], seats["Spk"], seats["Con"], seats["LD"], seats["Ind"]) == (411, 1, 121, 72, 6)
    assert (seats["SNP"], seats["SF"], seats["RUK"], seats["Green"]) == (9, 7, 5, 4)
    assert summary["turnout"] == pytest.approx(0.597, abs=0.001)
    labour = next(p for p in summary["parties"] if p["abbreviation"] == "Lab")
    assert labour["name"] == "Labour"


def test_seat_annotations_give_majority_change_against_notional(real_2024):
    seat = selectors.seats_annotated(Constituency.objects.filter(name="Ilford North"), election=real_2024).get()
    assert seat.majority == 528
    assert seat.notional_majority == 9030
    assert seat.majority_change == 528 - 9030
    assert seat.winner_party == "Lab"
    assert seat.turnout == pytest.approx(46888 / 78657)


def test_seat_list_filters(real_2024):
    def names(**filters):
        return {
            s.name
            for s in selectors.seat_list(
                seats=Constituency.objects.all(), election=real_2024, filters=selectors.SeatFilters(**filters)
            )
        }

    independents = names(winner="Ind")
    assert len(independents) == 6 and "Blackburn" in independents
    assert names(winner="Ind", majority_max=1000) == {"Birmingham Perry Barr", "Blackburn", "Leicester South"}
    assert len(names(nation="Wales")) == 32
    assert names(q="ilford") == {"Ilford North", "Ilford South"}
    assert len(names(declared="no")) == 0


def test_muslim_share_is_code_6_over_codes_1_to_9(real_2024):
    seat = (
        Constituency.objects.filter(name="Bradford West")
        .annotate(share=selectors.demographic_share_expression(*selectors.MUSLIM))
        .get()
    )
    assert seat.share == pytest.approx(0.587, abs=0.001)


def test_labour_share_change_falls_as_the_muslim_share_rises(real_2024, django_assert_num_queries):
    with django_assert_num_queries(1):
        fit = selectors.share_change_vs_demographic(election=real_2024)
    assert fit.n == 575
    assert fit.slope < 0
    assert fit.r == pytest.approx(-0.75, abs=0.01)


def test_the_hex_map_has_north_at_the_top_and_a_key(real_2024):
    from campaigns import charts

    seats = selectors.hexmap_seats(election=real_2024, colour_by="winner")
    drawn = charts.hex_map(seats, colour_by="winner")

    def top(code: str) -> float:
        hexagon = next(h for h in drawn["hexes"] if h["code"] == code)
        return min(float(point.split(",")[1]) for point in hexagon["points"].split())

    # Orkney and Shetland (HexJSON r grows northwards) is drawn above St Ives.
    assert top("S14000051") < top("E14001511")
    assert drawn["legend"][0] == {"label": "Lab", "colour": "#E4003B", "count": 411}
    assert sum(item["count"] for item in drawn["legend"]) == 650
