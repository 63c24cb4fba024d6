"""`manage.py import_candidates`: Import Democracy Club candidates (people and candidacies)."""

from campaigns.management.commands._base import ImportCommand, one
from campaigns.services.imports import candidates_import


class Command(ImportCommand):
    help = "Import Democracy Club candidates (people and candidacies)."
    needs_election = True

    def run(self, *, files, election, options):
        return candidates_import(election=election, data=one(files))
