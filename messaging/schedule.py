"""Periodic jobs of messaging, merged into the beat schedule by organiser.celery. Each has ``expires``, so a
backlog after downtime runs once, and each is safe to run twice at once (the outbox key dedupes)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "messaging-queue-due-reminders": {
        "task": "messaging.tasks.queue_due_reminders",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "messaging-queue-due-digests": {
        "task": "messaging.tasks.queue_due_digests",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    "messaging-requeue-stale-outbox": {
        "task": "messaging.tasks.requeue_stale_outbox",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
}
