"""`manage.py import_census_religion`: Import Census 2021 religion counts (TS030) per constituency."""

from campaigns.management.commands._base import ImportCommand, one
from campaigns.services.imports import census_religion_import


class Command(ImportCommand):
    help = "Import Census 2021 religion counts (TS030) per constituency."
    needs_election = False

    def run(self, *, files, election, options):
        return census_religion_import(data=one(files))
