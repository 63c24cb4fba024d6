"""Forms of the canvassing pages: register upload and column mapping, cutting and assigning walk lists, tellers."""

from __future__ import annotations

import copy

from django import forms
from django.conf import settings

from canvassing.register_import import FIELDS, upload_problem
from canvassing.services import WALK_LIST_FILTERS

FIELD_LABELS = {
    "polling_district": "Polling district letters (e.g. KA)",
    "number": "Elector number (or the whole KA-124/1)",
    "suffix": "Elector number suffix",
    "markers": "Franchise markers",
    "attainer_date": "Date of birth / attainer date",
    "name": 'Full name as "Surname, Forenames"',
    "surname": "Surname",
    "forenames": "Forenames",
    "postcode": "Postcode",
    **{f"address_{i}": f"Address line {i}" for i in range(1, 7)},
    "change": "Add / change / delete indicator",
    "absent_type": "Absent voter type (postal, proxy)",
}


def register_upload_max_bytes() -> int:
    """The largest register file taken (``REGISTER_UPLOAD_MAX_MB``): a constituency's full register is a few
    tens of megabytes at most (110,000 electors at ~250 bytes a row)."""
    return settings.REGISTER_UPLOAD_MAX_MB * 1024 * 1024


class RegisterUploadForm(forms.Form):
    file = forms.FileField(label="Register file (CSV, Excel or OpenDocument)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A full register, a monthly update or an absent-voter list, as the council sent it "
            f"(CSV, .xlsx or .ods: the first sheet; up to {settings.REGISTER_UPLOAD_MAX_MB} MB)."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > register_upload_max_bytes():
            raise forms.ValidationError(
                f"This file is {upload.size / 1024 / 1024:.1f} MB: the most a register upload may be is "
                f"{settings.REGISTER_UPLOAD_MAX_MB} MB. Upload it in parts (one file per polling district)."
            )
        if (problem := upload_problem(upload.file)) is not None:
            raise forms.ValidationError(f"This file cannot be imported: {problem}.")
        return upload


class ColumnMappingForm(forms.Form):
    """One choice per field the importer knows, among the file's headers; saved for the next file like it."""

    name = forms.CharField(max_length=200, label="Name this layout", initial="Council export")

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "(not in this file)")] + [(h, h) for h in headers]
        for name in FIELDS:
            self.fields[f"map_{name}"] = forms.ChoiceField(choices=choices, required=False, label=FIELD_LABELS[name])
        self.fields["headers"] = forms.CharField(widget=forms.HiddenInput, initial="\x1f".join(headers))

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"map_{name}"] for name in FIELDS if self.cleaned_data.get(f"map_{name}")}


class CutForm(forms.Form):
    polling_district = forms.ChoiceField(required=False, label="Polling district")
    doors = forms.IntegerField(min_value=5, max_value=1000, initial=80, label="About how many doors per list")
    filters = forms.MultipleChoiceField(
        choices=list(WALK_LIST_FILTERS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, districts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["polling_district"].choices = [("", "All districts")] + [(str(pk), c) for pk, c in districts]


class AssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=None, required=False)
    team = forms.ModelChoiceField(queryset=None, required=False)
    shift = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, volunteers, teams, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (("volunteer", volunteers), ("team", teams), ("shift", shifts)):
            field = self.fields[name]
            field.queryset = queryset
            # Evaluated once: the form is rendered for every list on the page.
            field.choices = list(field.choices)

    def for_list(self, pk: int) -> AssignForm:
        """This form for the list ``pk``: the same fields (no new query), ids of its own so that each label
        names its own list's field (one id per page)."""
        form = copy.copy(self)
        form.auto_id = f"id_list{pk}_%s"
        form._bound_fields_cache = {}
        return form


class TellerForm(forms.Form):
    polling_district = forms.ChoiceField(label="Polling station's district")
    numbers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "inputmode": "numeric", "autocomplete": "off"}),
        label="Poll numbers",
        help_text="One or more, separated by spaces, commas or new lines: 124, 124/1 or KA-124.",
    )

    def __init__(self, *args, districts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["polling_district"].choices = [(str(pk), code) for pk, code in districts]

    def numbers_list(self) -> list[str]:
        import re

        return [n for n in re.split(r"[\s,;]+", self.cleaned_data["numbers"]) if n]
