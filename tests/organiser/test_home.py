"""The public home page: says what the campaign is, links to sign up, lists whom it endorses."""

import pytest
from django.urls import reverse

from campaigns.models import Endorsement
from tests.campaigns.factories import CandidacyFactory, ElectionFactory


@pytest.mark.django_db
def test_home_lists_published_endorsements_only_in_constant_queries(client, django_assert_num_queries):
    election = ElectionFactory()
    published = []
    for index in range(5):
        candidacy = CandidacyFactory(election=election)
        status = Endorsement.Status.ENDORSED if index % 2 == 0 else Endorsement.Status.PROPOSED
        endorsement = Endorsement.objects.create(
            election=election, constituency=candidacy.constituency, candidacy=candidacy, status=status
        )
        if status == Endorsement.Status.ENDORSED:
            published.append(endorsement)
    with django_assert_num_queries(2):
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("volunteers:join") in page
    for endorsement in Endorsement.objects.select_related("candidacy__person"):
        assert (endorsement.candidacy.person.name in page) is (endorsement in published)


@pytest.mark.django_db
def test_home_without_any_election_still_serves(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "not announced any endorsements" in response.content.decode()
