"""Periodic jobs of the campaigns app, merged into the beat schedule by organiser.celery."""

BEAT_SCHEDULE = {
    "campaigns-poll-results-feed": {
        "task": "campaigns.tasks.poll_results_feed",
        "schedule": 60.0,  # every minute on election night; a no-op while RESULTS_FEED_URL is unset
        "options": {"expires": 55},
    },
    "campaigns-requeue-stale-import-jobs": {
        "task": "campaigns.tasks.requeue_stale_import_jobs",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
}
