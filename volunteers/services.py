"""Writes about volunteers and their time: profiles, consent, shifts, sign-ups, check-in, erasure.

Every way in (pages, admin actions, the API, commands) calls these functions; they hold the rules.
Capacity is held by locking the shift row (``SELECT … FOR UPDATE``) for the length of the transaction that
counts its places and writes the sign-up, so concurrent sign-ups for the last places queue on the lock and
each sees the count the one before it left: a shift never takes more than its capacity.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils.crypto import salted_hmac

from campaigns.postcodes import normalise_postcode
from organiser import clock
from organiser.errors import ApplicationError
from volunteers import signals
from volunteers.models import (
    ACTIVE_STATUSES,
    AVAILABILITY_CHOICES,
    FILLED_STATUSES,
    Channel,
    Consent,
    ErasedAccount,
    Language,
    Role,
    Shift,
    Signup,
    SignupStatus,
    Skill,
    Travel,
    User,
    VolunteerProfile,
    new_calendar_token,
)
from volunteers.phones import normalise_phone

logger = logging.getLogger(__name__)

CONSENT_WORDING = {
    Channel.EMAIL: "Yes, email me the campaign's news and appeals, including the weekly digest. "
    "I can unsubscribe at any time.",
    Channel.SMS: "Yes, text me the campaign's news and appeals. I can reply STOP at any time.",
}

#: A lead may check people in from this long before the shift starts.
CHECK_IN_OPENS_BEFORE = dt.timedelta(hours=2)


class SignupError(ApplicationError):
    """A sign-up that cannot be made, with a reason fit to show the volunteer (the API answers 409)."""

    code = "signup_error"
    status = 409


class OverlapWarning(SignupError):
    """The volunteer is already on a shift at the same time; they must confirm to go on."""

    code = "overlap"

    def __init__(self, overlapping: list[Shift]) -> None:
        names = ", ".join(str(shift) for shift in overlapping)
        super().__init__(
            f"You are already signed up for {names} at the same time.",
            extra={
                "overlapping": [shift.pk for shift in overlapping],
                "hint": "Send confirm_overlap: true to sign up anyway.",
            },
        )
        self.overlapping = overlapping


# --- email hashes (erasure) ----------------------------------------------------------------------


def email_hash(email: str) -> str:
    """A keyed hash of a normalised email: enough to recognise it again, not to read it."""
    return salted_hmac("volunteers.erased-email", email.strip().lower(), algorithm="sha256").hexdigest()


def email_was_erased(email: str) -> bool:
    return ErasedAccount.objects.filter(email_hash=email_hash(email)).exists()


# --- profiles and consent ------------------------------------------------------------------------


def _clean_choices(values: Iterable[str], choices: Iterable[tuple[str, str]], what: str) -> list[str]:
    allowed = [value for value, _ in choices]
    values = list(dict.fromkeys(values))
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}")
    return sorted(values, key=allowed.index)


@transaction.atomic
def profile_update(
    *,
    user: User,
    full_name: str | None = None,
    language: str | None = None,
    phone: str | None = None,
    postcode: str | None = None,
    home_constituency=None,
    skills: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    availability: Iterable[str] | None = None,
    travel: str | None = None,
    travel_miles: int | None = None,
    seats: Iterable | None = None,
) -> VolunteerProfile:
    """Create or update ``user``'s profile; only the arguments given change. Phone and postcode normalised."""
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    if full_name is not None:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    if language is not None and language != user.language:
        if language and language not in {code for code, _name in settings.LANGUAGES}:
            raise ValidationError(f"Unknown language: {language}")
        user.language = language
        user.save(update_fields=["language"])
    if phone is not None:
        profile.phone = normalise_phone(phone) if phone.strip() else ""
    if postcode is not None:
        profile.postcode = normalise_postcode(postcode) if postcode.strip() else ""
    if home_constituency is not None:
        profile.home_constituency = home_constituency
    if skills is not None:
        profile.skills = _clean_choices(skills, Skill.choices, "skills")
    if languages is not None:
        profile.languages = _clean_choices(languages, Language.choices, "languages")
    if availability is not None:
        profile.availability = _clean_choices(availability, AVAILABILITY_CHOICES, "availability")
    if travel is not None:
        profile.travel = Travel(travel)
        profile.travel_miles = travel_miles if travel == Travel.RADIUS else None
    profile.full_clean(exclude=["user", "calendar_token", "seats"])
    profile.save()
    if seats is not None:
        profile.seats.set(seats)
    return profile


@transaction.atomic
def consent_set(
    *,
    user: User | None = None,
    supporter=None,
    channel: str,
    given: bool,
    source: str,
    wording: str | None = None,
    recorded_by: User | None = None,
) -> Consent | None:
    """Record an opt-in (with the wording shown, where, and who recorded it for the person) or withdraw the
    current one, for an account (``user``) or a supporter without one (``supporter``). Idempotent."""
    if (user is None) == (supporter is None):
        raise ValueError("consent_set needs exactly one of user and supporter")
    owner = {"user": user} if user is not None else {"supporter": supporter}
    current = Consent.objects.select_for_update().filter(**owner, channel=channel, withdrawn_at__isnull=True).first()
    if given:
        if current:
            return current
        return Consent.objects.create(
            **owner,
            channel=channel,
            wording=wording or CONSENT_WORDING[Channel(channel)],
            source=source[:200],
            recorded_by=recorded_by,
        )
    if current:
        current.withdrawn_at = clock.now()
        current.save(update_fields=["withdrawn_at"])
    return None


@transaction.atomic
def volunteer_register(
    *,
    email: str,
    password: str,
    full_name: str,
    language: str = "",
    phone: str = "",
    postcode: str = "",
    home_constituency=None,
    email_consent: bool = False,
    sms_consent: bool = False,
    source: str = "volunteer sign-up",
) -> User:
    """A new volunteer account with its profile and consents (the account's email is verified by allauth)."""
    from allauth.account.models import EmailAddress

    email = User.objects.normalize_email(email).lower()
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip(), role=Role.VOLUNTEER)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    profile_update(user=user, language=language, phone=phone, postcode=postcode, home_constituency=home_constituency)
    consent_set(user=user, channel=Channel.EMAIL, given=email_consent, source=source)
    consent_set(user=user, channel=Channel.SMS, given=sms_consent, source=source)
    return user


def calendar_token_rotate(*, user: User, revoke: bool = False) -> str | None:
    """A new secret for the private calendar feed (the old URL stops working), or none at all."""
    profile, _ = VolunteerProfile.objects.get_or_create(user=user)
    profile.calendar_token = None if revoke else new_calendar_token()
    profile.save(update_fields=["calendar_token", "updated_at"])
    return profile.calendar_token


def volunteer_touch(*, user: User) -> None:
    """Note that the volunteer was active (at most one write an hour)."""
    cutoff = clock.now() - dt.timedelta(hours=1)
    VolunteerProfile.objects.filter(user=user).filter(
        Q(last_active_at__isnull=True) | Q(last_active_at__lt=cutoff)
    ).update(last_active_at=clock.now())


# --- shifts ----------------------------------------------------------------------------------------


@transaction.atomic
def shift_create(**fields) -> Shift:
    """One shift; ``fields`` are Shift's (constituency, kind, starts_at, ends_at, meeting_point, capacity, …)."""
    fields["required_skills"] = _clean_choices(fields.get("required_skills") or [], Skill.choices, "skills")
    shift = Shift(**fields)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def shift_create_weekly(*, weeks: int, **fields) -> list[Shift]:
    """The same shift every week for ``weeks`` weeks, at the same local (UK) wall-clock time across clock changes."""
    if not 1 <= weeks <= 52:
        raise ValidationError("A weekly series runs for 1 to 52 weeks.")
    first_start, first_end = fields.pop("starts_at"), fields.pop("ends_at")
    series = uuid.uuid4()
    shifts = []
    for week in range(weeks):
        # The same UK wall-clock time each week: 10:00 stays 10:00 after the clocks change.
        start = clock.local_days_later(first_start, 7 * week)
        end = clock.local_days_later(first_end, 7 * week)
        shifts.append(shift_create(starts_at=start, ends_at=end, series=series, **fields))
    return shifts


# --- sign-ups ----------------------------------------------------------------------------------------


def shift_recount(*, shift_id: int) -> int:
    """Set the shift's ``filled`` from its sign-ups (call with the shift row locked). Returns it."""
    filled = Signup.objects.filter(shift_id=shift_id, status__in=FILLED_STATUSES).count()
    Shift.objects.filter(pk=shift_id).update(filled=filled)
    return filled


def _overlapping_shifts(*, volunteer: User, shift: Shift) -> list[Shift]:
    return list(
        Shift.objects.filter(
            signups__volunteer=volunteer,
            signups__status__in=ACTIVE_STATUSES,
            starts_at__lt=shift.ends_at,
            ends_at__gt=shift.starts_at,
        )
        .exclude(pk=shift.pk)
        .select_related("constituency")
    )


def signup_create(*, shift: Shift | int, volunteer: User, allow_overlap: bool = False) -> Signup:
    """Put ``volunteer`` on ``shift``: confirmed while places are left, else on the waiting list.

    Raises SignupError (already on it, started, not a volunteer account) or OverlapWarning (unless
    ``allow_overlap``). Safe under concurrency: see the module docstring.
    """
    shift_id = shift if isinstance(shift, int) else shift.pk
    try:
        with transaction.atomic():
            return _signup_create_locked(shift_id=shift_id, volunteer=volunteer, allow_overlap=allow_overlap)
    except IntegrityError as error:
        # Two sign-ups by the same person racing: the unique constraint let one through.
        raise SignupError("You are already signed up for this shift.", code="already_signed_up") from error


def _signup_create_locked(*, shift_id: int, volunteer: User, allow_overlap: bool) -> Signup:
    shift = Shift.objects.select_for_update(of=("self",)).select_related("constituency").get(pk=shift_id)
    if not volunteer.is_active:
        raise SignupError("This account is not active.", code="inactive")
    if shift.ends_at <= clock.now():
        raise SignupError("This shift is over.", code="shift_over")
    existing = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
    if existing and existing.status != SignupStatus.CANCELLED:
        # (A no-show is kept too: the lead can still mark them there if they come late.)
        raise SignupError("You are already signed up for this shift.", code="already_signed_up")
    if not allow_overlap and (overlapping := _overlapping_shifts(volunteer=volunteer, shift=shift)):
        raise OverlapWarning(overlapping)
    filled = Signup.objects.filter(shift=shift, status__in=FILLED_STATUSES).count()
    status = SignupStatus.CONFIRMED if filled < shift.capacity else SignupStatus.WAITLISTED
    now = clock.now()
    signup = existing or Signup(shift=shift, volunteer=volunteer, created_at=now)
    signup.status, signup.queued_at, signup.cancelled_at, signup.promoted_at = status, now, None, None
    signup.checked_in_at, signup.checked_in_by, signup.hours = None, None, None
    signup.attendance_confirmed_at, signup.feedback_at, signup.feedback_attended = None, None, None
    signup.feedback_rating, signup.feedback_note = None, ""
    signup.save()
    shift.filled = shift_recount(shift_id=shift.pk)
    signup.shift, signup.volunteer = shift, volunteer
    signals.signup_made.send(sender=Signup, signup=signup)
    return signup


def signup_cancel(*, signup: Signup | int, by: User | None = None, notify: bool = True) -> Signup:
    """Cancel a sign-up; if it held a place, the first on the waiting list gets it (and is told).
    ``notify=False`` does not message the person cancelling (their account is being deleted)."""
    signup_id = signup if isinstance(signup, int) else signup.pk
    with transaction.atomic():
        shift_id = Signup.objects.values_list("shift_id", flat=True).get(pk=signup_id)
        Shift.objects.select_for_update(of=("self",)).filter(pk=shift_id).values_list("pk").get()
        signup = Signup.objects.select_related("shift__constituency", "volunteer").get(pk=signup_id)
        if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            raise SignupError(f"This sign-up is {signup.get_status_display().lower()}; it cannot be cancelled.")
        held_place = signup.status == SignupStatus.CONFIRMED
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, clock.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        if held_place and signup.shift.ends_at > clock.now():
            _promote_waitlisted(signup.shift)
        signup.shift.filled = shift_recount(shift_id=shift_id)
        if notify:
            signals.signup_cancelled.send(sender=Signup, signup=signup)
    return signup


def _promote_waitlisted(shift: Shift) -> list[Signup]:
    """Fill free places from the waiting list, first come first served (the shift row is locked)."""
    filled = Signup.objects.filter(shift=shift, status__in=FILLED_STATUSES).count()
    free = shift.capacity - filled
    if free <= 0:
        return []
    promoted = list(
        Signup.objects.filter(shift=shift, status=SignupStatus.WAITLISTED)
        .select_related("volunteer")
        .order_by("queued_at", "pk")[:free]
    )
    now = clock.now()
    for waiting in promoted:
        waiting.status, waiting.promoted_at = SignupStatus.CONFIRMED, now
        waiting.save(update_fields=["status", "promoted_at", "updated_at"])
        waiting.shift = shift
        signals.signup_promoted.send(sender=Signup, signup=waiting)
    return promoted


def signup_check_in(*, signup: Signup, by: User, attended: bool = True, hours=None) -> Signup:
    """The lead marks someone as there (hours logged from the shift's length unless given) or as a no-show."""
    with transaction.atomic():
        Shift.objects.select_for_update().filter(pk=signup.shift_id).values_list("pk").get()
        signup = Signup.objects.select_related("shift").get(pk=signup.pk)
        if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
            raise SignupError(f"This sign-up is {signup.get_status_display().lower()}; check-in is for confirmed ones.")
        if clock.now() < check_in_opens_at(signup.shift):
            raise SignupError("Check-in opens two hours before the shift starts.", code="too_early")
        if attended:
            signup.status = SignupStatus.ATTENDED
            signup.hours = hours if hours is not None else signup.shift.duration_hours
        else:
            signup.status, signup.hours = SignupStatus.NO_SHOW, None
        signup.checked_in_at, signup.checked_in_by = clock.now(), by
        signup.save(update_fields=["status", "hours", "checked_in_at", "checked_in_by", "updated_at"])
        shift_recount(shift_id=signup.shift_id)
    return signup


def check_in_opens_at(shift: Shift) -> dt.datetime:
    return shift.starts_at - CHECK_IN_OPENS_BEFORE


def signup_walk_in(*, shift: Shift, by: User, full_name: str, email: str, phone: str = "") -> Signup:
    """Someone came who had not signed up: the lead adds them, there and then, as attended.

    They are found by email, or given a volunteer account (no password: they log in by an emailed code; no
    consent to marketing is assumed; the phone is normalised). A walk-in is counted even past the shift's
    capacity: they are there. Check-in's rule holds: not before it opens, and not for someone already on it.
    """
    from allauth.account.models import EmailAddress

    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ValidationError("Give their email, so they can hear about their next shift.")
    with transaction.atomic():
        shift = Shift.objects.select_for_update(of=("self",)).get(pk=shift.pk)
        if clock.now() < check_in_opens_at(shift):
            raise SignupError("Check-in opens two hours before the shift starts.", code="too_early")
        volunteer = User.objects.filter(email__iexact=email).first()
        if volunteer is None:
            if email_was_erased(email):
                raise SignupError("This email belongs to an account that was deleted: they can join again themselves.")
            volunteer = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
            EmailAddress.objects.create(user=volunteer, email=email, primary=True, verified=False)
            profile_update(user=volunteer, phone=phone)
        signup = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
        if signup and signup.status in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
            raise SignupError(f"{volunteer} is already on this shift: check them in above.", code="already_signed_up")
        now = clock.now()
        signup = signup or Signup(shift=shift, volunteer=volunteer, created_at=now, queued_at=now)
        signup.status, signup.hours = SignupStatus.ATTENDED, shift.duration_hours
        signup.checked_in_at, signup.checked_in_by, signup.cancelled_at = now, by, None
        signup.save()
        shift_recount(shift_id=shift.pk)
    return signup


@dataclass
class BulkOutcome:
    done: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def signups_add_to_shift(*, shift: Shift, volunteers: Iterable[User], allow_overlap: bool = False) -> BulkOutcome:
    """An organiser puts several volunteers on a shift; each is a separate sign-up (full → waiting list)."""
    outcome = BulkOutcome()
    for volunteer in volunteers:
        try:
            outcome.done.append(signup_create(shift=shift, volunteer=volunteer, allow_overlap=allow_overlap))
        except SignupError as error:
            outcome.problems.append(f"{volunteer}: {error.message}")
    return outcome


def signups_mark_attended(*, signups: Iterable[Signup], by: User) -> BulkOutcome:
    outcome = BulkOutcome()
    for signup in signups:
        try:
            outcome.done.append(signup_check_in(signup=signup, by=by, attended=True))
        except SignupError as error:
            outcome.problems.append(f"{signup}: {error.message}")
    return outcome


# --- the shift loop: the volunteer's own answers (asked by conversations.services.shift_loop) -------------


def signup_attendance_confirm(*, signup: Signup | int) -> Signup:
    """The volunteer confirms, from the day-before message, that they are coming (idempotent: the first
    confirmation's time stays). Only a confirmed place on a shift not yet started can be confirmed."""
    signup_id = signup if isinstance(signup, int) else signup.pk
    with transaction.atomic():
        signup = Signup.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup_id)
        if signup.status != SignupStatus.CONFIRMED:
            raise SignupError(f"This sign-up is {signup.get_status_display().lower()}.", code="not_confirmed")
        if signup.shift.starts_at <= clock.now():
            raise SignupError("This shift has started.", code="shift_started")
        if signup.attendance_confirmed_at is None:
            signup.attendance_confirmed_at = clock.now()
            signup.save(update_fields=["attendance_confirmed_at", "updated_at"])
    return signup


FEEDBACK_NOTE_MAX = 1000


def signup_feedback_record(
    *, signup: Signup | int, attended: bool, rating: int | None = None, note: str = ""
) -> Signup:
    """The volunteer's "how did it go": whether they came, a rating from 1 to 5, a note.

    Where the lead has not checked them in or out, what they say is the record (attended, with the shift's
    hours, or a no-show), so it counts in the no-show rate; the lead's own check-in, before or after, wins."""
    if rating is not None and not (isinstance(rating, int) and 1 <= rating <= 5):
        raise ValidationError("A rating is a whole number from 1 to 5.", code="invalid_rating")
    note = (note or "").strip()
    if len(note) > FEEDBACK_NOTE_MAX:
        raise ValidationError(f"Keep the note under {FEEDBACK_NOTE_MAX} characters.", code="too_long")
    signup_id = signup if isinstance(signup, int) else signup.pk
    with transaction.atomic():
        shift_id = Signup.objects.values_list("shift_id", flat=True).get(pk=signup_id)
        Shift.objects.select_for_update(of=("self",)).filter(pk=shift_id).values_list("pk").get()
        signup = Signup.objects.select_related("shift").get(pk=signup_id)
        if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
            raise SignupError(f"This sign-up is {signup.get_status_display().lower()}.", code="not_on_shift")
        if clock.now() < signup.shift.starts_at:
            raise SignupError("This shift has not started yet.", code="too_early")
        fields = ["feedback_at", "feedback_attended", "feedback_rating", "feedback_note", "updated_at"]
        signup.feedback_at, signup.feedback_attended = clock.now(), bool(attended)
        signup.feedback_rating, signup.feedback_note = rating, note
        if signup.checked_in_at is None:
            if attended:
                signup.status, signup.hours = SignupStatus.ATTENDED, signup.shift.duration_hours
            else:
                signup.status, signup.hours = SignupStatus.NO_SHOW, None
            fields += ["status", "hours"]
        signup.save(update_fields=fields)
        shift_recount(shift_id=shift_id)
    return signup


# --- my data, and erasure ----------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def my_data_export(*, user: User) -> dict:
    """Everything held about ``user``, for them to download (JSON-ready)."""
    profile = VolunteerProfile.objects.filter(user=user).select_related("home_constituency").first()
    signups = Signup.objects.filter(volunteer=user).select_related("shift__constituency").order_by("created_at")
    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": None
        if profile is None
        else {
            "phone": profile.phone,
            "postcode": profile.postcode,
            "home_constituency": profile.home_constituency
            and {
                "code": profile.home_constituency.code,
                "name": profile.home_constituency.name,
            },
            "skills": profile.skills,
            "languages": profile.languages,
            "availability": profile.availability,
            "travel": profile.travel,
            "travel_miles": profile.travel_miles,
            "seats": list(profile.seats.values_list("code", flat=True)),
            "calendar_feed_enabled": bool(profile.calendar_token),
            "last_active_at": _iso(profile.last_active_at),
        },
        "consents": [
            {
                "channel": consent.channel,
                "wording": consent.wording,
                "given_at": _iso(consent.given_at),
                "source": consent.source,
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in Consent.objects.filter(user=user).order_by("given_at")
        ],
        "signups": [
            {
                "shift": signup.shift.display_title,
                "seat": signup.shift.constituency.code,
                "starts_at": _iso(signup.shift.starts_at),
                "ends_at": _iso(signup.shift.ends_at),
                "status": signup.status,
                "signed_up_at": _iso(signup.created_at),
                "hours": str(signup.hours) if signup.hours is not None else None,
                "confirmed_the_day_before_at": _iso(signup.attendance_confirmed_at),
                "feedback": signup.feedback_at
                and {
                    "at": _iso(signup.feedback_at),
                    "attended": signup.feedback_attended,
                    "rating": signup.feedback_rating,
                    "note": signup.feedback_note,
                },
            }
            for signup in signups
        ],
        "teams": list(user.teams.values_list("name", flat=True)),
        "teams_led": list(user.teams_led.values_list("name", flat=True)),
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a volunteer's account and personal data.

    Upcoming and waitlisted sign-ups are cancelled (their places go to the waiting list) and deleted; past
    attended and no-show sign-ups are kept without the person (``volunteer`` NULL), so each shift's turnout,
    hours and no-show counts stay. What stays of the account is a keyed hash of its email (ErasedAccount)
    so the address cannot be signed up again by mistake.

    Raises ValidationError, and changes nothing, while the account is one others depend on (the agent of a
    candidate's campaign holds its register: another agent is named first).
    """
    for signup in Signup.objects.filter(volunteer=user, status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)):
        signup_cancel(signup=signup.pk, notify=False)
    Signup.objects.filter(volunteer=user, status__in=(SignupStatus.ATTENDED, SignupStatus.NO_SHOW)).update(
        volunteer=None, checked_in_by=None, feedback_note=""
    )
    Signup.objects.filter(volunteer=user).delete()
    from allauth.account.models import EmailAddress

    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) | {user.email}
    for address in addresses:
        ErasedAccount.objects.get_or_create(email_hash=email_hash(address))
    try:
        user.delete()
    except ProtectedError as error:
        # An account others depend on (a candidate campaign's agent): refused, and nothing above is kept.
        held = ", ".join(f"{obj._meta.verbose_name} “{obj}”" for obj in error.protected_objects)
        raise ValidationError(
            f"This account cannot be deleted while it is named on: {held}. "
            "Ask a national organiser to hand that to someone else first.",
            code="protected",
        ) from None
