"""The base of every list filter in the admin: a filter takes only the values it offers.

A hand-typed value (``?active=abc``, a seat code out of scope) is the admin's "invalid lookup" (the list
again with ``?e=1``, as Django does for a bad field lookup), so a filter's ``queryset`` only ever sees one
of its own choices and cannot fail on the rest.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters


class ChoiceListFilter(admin.SimpleListFilter):
    """A ``SimpleListFilter`` whose value, when given, must be one of its ``lookups``."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value not in (None, "") and value not in {str(choice) for choice, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.title}: not one of the choices")
