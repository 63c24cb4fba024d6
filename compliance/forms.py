"""Forms of the compliance pages: they validate and normalise (uploads are checked by content, not by name);
compliance.services writes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Candidacy, Endorsement, Party
from compliance.models import (
    Authorisation,
    DonorKind,
    MaterialKind,
    PartOfUK,
    SpendingArea,
    SpendingCategory,
    SpendingKind,
)

MAX_UPLOAD = 10 * 1024 * 1024
SIGNATURES = {b"%PDF": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg"}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01"), "max_value": Decimal("9999999999")}


def clean_document(upload, *, required: bool):
    """A PDF, PNG or JPEG of at most 10 MB, recognised by its first bytes."""
    if not upload:
        if required:
            raise ValidationError(_("Attach the document (PDF, PNG or JPEG)."))
        return None
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("The file is over 10 MB."))
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES):
        raise ValidationError(_("Only PDF, PNG or JPEG files are kept as receipts and authorisations."))
    return upload


class CandidacyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Candidacy) -> str:
        return f"{obj.person.name} ({obj.party_label}), {obj.constituency.name}"


class SeatsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class SpendingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which rules"), choices=SpendingKind.choices, initial=SpendingKind.LOCAL)
    category = forms.ChoiceField(label=_("Activity"), choices=SpendingCategory.choices)
    description = forms.CharField(label=_("What it is for"), max_length=300)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=200)
    supplier_address = forms.CharField(label=_("Supplier's address"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("Amount in pounds (VAT included)"), **MONEY)
    incurred_on = forms.DateField(label=_("Date committed"), widget=forms.DateInput(attrs={"type": "date"}))
    paid_on = forms.DateField(label=_("Date paid"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    candidacy = CandidacyField(label=_("Candidate (local spending)"), queryset=Candidacy.objects.none(), required=False)
    area = forms.ChoiceField(label=_("Where it has effect (general)"), choices=SpendingArea.choices, required=False)
    parts = forms.MultipleChoiceField(
        label=_("Parts of the UK"), choices=PartOfUK.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    seats = SeatsField(label=_("Constituencies"), queryset=None, required=False)
    targeted_party = forms.ModelChoiceField(
        label=_("Targeted at one party only"), queryset=Party.objects.all(), required=False
    )
    receipt = forms.FileField(label=_("Receipt or invoice"), required=False)

    def __init__(self, *args, seats, candidacies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].queryset = seats
        self.fields["candidacy"].queryset = candidacies.select_related("person", "party", "constituency")

    def clean_receipt(self):
        return clean_document(self.cleaned_data.get("receipt"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == SpendingKind.LOCAL and not data.get("candidacy"):
            self.add_error("candidacy", _("Local spending is for or against one candidate: choose them."))
        if data.get("kind") == SpendingKind.GENERAL:
            area = data.get("area") or SpendingArea.SEATS
            data["area"] = area
            if area == SpendingArea.PARTS and not data.get("parts"):
                self.add_error("parts", _("Choose the parts of the UK it affects."))
            if area == SpendingArea.SEATS and not data.get("seats"):
                self.add_error("seats", _("Choose the constituencies it affects."))
        if data.get("paid_on") and data.get("incurred_on") and data["paid_on"] < data["incurred_on"]:
            self.add_error("paid_on", _("Paid before it was committed?"))
        return data


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}))
    receipt = forms.FileField(label=_("Receipt or invoice"), required=False)

    def clean_receipt(self):
        return clean_document(self.cleaned_data.get("receipt"), required=False)


class AuthorisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Given by"), choices=Authorisation.Kind.choices)
    candidacy = CandidacyField(label=_("Candidate"), queryset=Candidacy.objects.none(), required=False)
    party = forms.ModelChoiceField(label=_("Party"), queryset=Party.objects.all(), required=False)
    part = forms.ChoiceField(label=_("Part of the UK (party)"), choices=[("", "—"), *PartOfUK.choices], required=False)
    amount = forms.DecimalField(label=_("Amount authorised in pounds"), **MONEY)
    covers = forms.CharField(label=_("What it authorises"), max_length=300)
    given_by = forms.CharField(label=_("Signed by"), max_length=200)
    given_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(label=_("The signed document"))

    def __init__(self, *args, candidacies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidacy"].queryset = candidacies.select_related("person", "party", "constituency")

    def clean_document(self):
        return clean_document(self.cleaned_data.get("document"), required=True)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Authorisation.Kind.AGENT and not data.get("candidacy"):
            self.add_error("candidacy", _("Choose the candidate whose agent signed it."))
        if data.get("kind") == Authorisation.Kind.PARTY:
            if not data.get("party"):
                self.add_error("party", _("Choose the party."))
            if not data.get("part"):
                self.add_error("part", _("Choose the part of the UK."))
        return data


class DonationForm(forms.Form):
    donor_name = forms.CharField(label=_("Donor"), max_length=200)
    donor_kind = forms.ChoiceField(label=_("Kind of donor"), choices=DonorKind.choices)
    donor_address = forms.CharField(label=_("Donor's address"), max_length=300, required=False)
    company_number = forms.CharField(label=_("Company or registration number"), max_length=20, required=False)
    amount = forms.DecimalField(label=_("Value in pounds"), **MONEY)
    non_cash = forms.BooleanField(label=_("Goods or services, not money"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    check_note = forms.CharField(
        label=_("Permissibility check"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DonationDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    check_note = forms.CharField(label=_("What was checked"), max_length=2000, required=False)


class PromoterForm(forms.Form):
    promoter_name = forms.CharField(label=_("Promoter's name"), max_length=200)
    promoter_address = forms.CharField(label=_("Promoter's address"), max_length=300)
    on_behalf_name = forms.CharField(label=_("On behalf of (the campaign)"), max_length=200, required=False)
    on_behalf_address = forms.CharField(label=_("Its address"), max_length=300, required=False)
    printer_name = forms.CharField(label=_("Printer's name"), max_length=200, required=False)
    printer_address = forms.CharField(label=_("Printer's address"), max_length=300, required=False)
    registered = forms.BooleanField(label=_("Notification in force with the Electoral Commission"), required=False)
    lower_tier_statement = forms.BooleanField(
        label=_("The notification says we stay under the reporting thresholds"), required=False
    )
    dissolution_date = forms.DateField(
        label=_("Parliament dissolved on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    controller_name = forms.CharField(label=_("Data controller (privacy notices)"), max_length=200, required=False)
    controller_contact = forms.CharField(label=_("Contact for data requests"), max_length=300, required=False)


MATERIAL_CHOICES = [
    (kind.value, kind.label)
    for kind in (
        MaterialKind.SHARE_CARD,
        MaterialKind.SHARE_TEXT,
        MaterialKind.LEAFLET,
        MaterialKind.POSTER,
        MaterialKind.WIDGET,
        MaterialKind.PUBLIC_PAGE,
    )
]


class EndorsementField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Endorsement) -> str:
        return f"{obj.constituency.name}: {obj.candidacy.person.name}"


class PublicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of material"), choices=MATERIAL_CHOICES)
    endorsement = EndorsementField(label=_("About"), queryset=Endorsement.objects.none(), required=False)
    title = forms.CharField(label=_("Headline"), max_length=120)
    body = forms.CharField(label=_("Words"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, endorsements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endorsement"].queryset = endorsements.select_related("constituency", "candidacy__person")


class SubjectAccessPersonForm(forms.Form):
    """A volunteer's or supporter's request: the email address or mobile number they gave."""

    address = forms.CharField(label=_("Their email address or mobile number"), max_length=254)


class SubjectAccessElectorForm(forms.Form):
    """An elector's request, answered from a register the organiser holds: the campaign and their elector number."""

    campaign = forms.ModelChoiceField(label=_("Candidate's campaign"), queryset=None)
    elector_number = forms.CharField(label=_("Elector number"), max_length=20, help_text=_("e.g. KA-124 or KA-124/1"))

    def __init__(self, *args, campaigns, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
