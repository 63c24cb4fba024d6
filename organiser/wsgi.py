"""WSGI entry point (gunicorn organiser.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organiser.settings")
application = get_wsgi_application()
