"""Forms for volunteers' pages. They validate and normalise; the services in volunteers.services write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Constituency
from campaigns.postcodes import normalise_postcode
from volunteers.models import AVAILABILITY_CHOICES, DAY_NAMES, Language, ShiftKind, Skill, Travel, User
from volunteers.phones import normalise_phone
from volunteers.services import CONSENT_WORDING, email_was_erased


class SeatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Constituency) -> str:
        return obj.name


class PhonePostcodeMixin:
    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return normalise_phone(value) if value.strip() else ""

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "")
        return normalise_postcode(value) if value.strip() else ""


class JoinForm(PhonePostcodeMixin, forms.Form):
    """The one-minute volunteer sign-up: it creates the account (allauth then verifies the email)."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
        help_text=_("We use it to find your constituency."),
    )
    home_constituency = SeatChoiceField(
        label=_("Your constituency"),
        queryset=Constituency.objects.order_by("name").only("pk", "name"),
        required=False,
        help_text=_("Only needed if we cannot find it from your postcode."),
    )
    email_consent = forms.BooleanField(label=CONSENT_WORDING["email"], required=False)
    sms_consent = forms.BooleanField(label=CONSENT_WORDING["sms"], required=False)
    rejoin = forms.BooleanField(
        label=_("Yes, I deleted my account before and want to join again."), required=False, widget=forms.HiddenInput
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("There is already an account with this email: log in instead."))
        return email

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and email_was_erased(email) and not cleaned.get("rejoin"):
            # Shown as a checkbox now, so the volunteer can confirm they mean it.
            self.fields["rejoin"].widget = forms.CheckboxInput()
            self.add_error(
                "rejoin", _("An account with this email was deleted. Tick the box if you want to join again.")
            )
        if (password := cleaned.get("password")) is not None:
            try:
                validate_password(password, User(email=email or "", full_name=cleaned.get("full_name", "")))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


def interface_language_choices() -> list[tuple[str, str]]:
    """The shipped languages, each in its own name (organiser.i18n), after "as my browser asks"."""
    from django.conf import settings

    from organiser.i18n import LOCAL_NAMES

    return [("", _("As my browser asks")), *((code, LOCAL_NAMES.get(code, name)) for code, name in settings.LANGUAGES)]


class ProfileForm(PhonePostcodeMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(
        label=_("Language for pages, emails and texts"), choices=interface_language_choices, required=False
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
    )
    home_constituency = SeatChoiceField(
        label=_("Your constituency"),
        queryset=Constituency.objects.order_by("name").only("pk", "name"),
        required=False,
        help_text=_("Leave it empty to find it from your postcode."),
    )
    skills = forms.MultipleChoiceField(choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are usually free"),
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    travel = forms.ChoiceField(label=_("Where you will go"), choices=Travel.choices, widget=forms.RadioSelect)
    travel_miles = forms.IntegerField(
        label=_("How far (miles)"),
        min_value=1,
        max_value=200,
        required=False,
        help_text=_("Counted roughly: about one neighbouring constituency for every 10 miles."),
    )
    # The seat picker: the seats chosen so far as ticked boxes (untick to drop one), and one box to add another
    # by name from the list of every seat (a <datalist>: the phone's own suggestions, no 650-line select).
    seats = forms.ModelMultipleChoiceField(
        label=_("Other constituencies you will travel to"),
        queryset=Constituency.objects.order_by("name").only("pk", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seats_add = forms.CharField(
        label=_("Add a constituency"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "seat-names", "autocomplete": "off", "data-seat-picker": ""}),
        help_text=_("Start typing its name and choose it from the list."),
    )
    email_consent = forms.BooleanField(label=CONSENT_WORDING["email"], required=False)
    sms_consent = forms.BooleanField(label=CONSENT_WORDING["sms"], required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the chosen seats are rendered as boxes (one query for their names), whatever was posted.
        chosen = self.data.getlist("seats") if self.is_bound else self.initial.get("seats") or []
        chosen_ids = [int(pk) for pk in chosen if str(pk).isdecimal() and len(str(pk)) < 10]
        self.fields["seats"].widget.choices = list(
            Constituency.objects.filter(pk__in=chosen_ids).order_by("name").values_list("pk", "name")
        )

    def availability_rows(self) -> list[tuple[str, list]]:
        """The availability boxes as one row a day (morning, afternoon, evening), for a compact grid."""
        boxes = list(self["availability"])
        return [(DAY_NAMES[i], boxes[i * 3 : i * 3 + 3]) for i in range(len(DAY_NAMES))]

    def clean_seats_add(self) -> Constituency | None:
        name = " ".join(self.cleaned_data.get("seats_add", "").split())
        if not name:
            return None
        seat = Constituency.objects.filter(name__iexact=name).first()
        if seat is None:
            raise ValidationError(f"We do not know a constituency called “{name}”: choose one from the list.")
        return seat

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("travel") == Travel.RADIUS and not cleaned.get("travel_miles"):
            self.add_error("travel_miles", _("Say how many miles you will travel."))
        if (added := cleaned.get("seats_add")) is not None and "seats" in cleaned:
            cleaned["seats"] = [*cleaned["seats"], added]
        return cleaned


class ShiftFilterForm(forms.Form):
    day = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *ShiftKind.choices], required=False)
    seat = forms.ChoiceField(label=_("Constituency"), required=False)
    free = forms.BooleanField(label=_("Only when I am usually free"), required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, seat_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [("", _("Any constituency")), *seat_choices]


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip().upper() != "DELETE":
            raise ValidationError("Type DELETE, in capitals, to delete your account.")
        return "DELETE"


class WalkInForm(PhonePostcodeMixin, forms.Form):
    """Someone at the meeting point who had not signed up: the lead adds them as there."""

    full_name = forms.CharField(label="Their name", max_length=200)
    email = forms.EmailField(label="Their email")
    phone = forms.CharField(
        label="Their mobile (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
