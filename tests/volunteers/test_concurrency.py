"""Capacity holds under concurrency: many threads racing for the last places on real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from volunteers import services
from volunteers.models import Signup, SignupStatus

from .factories import ShiftFactory, SignupFactory, UserFactory

THREADS = 16


def _race(shift_id: int, volunteers) -> list[BaseException]:
    barrier = threading.Barrier(len(volunteers))
    errors: list[BaseException] = []

    def sign_up(volunteer) -> None:
        try:
            barrier.wait()
            services.signup_create(shift=shift_id, volunteer=volunteer)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(volunteer,)) for volunteer in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("round_", range(5))
def test_last_places_go_to_exactly_capacity(transactional_db, round_):
    shift = ShiftFactory(capacity=6)
    SignupFactory.create_batch(3, shift=shift)  # three places left
    volunteers = UserFactory.create_batch(THREADS)
    assert connection.vendor == "postgresql"

    errors = _race(shift.pk, volunteers)

    assert errors == []
    statuses = list(Signup.objects.filter(shift=shift).values_list("status", flat=True))
    assert statuses.count(SignupStatus.CONFIRMED) == 6
    assert statuses.count(SignupStatus.WAITLISTED) == THREADS - 3


def test_one_person_racing_themself_gets_one_signup(transactional_db):
    shift = ShiftFactory(capacity=10)
    volunteer = UserFactory()
    errors = _race(shift.pk, [volunteer] * 8)
    assert Signup.objects.filter(shift=shift, volunteer=volunteer).count() == 1
    assert len(errors) == 7 and all(isinstance(error, services.SignupError) for error in errors)
