"""`manage.py load_demo_volunteers`: teams, volunteers and the coming week of shifts in a few seats, plus a few
finished ones with attendance (idempotent; a later run tops the week up)."""

from django.core.management.base import BaseCommand

from volunteers.demo import DEMO_PASSWORD, demo_volunteers_load


class Command(BaseCommand):
    help = "Create demo teams, volunteers and the coming week of shifts with sign-ups (run after load_demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seats", type=int, default=5, help="how many demo seats (default 5)")
        parser.add_argument("--volunteers-per-seat", type=int, default=12)

    def handle(self, *args, seats: int, volunteers_per_seat: int, **options):
        counts = demo_volunteers_load(seats=seats, volunteers_per_seat=volunteers_per_seat)
        self.stdout.write(
            f"{counts['seats']} seats, {counts['volunteers']} volunteers; added {counts['shifts']} coming shifts with "
            f"{counts['signups']} sign-ups and {counts['finished']} finished ones with {counts['attendance']} "
            f"check-ins. Demo accounts' password: {DEMO_PASSWORD}"
        )
