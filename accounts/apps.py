"""App config for accounts: hashed API tokens and the privilege audit (organiser.audit connects its receivers)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Account security"

    def ready(self) -> None:
        from organiser import audit

        audit.connect()
