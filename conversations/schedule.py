"""Periodic jobs of conversations, merged into the beat schedule by organiser.celery. Each has ``expires`` (a backlog
after downtime runs once) and is safe to run twice at once (the outbox key dedupes)."""

BEAT_SCHEDULE = {
    "conversations-queue-shift-loop": {
        "task": "conversations.tasks.queue_shift_loop",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
}
