"""Forms of conversations' pages. They validate and normalise what was typed (and keep it on an error); the
services in ``conversations.services`` write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from campaigns.models import Constituency
from conversations.services.supporters import agreement_wording, contact_clean
from volunteers.forms import SeatChoiceField
from volunteers.models import Channel


class SupportForm(forms.Form):
    """The public "support the campaign" form: a way to reach them, their postcode (for their seat), and what they
    agree to, each in the words recorded with their consent."""

    full_name = forms.CharField(
        label="Your name", max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.CharField(
        label="Email", max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label="Mobile number",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    postcode = forms.CharField(
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
        help_text="We use it to find your constituency.",
    )
    constituency = SeatChoiceField(
        label="Your constituency",
        queryset=Constituency.objects.order_by("name").only("pk", "name"),
        required=False,
        help_text="Only needed if we cannot find it from your postcode.",
    )
    agree_email = forms.BooleanField(required=False)
    agree_sms = forms.BooleanField(required=False)
    agree_calls = forms.BooleanField(required=False)
    agree_volunteering = forms.BooleanField(required=False)

    AGREEMENT_FIELDS = {
        "agree_email": Channel.EMAIL,
        "agree_sms": Channel.SMS,
        "agree_calls": Channel.CALLS,
        "agree_volunteering": Channel.VOLUNTEERING,
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, channel in self.AGREEMENT_FIELDS.items():
            self.fields[name].label = agreement_wording(channel)

    def clean(self):
        cleaned = super().clean()
        try:
            contact = contact_clean(
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
                phone=cleaned.get("phone", ""),
                postcode=cleaned.get("postcode", ""),
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
            return cleaned
        cleaned.update(email=contact.email, phone=contact.phone, postcode=contact.postcode)
        agrees = [channel for name, channel in self.AGREEMENT_FIELDS.items() if cleaned.get(name)]
        cleaned["agrees"] = agrees
        if not agrees:
            self.add_error(None, "Tick at least one way we may contact you.")
        if not (contact.email or contact.phone):
            self.add_error("email", "Give an email address or a mobile number.")
        if Channel.EMAIL in agrees and not contact.email:
            self.add_error("email", "Give your email address so we can email you.")
        if (Channel.SMS in agrees or Channel.CALLS in agrees) and not contact.phone:
            self.add_error("phone", "Give your mobile number so we can text or call you.")
        return cleaned


class DataLinkForm(forms.Form):
    """Ask for a link to one's data: the email address or mobile number we hold."""

    address = forms.CharField(
        label="Your email address or mobile number",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_address(self) -> str:
        address = self.cleaned_data["address"].strip()
        try:
            if "@" in address:
                contact_clean(email=address)
            else:
                contact_clean(phone=address)
        except ValidationError:
            raise ValidationError("Enter the email address or mobile number you gave us.") from None
        return address


class DeleteSupporterForm(forms.Form):
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip().upper() != "DELETE":
            raise ValidationError("Type DELETE, in capitals, to delete what we hold about you.")
        return "DELETE"


class ShiftFeedbackForm(forms.Form):
    """After a shift: did they come, how was it (1 to 5), anything to tell the lead."""

    attended = forms.TypedChoiceField(
        label="Did you make it?",
        choices=[("yes", "Yes, I was there"), ("no", "No, I could not make it")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label="How was it?",
        choices=[("", "—"), *[(str(n), f"{n} of 5") for n in range(5, 0, -1)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label="Anything to tell the lead?", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- calls and texts ------------------------------------------------------------------------------------------


class _SegmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.constituency.name if obj.constituency_id else 'every seat'})"


def _check_hours(form: forms.Form, start: str, end: str, label: str) -> None:
    from conversations.models import EARLIEST, LATEST

    begin, until = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if begin and until and (begin < EARLIEST or until > LATEST or begin >= until):
        form.add_error(end, f"{label} are within 08:00 to 21:00 UK time, and end after they start.")


def _hours(start, end, label: str) -> tuple[forms.TimeField, forms.TimeField]:
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    return (
        forms.TimeField(label=f"{label} from", initial=start, widget=widget, help_text="UK time, from 08:00"),
        forms.TimeField(label=f"{label} until", initial=end, widget=widget, help_text="UK time, until 21:00"),
    )


class CallAssignmentForm(forms.Form):
    """An organiser's new call assignment: whom to call (one of their segments), the script, hours, callers."""

    name = forms.CharField(max_length=200)
    segment = _SegmentChoice(queryset=None, help_text="whom to call: the segment's people with a phone number")
    script = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 6}), help_text="{name} is the person's first name"
    )
    calls_from, calls_until = _hours(dt.time(10, 0), dt.time(20, 0), "Calls")
    cooldown_hours = forms.IntegerField(
        min_value=1, max_value=720, initial=24, help_text="hours before trying again after no answer"
    )
    callers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="their email addresses, one a line (organisers of the seat may call too)",
    )

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments

    def clean(self):
        cleaned = super().clean()
        _check_hours(self, "calls_from", "calls_until", "Calling hours")
        return cleaned

    def clean_callers(self):
        from conversations.services.calls import callers_from_text

        try:
            return callers_from_text(self.cleaned_data.get("callers", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["callers"]) from None


class OutcomeForm(forms.Form):
    """How the call went: one tap on an outcome (a call-back needs its time)."""

    target = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=[])
    call_back_at = forms.DateTimeField(
        required=False,
        label="Call back at (UK time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from conversations.models import Outcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = Outcome.choices


class TPSImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or text: a number in the first column of each line")
    list_kind = forms.ChoiceField(label="Which list", choices=[("tps", "TPS"), ("ctps", "CTPS")], initial="tps")


class TextAssignmentForm(forms.Form):
    name = forms.CharField(max_length=200)
    segment = _SegmentChoice(queryset=None, help_text="whom to text: the segment's people with SMS consent")
    script = forms.CharField(
        max_length=480, widget=forms.Textarea(attrs={"rows": 4}), help_text="{name} is the person's first name"
    )
    texts_from, texts_until = _hours(dt.time(10, 0), dt.time(20, 0), "Texts")
    texters = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="their email addresses, one a line (organisers of the seat may text too)",
    )

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments

    def clean(self):
        cleaned = super().clean()
        _check_hours(self, "texts_from", "texts_until", "Texting hours")
        return cleaned

    def clean_texters(self):
        from conversations.services.calls import callers_from_text

        try:
            return callers_from_text(self.cleaned_data.get("texters", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["callers"]) from None


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", max_length=480, widget=forms.Textarea(attrs={"rows": 2}))
