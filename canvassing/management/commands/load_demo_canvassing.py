"""`manage.py load_demo_canvassing`: a synthetic register for a demo target seat's endorsed candidate, the
seat's demo team granted, walk lists cut and assigned. Idempotent. Never a real register."""

from django.core.management.base import BaseCommand

from canvassing.demo import demo_canvassing_load
from canvassing.models import CandidateCampaign


class Command(BaseCommand):
    help = "Load a synthetic register with walk lists for a demo target seat."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--electors", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2029)

    def handle(self, *args, electors: int, seed: int, **options) -> None:
        counts = demo_canvassing_load(electors=electors, seed=seed)
        if counts.pop("destroyed"):
            campaign = CandidateCampaign.objects.get(pk=counts["campaign"])
            self.stdout.write(
                f"The demo campaign's register reached its retention date ({campaign.retention_date:%d %B %Y}) and "
                "is destroyed (or is due to be tonight); no register is loaded into it again."
            )
            return
        self.stdout.write(", ".join(f"{name}: {value}" for name, value in counts.items()))
