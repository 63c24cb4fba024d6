"""`manage.py load_demo_volunteers`: teams, volunteers and a week of shifts in a few seats (idempotent)."""

from django.core.management.base import BaseCommand

from volunteers.demo import DEMO_PASSWORD, demo_volunteers_load


class Command(BaseCommand):
    help = "Create demo teams, volunteers and a week of shifts with sign-ups (run after load_demo)."

    def handle(self, *args, **options):
        counts = demo_volunteers_load()
        self.stdout.write(
            f"{counts['seats']} seats, {counts['volunteers']} volunteers, {counts['shifts']} shifts, "
            f"{counts['signups']} new sign-ups. Demo accounts' password: {DEMO_PASSWORD}"
        )
