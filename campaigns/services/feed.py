"""Election night: poll the configured results feed (``RESULTS_FEED_URL``, a Commons Library by-candidate CSV
that grows as seats declare) and import new declarations, stamping when each seat was first seen declared."""

from __future__ import annotations

import logging

import requests
from django.conf import settings

from campaigns.importers.base import ImportRejected, ImportReport
from campaigns.models import Election
from campaigns.services.imports import results_import
from organiser import clock

logger = logging.getLogger(__name__)


def results_feed_poll(*, url: str | None = None, election: Election | None = None) -> ImportReport | None:
    """Fetch the feed and import it (idempotent: seats already declared and unchanged are not written).
    Returns None when no feed is configured or it could not be read; a bad feed changes nothing."""
    url = url or getattr(settings, "RESULTS_FEED_URL", None)
    if not url:
        return None
    election = election or Election.objects.order_by("-date").first()
    if election is None:
        logger.warning("results feed: no election to import into")
        return None
    try:
        response = requests.get(url, timeout=getattr(settings, "RESULTS_FEED_TIMEOUT", 10))
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("results feed unavailable: %s", exc)
        return None
    if not response.content.strip():
        return None  # nothing declared yet
    try:
        report = results_import(
            election=election, files=[response.content], create_seats=False, declared_at=clock.now()
        )
    except ImportRejected as rejected:
        logger.error("results feed rejected: %s", rejected)
        return None
    logger.info("results feed: %s", report.summary())
    return report
