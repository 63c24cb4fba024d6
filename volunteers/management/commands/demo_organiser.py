"""`manage.py demo_organiser`: make (once) the demo national organiser and print how to log in.

The password is generated on first run and kept in var/demo-organiser.txt (DEMO_ORGANISER_FILE), so a
second run reuses the account and loses nothing. The organiser is asked to set up an authenticator app
(MFA) on first visit to the admin, as every staff account is.
"""

import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand

from volunteers.models import Role, User

DEMO_EMAIL = "organiser@example.org"


class Command(BaseCommand):
    help = "Create the demo national organiser (once) and print how to log in."

    def handle(self, *args, **options) -> None:
        secret_file = Path(settings.DEMO_ORGANISER_FILE)
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None or not secret_file.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_user(
                    email=DEMO_EMAIL,
                    password=password,
                    full_name="Demo Organiser",
                    role=Role.NATIONAL_ORGANISER,
                    is_staff=True,
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(password + "\n")
            secret_file.chmod(0o600)
        EmailAddress.objects.update_or_create(user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True})
        password = secret_file.read_text().strip()
        self.stdout.write(
            f"Demo organiser: log in at {settings.SITE_URL}/accounts/login/ as {DEMO_EMAIL} "
            f"with password {password}\n"
            f"  (the admin at {settings.SITE_URL}/admin/ will first ask you to set up an authenticator app)"
        )
