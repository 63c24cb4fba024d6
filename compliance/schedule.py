"""Periodic jobs of compliance, merged into the beat schedule by organiser.celery. Each has ``expires`` (a backlog
after downtime runs once) and is safe to run twice (a second run finds nothing past its date)."""

BEAT_SCHEDULE = {
    "compliance-delete-expired-publications": {
        "task": "compliance.tasks.delete_expired_publications",
        "schedule": 24 * 3600.0,
        "options": {"expires": 12 * 3600},
    },
}
