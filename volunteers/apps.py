"""App config for volunteers: people and their time (accounts, roles, teams, shifts, reminders)."""

from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        from volunteers import receivers  # noqa: F401  (connects the receivers)
