"""`manage.py synthetic_register OUT.csv --electors N --seed S [--absent-voters AV.csv]`: write a synthetic
council register export (and its absent-voter list) for tests, demos and benchmarks. Never a real register."""

from pathlib import Path

from django.core.management.base import BaseCommand

from canvassing import synthetic


class Command(BaseCommand):
    help = "Write a synthetic electoral register as a council CSV export."

    def add_arguments(self, parser) -> None:
        parser.add_argument("output", type=Path)
        parser.add_argument("--electors", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--absent-voters", type=Path, default=None)

    def handle(self, *args, output: Path, electors: int, seed: int, absent_voters: Path | None, **options) -> None:
        with output.open("wb") as out:
            rows = synthetic.write_register(out, electors, seed=seed)
        self.stdout.write(f"{output}: {rows} electors")
        if absent_voters:
            with absent_voters.open("wb") as out:
                rows = synthetic.write_absent_voters(out, electors, seed=seed)
            self.stdout.write(f"{absent_voters}: {rows} absent voters")
