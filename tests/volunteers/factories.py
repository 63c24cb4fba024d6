"""factory_boy factories for volunteers' models (typed, as in cookiecutter-django)."""

from __future__ import annotations

import datetime as dt

import factory

from campaigns.models import Constituency
from organiser import clock
from volunteers.models import Role, Shift, ShiftKind, Signup, SignupStatus, User, VolunteerProfile


class ConstituencyFactory(factory.django.DjangoModelFactory[Constituency]):
    class Meta:
        model = Constituency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"E1409{n:04d}")
    name = factory.Sequence(lambda n: f"Testshire {n}")
    nation = "England"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"volunteer{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.VOLUNTEER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProfileFactory(factory.django.DjangoModelFactory[VolunteerProfile]):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    phone = "+447911123456"
    postcode = "IG6 2AA"
    home_constituency = factory.SubFactory(ConstituencyFactory)
    skills = factory.LazyFunction(lambda: ["canvassing"])
    languages = factory.LazyFunction(lambda: ["en"])
    availability = factory.LazyFunction(lambda: ["sat_morning"])


def in_hours(hours: float) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=hours)


class ShiftFactory(factory.django.DjangoModelFactory[Shift]):
    class Meta:
        model = Shift

    kind = ShiftKind.CANVASSING
    constituency = factory.SubFactory(ConstituencyFactory)
    starts_at = factory.LazyFunction(lambda: in_hours(48))
    ends_at = factory.LazyAttribute(lambda shift: shift.starts_at + dt.timedelta(hours=2))
    meeting_point = "Barkingside station, north exit"
    capacity = 5
    minimum = factory.LazyAttribute(lambda shift: min(2, shift.capacity))


class SignupFactory(factory.django.DjangoModelFactory[Signup]):
    class Meta:
        model = Signup
        skip_postgeneration_save = True

    shift = factory.SubFactory(ShiftFactory)
    volunteer = factory.SubFactory(UserFactory)
    status = SignupStatus.CONFIRMED

    @factory.post_generation
    def recount(obj, create, extracted, **kwargs):
        """Sign-ups made here skip the services, so the shift's place count is refreshed as they would."""
        if create:
            from volunteers.services import shift_recount

            obj.shift.filled = shift_recount(shift_id=obj.shift_id)
