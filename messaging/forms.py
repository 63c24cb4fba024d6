"""The preferences form: which kinds of message a person gets, and in which language."""

from django import forms

from messaging.models import Category

LANGUAGE_CHOICES = [("en-gb", "English"), ("cy", "Cymraeg")]


class PreferencesForm(forms.Form):
    reminders = forms.BooleanField(required=False, label=Category.REMINDERS.label)
    shift_alerts = forms.BooleanField(required=False, label=Category.SHIFT_ALERTS.label)
    digest = forms.BooleanField(required=False, label=Category.DIGEST.label)
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, label="Language of messages")
