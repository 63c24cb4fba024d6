"""The Celery app: configured from Django settings (CELERY_ namespace), tasks autodiscovered.

The beat schedule lives in code (django-celery-beat does not support Django 6.1): each app may
expose ``<app>.schedule.BEAT_SCHEDULE``, merged here. Every periodic task carries ``expires`` so
that a backlog after downtime does not run the same job many times.
"""

import importlib
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organiser.settings")

app = Celery("organiser")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SCHEDULE_MODULES = ("campaigns.schedule", "volunteers.schedule", "messaging.schedule", "canvassing.schedule")


def collect_beat_schedule() -> dict:
    """Merge the BEAT_SCHEDULE dicts of the apps that define one."""
    schedule: dict = {}
    for module_name in SCHEDULE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **kwargs) -> None:
    sender.conf.beat_schedule = collect_beat_schedule()
