"""Polling day's forms: a station, a knock-up round, a lift, votes to win. Bad input is a form error."""

from __future__ import annotations

import datetime as dt

from django import forms

from canvassing.pollingday.selectors import lift_elector
from organiser import clock


class StationForm(forms.Form):
    name = forms.CharField(max_length=200)
    address = forms.CharField(max_length=300, required=False)
    districts = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, help_text="the polling districts whose electors vote here"
    )
    opens_at = forms.TimeField(initial=dt.time(7), label="Opens")
    closes_at = forms.TimeField(initial=dt.time(22), label="Closes")
    shifts = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Telling shifts",
        help_text="who signs up for these is rostered here as a teller",
    )  # fmt: skip

    def __init__(self, *args, districts, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(str(pk), code) for pk, code in districts]
        self.fields["shifts"].choices = [(str(s.pk), f"{s.display_title}, {s.when}") for s in shifts]

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            raise forms.ValidationError("The station must close after it opens.")
        return data


class KnockUpRoundForm(forms.Form):
    districts = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    volunteers = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, help_text="on a shift now, holding no list"
    )
    doors = forms.IntegerField(min_value=1, max_value=500, initial=40, label="Doors a list")

    def __init__(self, *args, districts, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(str(pk), code) for pk, code in districts]
        self.fields["volunteers"].choices = [(str(v.pk), str(v)) for v in volunteers]


class LiftRequestForm(forms.Form):
    elector = forms.CharField(max_length=20, label="Poll number", help_text="with the district letters: KA-124")
    wanted_at = forms.TimeField(label="Pick up at", help_text="today, UK time")
    pick_up = forms.CharField(max_length=300, required=False, help_text="blank: the address on the register")
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_elector(self):
        elector = lift_elector(self.campaign, self.cleaned_data["elector"])
        if elector is None:
            raise forms.ValidationError("No elector with that poll number on this register (say KA-124).")
        return elector

    def lift_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "elector": data["elector"],
            "wanted_at": clock.at(self.campaign.polling_day, data["wanted_at"]),
            "pick_up": data["pick_up"],
            "note": data["note"],
        }


class LiftOfferForm(forms.Form):
    driver = forms.ChoiceField()

    def __init__(self, *args, drivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.drivers = {str(d.pk): d for d in drivers}
        self.fields["driver"].choices = [("", "Choose a driver")] + [(k, str(d)) for k, d in self.drivers.items()]

    def clean_driver(self):
        driver = self.drivers.get(self.cleaned_data["driver"])
        if driver is None:
            raise forms.ValidationError("Choose one of the drivers listed.")
        return driver


class VotesToWinForm(forms.Form):
    votes = forms.IntegerField(min_value=1, max_value=10_000_000, label="Votes to win")
