"""App config for compliance: imprints, the spending ledger, donations and the data-protection records."""

from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance (election and data-protection law)"
