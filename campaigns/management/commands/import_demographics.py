"""`manage.py import_demographics`: Import the Commons Library demographic estimates per constituency."""

from campaigns.management.commands._base import ImportCommand, one
from campaigns.services.imports import demographics_import


class Command(ImportCommand):
    help = "Import the Commons Library demographic estimates per constituency."
    needs_election = False

    def run(self, *, files, election, options):
        return demographics_import(data=one(files))
