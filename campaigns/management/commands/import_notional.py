"""`manage.py import_notional`: Import notional previous results on the new boundaries (Rallings & Thrasher layout)."""

from campaigns.management.commands._base import ImportCommand, one
from campaigns.services.imports import notional_import


class Command(ImportCommand):
    help = "Import notional previous results on the new boundaries (Rallings & Thrasher layout)."
    needs_election = True

    def run(self, *, files, election, options):
        return notional_import(election=election, data=one(files))
