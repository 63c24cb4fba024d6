"""The canvassing app: the register and canvassing, held per candidate's campaign (see the package docstring)."""

from django.apps import AppConfig


class CanvassingConfig(AppConfig):
    name = "canvassing"
    verbose_name = "Register and canvassing"
