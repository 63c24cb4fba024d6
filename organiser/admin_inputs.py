"""What the admin takes from a request: every ModelAdmin and inline gets :class:`AdminInputs` through
``organiser.admin.ScopedAdmin``, and every list filter is a :class:`ChoiceListFilter`.

Django's admin trusts its own links more than a hand-typed address: a list filter's value reaches its
``queryset`` as typed (``?active=abc``), a date hierarchy's year is handed to ``datetime`` unchecked
(``?starts_at__year=10000000000000000000`` is an OverflowError), and an autocomplete field posted with a value
that is not a key of its model fails when the form is shown again with its errors. Here each becomes what the
admin does for any other bad lookup (the list again with ``?e=1``) or a form error, never a 500.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ChoiceListFilter(admin.SimpleListFilter):
    """A ``SimpleListFilter`` whose value, when given, must be one of its ``lookups``: any other is the
    admin's "invalid lookup", so ``queryset`` only ever sees one of its own choices."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value not in (None, "") and value not in {str(choice) for choice, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.title}: not one of the choices")


class CheckedChangeList(ChangeList):
    """The change list, with a date hierarchy out of ``datetime``'s range refused like any bad lookup."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class _KeysOnly:
    """An autocomplete widget that shows again only values that can be keys of its model (Django filters the
    model by them as typed, and a value such as ``"²"`` for an integer key is a ValueError then)."""

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(
            getattr(self.field.remote_field, "field_name", None) or self.field.remote_field.model._meta.pk.name
        )
        usable = []
        for item in value:
            try:
                key.get_prep_value(key.to_python(item))
            except (ValidationError, ValueError, TypeError, OverflowError):
                continue
            usable.append(item)
        return super().optgroups(name, usable, attr)


class KeysOnlyAutocompleteSelect(_KeysOnly, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnly, AutocompleteSelectMultiple):
    pass


class AdminInputs:
    """For ModelAdmins and inlines: the checked change list and the autocomplete widgets above."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)
