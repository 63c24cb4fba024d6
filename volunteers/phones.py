"""Phone numbers: parsed with libphonenumber (GB by default) and kept in E.164."""

import phonenumbers
from django.core.exceptions import ValidationError


def normalise_phone(value: str, region: str = "GB") -> str:
    """``"07911 123456"`` → ``"+447911123456"``; raises ValidationError if it cannot be a real number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError("Enter a phone number, like 07911 123456.", code="invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("That phone number does not look right.", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
