"""What the campaign knows: elections and the Westminster constituencies they are fought in."""

from django.db import models


class Election(models.Model):
    """An election, slugged with Democracy Club's election id (e.g. ``parl.2024-07-04``)."""

    scope_public = True
    scope_national_change = True

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    date = models.DateField()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    """A Westminster seat on the 2024 boundaries, keyed by its ONS/GSS code."""

    scope_public = True
    scope_seat_path = ""
    scope_national_change = True

    class Nation(models.TextChoices):
        ENGLAND = "England"
        WALES = "Wales"
        SCOTLAND = "Scotland"
        NORTHERN_IRELAND = "Northern Ireland"

    code = models.CharField(max_length=9, unique=True, help_text="ONS/GSS code, e.g. E14001063")
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    constituency_type = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "constituencies"

    def __str__(self) -> str:
        return self.name
