"""Messages in the recipient's language: an email goes in the language of the recipient's profile at the moment it
is sent (not the sender's, not the moment it was queued), and a text's length is measured in the encoding its
language needs (GSM-7 for English, UCS-2 for Urdu, Arabic and Bengali: 70 characters a segment)."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from django.conf import settings

from messaging.delivery import deliver
from messaging.models import Outbox
from messaging.rendering import render_sms
from messaging.sms import text_length
from tests.messaging.conftest import smtp, volunteer_with_consent  # noqa: F401 (a fixture)
from tests.volunteers.factories import ShiftFactory
from volunteers import services as volunteer_services

SHIFT = {"title": "Saturday doors", "when": "Sat 7 Mar, 10:00", "meeting_point": "Barkingside station"}


def test_gsm7_texts_count_septets_and_segments_of_153_once_concatenated():
    assert text_length("Hello") == ("GSM-7", 5, 1, 160)
    assert text_length("x" * 160) == ("GSM-7", 160, 1, 160)
    assert text_length("x" * 161) == ("GSM-7", 161, 2, 153)
    assert text_length("€[]") == ("GSM-7", 6, 1, 160)  # the extension set costs two septets each
    assert text_length("") == ("GSM-7", 0, 0, 160)


def test_any_character_outside_gsm7_makes_the_whole_text_ucs2_of_70_then_67():
    assert text_length("ہیلو") == ("UCS-2", 4, 1, 70)
    assert text_length("ب" * 70) == ("UCS-2", 70, 1, 70)
    assert text_length("ب" * 71) == ("UCS-2", 71, 2, 67)
    assert text_length("Cymraeg ŵ") == ("UCS-2", 9, 1, 70)  # one Welsh circumflex is enough
    assert text_length("😀") == ("UCS-2", 2, 1, 70)  # outside the BMP: two UTF-16 code units


@pytest.mark.parametrize("language, encoding", [("en-gb", "GSM-7"), ("ur", "UCS-2"), ("ar", "UCS-2"), ("bn", "UCS-2")])
def test_each_texts_length_is_measured_in_its_languages_encoding(language, encoding):
    body = render_sms(kind="reminder_2h", context={"shift": SHIFT}, language=language)
    length = text_length(body)
    assert length.encoding == encoding
    assert "STOP" in body and "Saturday doors" in body and "Barkingside station" in body
    if language != "en-gb":
        assert "starts soon" not in body  # translated, not the English
    print(f"reminder_2h in {language}: {len(body)} characters, {length.encoding}, {length.segments} segment(s)")


@pytest.mark.django_db
def test_an_email_goes_in_the_recipients_language_at_the_moment_it_is_sent(smtp):  # noqa: F811
    volunteer = volunteer_with_consent(user__full_name="Aisha Khan")
    shift = ShiftFactory(title="Saturday doors")
    signup = volunteer_services.signup_create(shift=shift, volunteer=volunteer, allow_overlap=True)
    ids = list(
        Outbox.objects.filter(recipient=volunteer, key__startswith=f"signup:{signup.pk}:").values_list("pk", flat=True)
    )
    volunteer.language = "ur"  # chosen after the row was queued: the send follows the profile as it is now
    volunteer.save(update_fields=["language"])
    assert deliver(ids).sent == ids
    [message] = smtp.messages
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.startswith("آپ شامل ہیں: Saturday doors"), subject
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    assert "نام لکھوانے کا شکریہ" in text.get_payload(decode=True).decode()
    assert settings.LANGUAGE_CODE == "en-gb"  # the process's language is untouched
