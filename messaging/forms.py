"""The preferences form: which kinds of message a person gets, and in which language."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import Category


def language_choices() -> list[tuple[str, str]]:
    """The shipped languages (settings.LANGUAGES), each in its own name."""
    from organiser.i18n import LOCAL_NAMES

    return [(code, LOCAL_NAMES.get(code, name)) for code, name in settings.LANGUAGES]


class PreferencesForm(forms.Form):
    reminders = forms.BooleanField(required=False, label=Category.REMINDERS.label)
    shift_alerts = forms.BooleanField(required=False, label=Category.SHIFT_ALERTS.label)
    digest = forms.BooleanField(required=False, label=Category.DIGEST.label)
    language = forms.ChoiceField(choices=language_choices, label=_("Language of messages and pages"))
