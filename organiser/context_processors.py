"""Template context shared by every page."""

from django.conf import settings


def campaign(request) -> dict:
    return {"CAMPAIGN_NAME": settings.CAMPAIGN_NAME}
