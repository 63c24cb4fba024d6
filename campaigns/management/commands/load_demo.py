"""`manage.py load_demo`: load the real 2024 general election (results, notional 2019, census, candidates, hex map).

Idempotent: a second run finds nothing to change and says so.
"""

from django.core.management.base import BaseCommand

from campaigns.models import Election
from campaigns.services.demo import ELECTION_2024, demo_load
from campaigns.services.targets import targets_compute


class Command(BaseCommand):
    help = "Load the real UK general election of 4 July 2024 shipped in campaigns/data."

    def handle(self, *args, **options) -> None:
        for report in demo_load():
            self.stdout.write(report.summary())
        scored = targets_compute(election=Election.objects.get(slug=ELECTION_2024))
        self.stdout.write(f"targets: {scored} seats scored or re-scored.")
