"""factory_boy factories for the campaigns models."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from campaigns.models import Candidacy, Constituency, Election, Party, Person, Result


class ElectionFactory(DjangoModelFactory):
    class Meta:
        model = Election
        django_get_or_create = ("slug",)

    slug = "parl.2024-07-04"
    name = "UK general election 2024"
    date = "2024-07-04"


class ConstituencyFactory(DjangoModelFactory):
    class Meta:
        model = Constituency

    code = factory.Sequence(lambda n: f"E14{n + 900000:06d}")
    name = factory.Sequence(lambda n: f"Seat {n}")
    nation = "England"
    region_code = "E12000007"
    region_name = "London"


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("name",)

    name = "Labour"
    abbreviation = "Lab"
    colour = "#E4003B"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    key = factory.Sequence(lambda n: f"dc:{n + 500000}")
    dc_person_id = factory.Sequence(lambda n: n + 500000)
    name = factory.Faker("name")


class CandidacyFactory(DjangoModelFactory):
    class Meta:
        model = Candidacy

    election = factory.SubFactory(ElectionFactory)
    constituency = factory.SubFactory(ConstituencyFactory)
    person = factory.SubFactory(PersonFactory)
    party = factory.SubFactory(PartyFactory)
    votes = 1000


class ResultFactory(DjangoModelFactory):
    class Meta:
        model = Result

    election = factory.SubFactory(ElectionFactory)
    constituency = factory.SubFactory(ConstituencyFactory)
    electorate = 70000
    valid_votes = 40000
    invalid_votes = 100
    majority = 1000
