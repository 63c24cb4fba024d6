"""The Celery app: configured from Django settings (CELERY_ namespace), tasks autodiscovered.

The beat schedule lives in code (django-celery-beat does not support Django 6.1): each app may
expose ``<app>.schedule.BEAT_SCHEDULE``, merged here. Every periodic task carries ``expires`` so
that a backlog after downtime does not run the same job many times.
"""

import importlib
import logging
import os

from celery import Celery
from celery.signals import task_failure, task_retry

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organiser.settings")

logger = logging.getLogger("organiser.tasks")

app = Celery("organiser")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SCHEDULE_MODULES = (
    "campaigns.schedule",
    "volunteers.schedule",
    "messaging.schedule",
    "canvassing.schedule",
    "conversations.schedule",
    "compliance.schedule",
)


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


@task_failure.connect
def log_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra) -> None:
    """Every task error is logged once, with the context needed to find and replay it."""
    logger.error(
        "task failed: %s",
        getattr(sender, "name", sender),
        exc_info=(type(exception), exception, exception.__traceback__) if exception else None,
        extra={
            "task_name": getattr(sender, "name", str(sender)),
            "task_id": task_id,
            "task_args": repr(args)[:1000],
            "task_kwargs": repr(kwargs)[:1000],
            "retries": getattr(getattr(sender, "request", None), "retries", None),
        },
    )


@task_retry.connect
def log_task_retry(sender=None, request=None, reason=None, **extra) -> None:
    logger.warning(
        "task retrying: %s",
        getattr(sender, "name", sender),
        extra={"task_name": getattr(sender, "name", str(sender)), "task_id": getattr(request, "id", None),
               "reason": str(reason)[:1000], "retries": getattr(request, "retries", None)},
    )  # fmt: skip
