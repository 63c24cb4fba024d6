"""Forms of the night's pages: a count report (a number per candidate and the announced totals), one seat's
expected declaration time, and the CSV of expected times."""

from __future__ import annotations

import datetime as dt

from django import forms

from campaigns.night.services import night_time

MAX_VOTES = 2_000_000


class CountReportForm(forms.Form):
    """Every candidate's votes as declared in the hall, and the total of valid votes announced."""

    valid_votes = forms.IntegerField(label="Total valid votes", min_value=0, max_value=MAX_VOTES * 10)
    rejected_ballots = forms.IntegerField(label="Rejected ballots", min_value=0, max_value=MAX_VOTES, required=False)
    electorate = forms.IntegerField(label="Electorate", min_value=1, max_value=MAX_VOTES * 2, required=False)

    def __init__(self, *args, candidacies=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidacies = list(candidacies)
        for c in self.candidacies:
            self.fields[f"votes_{c.pk}"] = forms.IntegerField(
                label=f"{c.person.name} ({c.party_label})", min_value=0, max_value=MAX_VOTES
            )
        self.order_fields([f"votes_{c.pk}" for c in self.candidacies])

    def candidate_fields(self):
        return [self[f"votes_{c.pk}"] for c in self.candidacies]

    def total_fields(self):
        return [self["valid_votes"], self["rejected_ballots"], self["electorate"]]

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidacies}


class ExpectedTimeForm(forms.Form):
    """A seat's expected declaration time: ``02:30`` (the morning after polling day) or a date and time."""

    expected = forms.CharField(
        label="Expected declaration", max_length=40, required=False, help_text="e.g. 02:30; empty to clear"
    )

    def __init__(self, *args, election=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.election = election

    def clean_expected(self) -> dt.datetime | None:
        written = self.cleaned_data["expected"].strip()
        if not written:
            return None
        try:
            return night_time(self.election, written)
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                "Give a time such as 02:30, or a date and time such as 2024-07-05 02:30."
            ) from None


class ExpectedImportForm(forms.Form):
    file = forms.FileField(
        label="CSV of expected declaration times",
        help_text="A seat column (ONS ID or Constituency) and an Expected column (02:30, or a date and time).",
    )
