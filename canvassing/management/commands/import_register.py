"""`manage.py import_register CAMPAIGN_ID FILE --user EMAIL`: import a register export, a monthly update or
an absent-voter list into a candidate's campaign, all or nothing; prints every problem. Logged as an import
by the named user, who must be granted on the campaign as its agent or an organiser."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from canvassing.models import CandidateCampaign, Elector
from canvassing.register_import import UnknownLayout, register_import
from organiser import scope
from organiser.imports import ImportRejected
from volunteers.models import User


class Command(BaseCommand):
    help = "Import a council register file into a candidate's campaign."

    def add_arguments(self, parser) -> None:
        parser.add_argument("campaign", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="email of the granted agent or organiser importing it")

    def handle(self, *args, campaign: int, file: Path, user: str, **options) -> None:
        account = User.objects.filter(email=user.lower()).first()
        target = CandidateCampaign.objects.filter(pk=campaign).first()
        if account is None or target is None:
            raise CommandError("No such user or campaign.")
        if not scope.register_allows(account, target, Elector, "add"):
            raise CommandError(f"{user} does not hold a grant on this campaign's register that imports.")
        try:
            with file.open("rb") as data:
                report = register_import(
                    campaign=target,
                    file=data,
                    user=account,
                    route="command:import_register",
                    via="command",
                    filename=file.name,
                )
        except UnknownLayout as error:
            raise CommandError(f"{error}; headers: {error.headers}. Map the columns on the import page.") from error
        except ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problems: nothing imported.") from error
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in report.as_dict().items()))
