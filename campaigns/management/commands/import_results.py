"""`manage.py import_results`: import Commons Library results files (by candidate and/or by constituency)."""

from campaigns.management.commands._base import ImportCommand
from campaigns.services.imports import results_import


class Command(ImportCommand):
    help = "Import Commons Library results files (by candidate and/or by constituency, told apart by their headers)."
    needs_election = True

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--complete",
            action="store_true",
            help="the files are the whole election: seats they do not list lose this election's result",
        )

    def run(self, *, files, election, options):
        return results_import(election=election, files=files, complete=options["complete"])
