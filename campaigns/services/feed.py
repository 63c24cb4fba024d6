"""Election night: poll the configured results feed (``RESULTS_FEED_URL``: a Commons Library by-candidate CSV
that grows as seats declare, optionally followed by its by-constituency CSV, separated by spaces or commas) and
import new declarations, stamping when each seat was first seen declared; then record the night's new
declarations (campaigns.night.services.declarations_record: count reports checked, endorsed seats announced)."""

from __future__ import annotations

import logging
import re

import requests
from django.conf import settings
from django.db import transaction

from campaigns.models import Election
from campaigns.night.caching import results_changed
from campaigns.night.services import declarations_record
from campaigns.services.imports import results_import
from organiser import clock
from organiser.imports import ImportRejected, ImportReport

logger = logging.getLogger(__name__)


def feed_urls(url: str | list[str] | None) -> list[str]:
    """The feed's files: one URL, or several separated by spaces or commas (or a list)."""
    if isinstance(url, list | tuple):
        return [u for u in url if u]
    return [u for u in re.split(r"[\s,]+", url or "") if u]


def results_feed_poll(*, url: str | list[str] | None = None, election: Election | None = None) -> ImportReport | None:
    """Fetch the feed and import it (idempotent: seats already declared and unchanged are not written).
    Returns None when no feed is configured or it could not be read; a bad feed changes nothing."""
    urls = feed_urls(url or getattr(settings, "RESULTS_FEED_URL", None))
    if not urls:
        return None
    election = election or Election.objects.order_by("-date").first()
    if election is None:
        logger.warning("results feed: no election to import into")
        return None
    files = []
    try:
        for each in urls:
            response = requests.get(each, timeout=getattr(settings, "RESULTS_FEED_TIMEOUT", 10))
            response.raise_for_status()
            files.append(response.content)
    except requests.RequestException as exc:
        logger.warning("results feed unavailable: %s", exc)
        return None
    files = [f for f in files if f.strip()]
    if not files:
        return None  # nothing declared yet
    try:
        with transaction.atomic():
            report = results_import(election=election, files=files, create_seats=False, declared_at=clock.now())
            new = declarations_record(election=election)
            if report.changed or new:
                results_changed(election.slug)
    except ImportRejected as rejected:
        logger.error("results feed rejected: %s", rejected)
        return None
    logger.info("results feed: %s", report.summary())
    return report
