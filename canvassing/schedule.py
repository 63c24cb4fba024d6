"""Periodic jobs of the canvassing app, merged into the beat schedule by organiser.celery."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "canvassing-destroy-expired-registers": {
        "task": "canvassing.tasks.destroy_expired_registers",
        "schedule": crontab(hour=3, minute=15),  # daily, in the campaign's zone (settings.TIME_ZONE)
        "options": {"expires": 6 * 3600},
    },
    "canvassing-regenerate-knock-up-sheets": {
        "task": "canvassing.tasks.regenerate_knock_up_sheets",
        "schedule": 600.0,  # every ten minutes; a no-op except on a campaign's polling day
        "options": {"expires": 540},
    },
    "canvassing-requeue-stale-register-import-jobs": {
        "task": "canvassing.tasks.requeue_stale_register_import_jobs",
        "schedule": 600.0,
        "options": {"expires": 540},
    },
}
