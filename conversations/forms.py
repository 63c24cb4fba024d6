"""Forms of conversations' pages. They validate and normalise what was typed (and keep it on an error); the
services in ``conversations.services`` write."""

from __future__ import annotations

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
