"""Languages (organiser.i18n): who gets which language, the switcher without script, <html lang dir>, the same URLs
in every language, the profile's language for signed-in people, and the scripts' catalogue under the CSP."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from organiser import i18n
from tests.conftest import logged_in_client
from volunteers.models import User


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.mark.django_db
def test_first_visit_follows_accept_language_and_the_url_stays_the_same(client):
    english = client.get("/")
    urdu = client.get("/", headers={"accept-language": "ur-PK,ur;q=0.9,en;q=0.5"})
    bengali = client.get("/", headers={"accept-language": "bn-GB,bn;q=0.9"})
    unknown = client.get("/", headers={"accept-language": "xx,zz;q=0.9"})
    assert html_tag(english) == '<html lang="en-gb" dir="ltr">'
    assert html_tag(urdu) == '<html lang="ur" dir="rtl">'
    assert html_tag(bengali) == '<html lang="bn" dir="ltr">'
    assert html_tag(unknown) == '<html lang="en-gb" dir="ltr">'
    assert urdu["Content-Language"] == "ur"
    assert "Accept-Language" in urdu["Vary"]


@pytest.mark.django_db
def test_every_shipped_language_is_offered_in_its_own_name_and_direction(client):
    page = client.get("/").content.decode()
    switcher = page[page.index('id="language"') :]
    for code, _name in settings.LANGUAGES:
        direction = "rtl" if code in settings.LANGUAGES_BIDI else "ltr"
        button = f'name="language" value="{code}" lang="{code}" dir="{direction}" class="link"'
        assert button in switcher, code
        assert i18n.LOCAL_NAMES[code] in switcher
    assert 'aria-current="true">English<' in switcher
    assert "<script>" not in page  # no inline script: every script has a src and the nonce


@pytest.mark.django_db
def test_a_visitor_switches_without_script_or_token_and_keeps_it_in_a_cookie():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/shifts/"})
    assert response.status_code == 302 and response["Location"] == "/shifts/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert html_tag(client.get("/")) == '<html lang="ar" dir="rtl">'
    # The cookie wins over the browser's header: the visitor chose.
    assert html_tag(client.get("/", headers={"accept-language": "bn"})) == '<html lang="ar" dir="rtl">'
    assert "csrftoken" not in client.get("/").cookies  # the switcher sets no token cookie on public pages


@pytest.mark.django_db
def test_a_language_that_is_not_shipped_or_a_foreign_next_changes_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    response = client.post(reverse("set_language"), {"language": "bn", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("set_language")).status_code == 405


@pytest.mark.django_db
def test_a_signed_in_persons_profile_language_wins_and_the_switcher_changes_it(volunteer):
    client = logged_in_client(volunteer)
    assert html_tag(client.get("/", headers={"accept-language": "bn"})) == '<html lang="bn" dir="ltr">'
    volunteer.language = "ur"
    volunteer.save(update_fields=["language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert html_tag(client.get("/", headers={"accept-language": "bn"})) == '<html lang="ur" dir="rtl">'
    client.post(reverse("set_language"), {"language": "bn", "next": "/"})
    volunteer.refresh_from_db()
    assert volunteer.language == "bn"
    assert html_tag(client.get(reverse("volunteers:home"))) == '<html lang="bn" dir="ltr">'


@pytest.mark.django_db
def test_a_signed_in_persons_switch_needs_the_forms_token(volunteer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.language == ""
    page = client.get("/").content.decode()
    token = re.search(r'action="/i18n/setlang/".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "ar"


@pytest.mark.django_db
def test_the_profile_page_sets_the_language_and_an_unknown_one_is_a_form_error(volunteer):
    client = logged_in_client(volunteer)
    page = client.get(reverse("volunteers:profile")).content.decode()
    assert 'name="language"' in page and ">اردو<" in page
    form = {"full_name": "Aisha Khan", "travel": "home", "language": "bn"}
    response = client.post(reverse("volunteers:profile"), form)
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == "bn"
    response = client.post(reverse("volunteers:profile"), {**form, "language": "xx"})
    assert response.status_code == 200 and "xx" not in User.objects.values_list("language", flat=True)
    volunteer.refresh_from_db()
    assert volunteer.language == "bn"
    response = client.post(reverse("volunteers:profile"), {**form, "language": ""})
    volunteer.refresh_from_db()
    assert volunteer.language == ""


@pytest.mark.django_db
def test_messages_are_written_in_the_recipients_language(volunteer):
    assert i18n.for_user(volunteer) == "en-gb"
    volunteer.language = "ur"
    assert i18n.for_user(volunteer) == "ur"
    with i18n.speaking(volunteer):
        assert translation.get_language() == "ur" and translation.get_language_bidi()
    volunteer.language = "xx"  # no longer shipped: the source language
    with i18n.speaking(volunteer):
        assert translation.get_language() == "en-gb"


@pytest.mark.django_db
def test_the_scripts_catalogue_is_a_script_file_in_the_pages_language(client):
    response = client.get(reverse("javascript-catalog"), headers={"accept-language": "ur"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "django.gettext" in body and "django.pluralidx" in body
    assert "Accept-Language" in response["Vary"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_are_served_in_the_visitors_language_with_the_same_url(client):
    urdu = client.get("/", headers={"accept-language": "ur"}).content.decode()
    assert "ہمارے ساتھ رضاکار بنیں" in urdu and "Volunteer with us" not in urdu  # the page
    assert ">رضاکار بنیں<" in urdu  # the navigation
    bengali = client.get("/join/", headers={"accept-language": "bn"}).content.decode()
    assert "আমাদের সাথে স্বেচ্ছাসেবক হোন" in bengali
    arabic = client.get("/", headers={"accept-language": "ar"}).content.decode()
    assert "تطوّع معنا" in arabic
    welsh = client.get("/", headers={"accept-language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert html_tag(welsh) == '<html lang="cy" dir="ltr">' and "Gwirfoddolwch gyda ni" in welsh.content.decode()
    polish = client.get("/", headers={"accept-language": "pl-PL,pl;q=0.9"}).content.decode()
    assert "Zostań z nami wolontariuszem" in polish
