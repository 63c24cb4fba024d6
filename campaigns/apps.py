"""App config for campaigns: what the campaign knows (elections, seats, results, endorsements, targets)."""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"
