"""Organiser: the Django project (settings, urls, Celery app, admin site, scope rules)."""

from organiser.celery import app as celery_app

__all__ = ("celery_app",)
