"""One application error (organiser.errors): the API answers it with its status, code and reason, a Django
ValidationError with a 400 (never a 500), and a page shows either on its form or as a message. (A refused
sign-up through the API, a 409 with the overlapping shifts, is tests/volunteers/test_api.py.)"""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from organiser.errors import ApplicationError, api_exception_handler, say
from volunteers.services import SignupError


def test_the_api_answers_an_application_error_with_its_status_and_reason():
    refused = api_exception_handler(SignupError("This shift is over.", code="shift_over"), {})
    assert (refused.status_code, refused.data) == (409, {"code": "shift_over", "detail": "This shift is over."})
    plain = api_exception_handler(ApplicationError("No.", extra={"why": "because"}), {})
    assert (plain.status_code, plain.data) == (400, {"code": "invalid", "detail": "No.", "why": "because"})


def test_the_api_answers_a_validation_error_with_a_400_by_field():
    answer = api_exception_handler(ValidationError({"email": ["Enter a valid email address."]}), {})
    assert answer.status_code == 400
    assert answer.data["errors"] == {"email": ["Enter a valid email address."]}
    assert answer.data["detail"] == "Enter a valid email address."


class _Form(forms.Form):
    email = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def test_a_page_shows_the_error_on_its_form_or_as_a_message():
    request = _request()
    form = _Form({})
    assert form.is_valid()
    say(request, ValidationError({"email": "Taken.", "other": "Not a field."}), form=form)
    assert form.errors == {"email": ["Taken."], "__all__": ["Not a field."]}
    form = _Form({})
    form.is_valid()
    say(request, SignupError("Full."), form=form)
    assert form.non_field_errors() == ["Full."]
    say(request, SignupError("You are already signed up for this shift."))
    say(request, ValidationError(["One.", "Two."]))
    assert [str(m) for m in get_messages(request)] == ["You are already signed up for this shift.", "One. Two."]
