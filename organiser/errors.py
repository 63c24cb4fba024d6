"""One application error, and the two places that turn it into an answer.

Services raise :class:`ApplicationError` (HackSoft's shape: a message fit to show, a machine-readable ``code``
and ``extra`` details) when a request cannot be done as asked. The API turns it into a 4xx with its reason
(:func:`api_exception_handler`, DRF's ``EXCEPTION_HANDLER``); a page turns it into a form error or a message
(:func:`say`). Django's ``ValidationError`` from a model's ``full_clean`` is answered the same way, so bad
input is a clear 4xx or form error and never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A request the service refuses, with why. ``status`` is the API's answer (400 unless a kind says)."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if code:
            self.code = code


def _validation_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's answers, plus an application error as its status with ``code``, ``detail`` and its extras, and a
    Django ``ValidationError`` as a 400 with every message (by field where it has fields)."""
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "detail": exc.message, **exc.extra}, status=exc.status)
    if isinstance(exc, ValidationError):
        body = {"code": "invalid", "detail": " ".join(_validation_messages(exc))}
        if hasattr(exc, "error_dict"):
            body["errors"] = {field: [str(m) for m in errors] for field, errors in exc.message_dict.items()}
        return Response(body, status=400)
    return exception_handler(exc, context)


def say(request, error: ApplicationError | ValidationError, *, form=None) -> None:
    """Show ``error`` on the page: on ``form`` (by field where a ``ValidationError`` names fields) when given,
    else as an error message on the next page."""
    if form is not None:
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.message if isinstance(error, ApplicationError) else error.messages)
        return
    text = error.message if isinstance(error, ApplicationError) else " ".join(_validation_messages(error))
    messages.error(request, text)
