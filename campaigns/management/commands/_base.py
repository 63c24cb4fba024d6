"""Shared plumbing for the import commands: read files, run the service, print the report or every problem."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Election
from campaigns.services.imports import election_for_slug
from organiser.imports import ImportRejected, ImportReport


class ImportCommand(BaseCommand):
    needs_election = False
    help_file = "the file to import"

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", help=self.help_file)
        if self.needs_election:
            parser.add_argument("--election", required=True, help="Democracy Club election id, e.g. parl.2024-07-04")

    def run(self, *, files: list[bytes], election: Election | None, options: dict) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        try:
            data = [Path(name).read_bytes() for name in options["files"]]
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        try:
            election = election_for_slug(options["election"]) if self.needs_election else None
            report = self.run(files=data, election=election, options=options)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(rejected.problems)} problem(s) found; nothing was imported.") from None
        self.stdout.write(report.summary())


def one(files: list[bytes]) -> bytes:
    if len(files) != 1:
        raise CommandError("give exactly one file")
    return files[0]
