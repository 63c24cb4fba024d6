"""Forms for the organiser pages: seat filters, endorsement decisions, target criteria."""

from __future__ import annotations

from django import forms

from campaigns.models import Constituency, TargetCriteria


class SeatFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"}))
    nation = forms.ChoiceField(required=False, choices=[("", "All nations"), *Constituency.Nation.choices])
    region = forms.ChoiceField(required=False, choices=[("", "All regions")])
    tier = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any tier"), ("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3"), ("0", "Not a target")],
    )
    winner = forms.CharField(required=False, max_length=30, label="Winner (e.g. Lab)")
    majority_min = forms.IntegerField(required=False, min_value=0, label="Majority from")
    majority_max = forms.IntegerField(required=False, min_value=0, label="Majority to")
    declared = forms.ChoiceField(
        required=False, choices=[("", "Declared or not"), ("yes", "Declared"), ("no", "Not yet declared")]
    )

    def __init__(self, *args, regions: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "All regions"), *regions]


class EndorsementActionForm(forms.Form):
    ACTIONS = [("propose", "Propose"), ("review", "Put under review"), ("endorse", "Endorse"), ("withdraw", "Withdraw")]
    action = forms.ChoiceField(choices=ACTIONS)
    candidacy = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    statement = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Public statement")


class TargetCriteriaForm(forms.ModelForm):
    split_party_abbreviations = forms.CharField(
        required=False, label="Like-minded parties (abbreviations, comma-separated)", help_text="e.g. WPB, Green"
    )

    class Meta:
        model = TargetCriteria
        fields = [
            "small_majority_votes",
            "small_majority_weight",
            "collapse_ratio",
            "collapse_weight",
            "demographic_variable",
            "demographic_threshold",
            "demographic_weight",
            "split_party_abbreviations",
            "split_independents",
            "split_weight",
            "endorsed_weight",
            "tier_one_score",
            "tier_two_score",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["split_party_abbreviations"] = ", ".join(self.instance.split_party_abbreviations or [])

    def clean_split_party_abbreviations(self) -> list[str]:
        raw = self.cleaned_data.get("split_party_abbreviations") or ""
        return [part.strip() for part in raw.split(",") if part.strip()]
