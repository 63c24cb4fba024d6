"""`manage.py import_hexmap`: Import the hex map layout (HexJSON) of the constituencies."""

from campaigns.management.commands._base import ImportCommand, one
from campaigns.services.imports import hexmap_import


class Command(ImportCommand):
    help = "Import the hex map layout (HexJSON) of the constituencies."
    needs_election = False

    def run(self, *, files, election, options):
        return hexmap_import(data=one(files))
