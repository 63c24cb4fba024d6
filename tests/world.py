"""One shared world for the scope matrix and the fuzzers: two seats, a person of every role, a register held
for seat A's endorsed candidate with a grantee at every grant level, and one of each kind of object.

``ROLES`` is the role list every matrix and fuzz pass iterates: the platform's roles (anonymous, volunteer,
team lead, seat organiser of seat A, national organiser) with their staff and superuser variants, then one
grantee per register grant level (``grant_<level>``, from ``canvassing.models.GrantLevel``, so a new level
joins every matrix by itself). Grantees are staff seat organisers of seat A with an authenticator: the hardest
case, since they reach the admin as well as the pages and the API.

Build it once per test module with the ``world`` fixture (tests/conftest.py): it is created inside a
transaction that is rolled back when the module ends, and each test runs in a savepoint of its own, so
whatever a test writes is undone before the next. Tests must not keep state in the Python objects either
(call ``refresh_from_db`` before reading a field a test might have changed), and a module that uses
``world`` must not use ``transactional_db``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone

from canvassing.models import GrantLevel

#: The platform's roles, then one grantee per register grant level.
PLATFORM_ROLES = (
    "anonymous",
    "volunteer",
    "team_lead",
    "seat_organiser",  # seat A only, staff, with an authenticator
    "national_organiser",  # staff, with an authenticator, no register grant
    "superuser",  # staff, with an authenticator, is_superuser, no register grant
    "staff_volunteer",  # is_staff ticked on a volunteer's account: still no admin
)
GRANT_ROLES = tuple(f"grant_{level}" for level in GrantLevel.values)
ROLES = PLATFORM_ROLES + GRANT_ROLES

#: Who has the admin at all (staff organisers with an authenticator).
ADMIN_ROLES = frozenset({"seat_organiser", "national_organiser", "superuser", *GRANT_ROLES})


def grant_level_of(role: str) -> str | None:
    """The register grant level a role holds on campaign A (``grant_agent`` → ``agent``), else None."""
    return role.removeprefix("grant_") if role in GRANT_ROLES else None


@dataclass
class World:
    """The people and objects of the shared world, by name (see ``build_world`` for what each is)."""

    users: dict[str, object]
    objects: dict[str, object]
    passwords: dict[str, str] = field(default_factory=dict)
    _clients: dict[str, Client] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def user(self, role: str):
        """The account of ``role`` (None for anonymous)."""
        return None if role == "anonymous" else self.users[role]

    def client(self, role: str) -> Client:
        """A test client logged in as ``role`` (as after a full login, MFA included); anonymous for "anonymous".

        Clients are made once per world. A session first saved inside a test is rolled back with that test,
        so the client logs in again whenever its session is gone (else a later test would run anonymous)."""
        from django.contrib.auth import SESSION_KEY

        client = self._clients.setdefault(role, Client())
        if role != "anonymous" and SESSION_KEY not in client.session:
            client.force_login(self.users[role], backend="django.contrib.auth.backends.ModelBackend")
        return client

    def log_in_everyone(self) -> None:
        """Log every role in with the world, so that their sessions belong to the world's transaction."""
        for role in ROLES:
            self.client(role)


def _register_file(electors: int, seed: int) -> io.BytesIO:
    from canvassing import synthetic

    out = io.BytesIO()
    synthetic.write_register(out, electors, seed=seed)
    out.seek(0)
    return out


def build_world() -> World:
    """Create the world (a few hundred rows; about a second)."""
    from campaigns.models import Candidacy, Constituency, Election, Endorsement, ImportJob, Person, Target
    from canvassing import services
    from canvassing.models import Elector, RegisterGrant, WalkList
    from canvassing.register_import import register_import
    from messaging.models import DigestSchedule, Outbox, Unsubscribe
    from organiser import scope
    from tests.conftest import make_user
    from volunteers.models import Role, SeatGrant, Shift, Signup, Team, User, VolunteerProfile

    election = Election.objects.get_or_create(
        slug="parl.2024-07-04", defaults={"name": "UK general election 2024", "date": "2024-07-04"}
    )[0]
    seat_a = Constituency.objects.create(code="E14001300", name="Ilford North", nation="England", region_name="London")
    seat_b = Constituency.objects.create(code="E14001102", name="Blackburn", nation="England", region_name="North West")

    users: dict[str, User] = {
        "volunteer": make_user(Role.VOLUNTEER, email="volunteer@world.example.org"),
        "team_lead": make_user(Role.TEAM_LEAD, email="lead@world.example.org"),
        "seat_organiser": make_user(
            Role.SEAT_ORGANISER, email="seat-organiser@world.example.org", seats=(seat_a,), mfa=True
        ),
        "national_organiser": make_user(Role.NATIONAL_ORGANISER, email="national@world.example.org", mfa=True),
        "superuser": make_user(Role.NATIONAL_ORGANISER, email="superuser@world.example.org", mfa=True),
        "staff_volunteer": make_user(Role.VOLUNTEER, email="staff-volunteer@world.example.org"),
    }
    User.objects.filter(pk=users["superuser"].pk).update(is_superuser=True)
    User.objects.filter(pk=users["staff_volunteer"].pk).update(is_staff=True)
    for role in GRANT_ROLES:
        users[role] = make_user(
            Role.SEAT_ORGANISER, email=f"{role.replace('_', '-')}@world.example.org", seats=(seat_a,), mfa=True
        )
    for user in users.values():
        user.refresh_from_db()
    other_organiser = make_user(
        Role.SEAT_ORGANISER, email="seat-organiser-b@world.example.org", seats=(seat_b,), mfa=True
    )
    other_volunteer = make_user(Role.VOLUNTEER, email="volunteer-b@world.example.org")

    profiles = {
        "profile_a": VolunteerProfile.objects.create(
            user=users["volunteer"], phone="+447911123456", postcode="IG6 2AA", home_constituency=seat_a,
            skills=["canvassing"], languages=["en"], availability=["sat_morning"],
        ),
        "profile_lead": VolunteerProfile.objects.create(user=users["team_lead"], home_constituency=seat_a),
        "profile_b": VolunteerProfile.objects.create(
            user=other_volunteer, phone="+447911654321", postcode="BB1 1AA", home_constituency=seat_b
        ),
    }  # fmt: skip

    team_a = Team.objects.create(name="Ilford North doors", constituency=seat_a, lead=users["team_lead"])
    team_a.members.add(users["volunteer"])
    team_b = Team.objects.create(name="Blackburn doors", constituency=seat_b)
    team_b.members.add(other_volunteer)
    starts = timezone.now() + dt.timedelta(days=2)
    shift_a = Shift.objects.create(
        kind="canvassing",
        constituency=seat_a,
        team=team_a,
        lead=users["team_lead"],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        meeting_point="Barkingside station, north exit",
        capacity=5,
        minimum=2,
    )
    shift_b = Shift.objects.create(
        kind="canvassing", constituency=seat_b, team=team_b, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), meeting_point="Blackburn Cathedral steps", capacity=5, minimum=2,
    )  # fmt: skip
    signup_a = Signup.objects.create(shift=shift_a, volunteer=users["volunteer"])
    signup_b = Signup.objects.create(shift=shift_b, volunteer=other_volunteer)
    Shift.objects.filter(pk__in=[shift_a.pk, shift_b.pk]).update(filled=1)

    endorsements = {}
    for side, seat in (("a", seat_a), ("b", seat_b)):
        person = Person.objects.create(key=f"world:{seat.code}", name=f"Independent for {seat.name}")
        candidacy = Candidacy.objects.create(election=election, constituency=seat, person=person, votes=20000)
        endorsements[f"candidacy_{side}"] = candidacy
        endorsements[f"endorsement_{side}"] = Endorsement.objects.create(
            election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
        )
    target_a = Target.objects.create(election=election, constituency=seat_a, score=8, tier=1, reasons=["majority"])
    target_b = Target.objects.create(election=election, constituency=seat_b, score=7, tier=1, reasons=["majority"])

    polling_day = timezone.localdate() + dt.timedelta(days=60)
    setup = scope.system("the test world")
    campaign_a = services.candidate_campaign_create(
        user=setup,
        endorsement=endorsements["endorsement_a"],
        agent=users["grant_agent"],
        polling_day=polling_day,
        retention_date=polling_day + dt.timedelta(days=30),
        votes_to_win=500,
    )
    campaign_b = services.candidate_campaign_create(
        user=setup,
        endorsement=endorsements["endorsement_b"],
        agent=other_organiser,
        polling_day=polling_day,
        retention_date=polling_day + dt.timedelta(days=30),
        votes_to_win=500,
    )
    for role in GRANT_ROLES:
        if role != "grant_agent":
            RegisterGrant.objects.create(
                user=users[role], campaign=campaign_a, level=grant_level_of(role), granted_by=users["grant_agent"]
            )
    for campaign, agent, seed in ((campaign_a, users["grant_agent"], 11), (campaign_b, other_organiser, 12)):
        register_import(campaign=campaign, file=_register_file(60, seed), user=agent, route="world", filename="w.csv")
        services.walk_lists_cut(campaign=campaign, doors=6, user=agent)
    walk_list_a = WalkList.objects.filter(campaign=campaign_a).order_by("sequence", "pk").first()
    other_list_a = WalkList.objects.filter(campaign=campaign_a).exclude(pk=walk_list_a.pk).order_by("pk").first()
    if "grant_canvasser" in users:
        services.walk_list_assign(walk_list=walk_list_a, volunteer=users["grant_canvasser"], user=users["grant_agent"])
    walk_list_b = WalkList.objects.filter(campaign=campaign_b).order_by("sequence", "pk").first()
    elector_a = walk_list_a.entries.order_by("position").first().elector
    elector_a_unlisted = Elector.objects.filter(campaign=campaign_a).exclude(pk=elector_a.pk).exclude(
        pk__in=walk_list_a.entries.values("elector_id")
    ).first()  # fmt: skip
    elector_b = Elector.objects.filter(campaign=campaign_b).first()
    recorder = users.get("grant_canvasser", users["grant_agent"])
    services.responses_record(
        user=recorder,
        entries=[{"id": "00000000-0000-4000-8000-00000000000a", "elector": elector_a.pk, "outcome": "spoke",
                  "intention": "C", "answers": {}}],
    )  # fmt: skip
    services.responses_record(
        user=users["grant_agent"],
        entries=[{"id": "00000000-0000-4000-8000-0000000000a2", "elector": elector_a_unlisted.pk, "outcome": "spoke",
                  "intention": "L", "answers": {}}],
    )  # fmt: skip
    services.responses_record(
        user=other_organiser,
        entries=[{"id": "00000000-0000-4000-8000-00000000000b", "elector": elector_b.pk, "outcome": "spoke",
                  "intention": "C", "answers": {}}],
    )  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    from canvassing.import_jobs import register_import_job_create
    from canvassing.models import (
        AccessLog,
        CanvassResponse,
        IntentionCode,
        KnockUpSheet,
        PollingDistrict,
        RegisterImportJob,
        SurveyQuestion,
    )

    services.knock_up_sheets_generate(campaign=campaign_a, user=setup)
    services.knock_up_sheets_generate(campaign=campaign_b, user=setup)
    # Polling day (canvassing.pollingday): a station each, a knock-up round in A, a lift in each, A's offered
    # to the volunteer (who drives), so the driver's page and the lifts' forms are reached.
    from canvassing.models import Lift, LiftStatus
    from canvassing.pollingday import services as polling_day

    stations = {}
    for side, campaign, agent in (("a", campaign_a, users["grant_agent"]), ("b", campaign_b, other_organiser)):
        stations[f"station_{side}"] = polling_day.station_save(
            user=agent, campaign=campaign, name=f"Station {side.upper()}",
            districts=list(PollingDistrict.objects.filter(campaign=campaign)),
        )  # fmt: skip
    round_a = polling_day.knock_up_round_cut(
        user=users["grant_agent"], campaign=campaign_a,
        districts=list(PollingDistrict.objects.filter(campaign=campaign_a)),
    )  # fmt: skip
    lift_a = Lift.objects.create(
        campaign=campaign_a, elector=elector_a, pick_up="1 World Street", status=LiftStatus.OFFERED,
        driver=users["volunteer"], requested_by=users["grant_agent"],
    )  # fmt: skip
    lift_b = Lift.objects.create(campaign=campaign_b, elector=elector_b, pick_up="2 World Street")
    import_job_a = RegisterImportJob.objects.create(
        campaign=campaign_a, created_by=users["grant_agent"], filename="world.csv", status="done"
    )
    import_job_b = RegisterImportJob.objects.create(
        campaign=campaign_b, created_by=other_organiser, filename="world-b.csv", status="done"
    )
    # A file whose columns were not recognised, kept waiting for its mapping (its page is linked from the import's).
    register_import_job_create(
        campaign=campaign_a,
        user=users["grant_agent"],
        upload=SimpleUploadedFile("world-unknown-layout.csv", b"Ref,Who,Where\r\n1,A,B\r\n", content_type="text/csv"),
        mapped=False,
    )
    outbox_a = Outbox.objects.create(
        recipient=users["volunteer"], key="world:a", kind="digest_volunteer", category="digest", constituency=seat_a
    )
    outbox_b = Outbox.objects.create(
        recipient=other_volunteer, key="world:b", kind="digest_volunteer", category="digest", constituency=seat_b
    )
    schedule_a = DigestSchedule.objects.create(constituency=seat_a, weekday=4, hour=18)
    schedule_b = DigestSchedule.objects.create(constituency=seat_b, weekday=4, hour=18)
    unsubscribe_b = Unsubscribe.objects.create(user=other_volunteer, channel="email", via="page")
    results_job = ImportJob.objects.create(kind="results", election=election, filename="world-results.csv", data=b"")
    from conversations.models import Segment, Supporter
    from volunteers.models import Consent

    supporter_a = Supporter.objects.create(full_name="Supporter A", email="supporter-a@world.example.org",
                                           constituency=seat_a, source="form")  # fmt: skip
    supporter_b = Supporter.objects.create(full_name="Supporter B", phone="+447911000222", constituency=seat_b,
                                           source="doorstep", recorded_by=other_organiser)  # fmt: skip
    Consent.objects.create(supporter=supporter_a, channel="email", wording="Yes, email me", source="world")
    Consent.objects.create(supporter=supporter_b, channel="sms", wording="Yes, text me", source="world")
    segment_a = Segment.objects.create(name="Seat A drivers", constituency=seat_a, filters={"skills": ["driving"]})
    segment_b = Segment.objects.create(name="Seat B everyone", constituency=seat_b, filters={})
    segment_national = Segment.objects.create(name="Everyone everywhere", filters={})
    from conversations.models import (
        Call,
        CallAssignment,
        CallTarget,
        DoNotCall,
        TextAssignment,
        TextConversation,
        TextMessage,
        TPSNumber,
    )

    # Calls and texts: seat A's with the volunteer as caller and texter (holding a person, a reply in), seat B's.
    calls = {}
    for side, seat, segment, person, caller, phone in (
        ("a", seat_a, segment_a, supporter_a, users["volunteer"], "+447911000331"),
        ("b", seat_b, segment_b, supporter_b, other_volunteer, "+447911000332"),
    ):
        assignment = CallAssignment.objects.create(name=f"World calls {side}", constituency=seat, segment=segment,
                                                   script="Hello {name}")  # fmt: skip
        assignment.callers.add(caller)
        target = CallTarget.objects.create(assignment=assignment, supporter=person, name=person.full_name,
                                           phone=phone, claimed_by=caller)  # fmt: skip
        texts = TextAssignment.objects.create(name=f"World texts {side}", constituency=seat, segment=segment,
                                              script="Hi {name}")  # fmt: skip
        texts.texters.add(caller)
        conversation = TextConversation.objects.create(assignment=texts, supporter=person, name=person.full_name,
                                                       phone=target.phone, state="replied")  # fmt: skip
        message = TextMessage.objects.create(conversation=conversation, direction="in", phone=phone, body="Yes")
        calls |= {
            f"call_assignment_{side}": assignment,
            f"call_target_{side}": target,
            f"call_{side}": Call.objects.create(target=target, caller=caller, outcome="no_answer"),
            f"text_assignment_{side}": texts,
            f"text_conversation_{side}": conversation,
            f"text_message_{side}": message,
        }
    calls["do_not_call"] = DoNotCall.objects.create(phone="+447911000999", reason="world")
    calls["tps_number"] = TPSNumber.objects.create(phone="+447911000998")

    from accounts.models import ApiToken
    from accounts.tokens import digest_of, new_key

    token_prefix, token_key = new_key()  # the agent's API token (the key is kept for tests; only its digest is stored)
    api_token_a = ApiToken.objects.create(
        user=users["grant_agent"], name="world phone", prefix=token_prefix, digest=digest_of(token_key)
    )

    objects = {
        "api_token_a": api_token_a,
        "api_token_a_key": token_key,
        "election": election,
        "seat_a": seat_a,
        "seat_b": seat_b,
        "other_organiser": other_organiser,
        "other_volunteer": other_volunteer,
        **profiles,
        "team_a": team_a,
        "team_b": team_b,
        "shift_a": shift_a,
        "shift_b": shift_b,
        "signup_a": signup_a,
        "signup_b": signup_b,
        "seat_grant_a": SeatGrant.objects.get(user=users["seat_organiser"]),
        "seat_grant_b": SeatGrant.objects.get(user=other_organiser),
        **endorsements,
        "target_a": target_a,
        "target_b": target_b,
        "campaign_a": campaign_a,
        "campaign_b": campaign_b,
        "walk_list_a": walk_list_a,
        "other_list_a": other_list_a,
        "walk_list_b": walk_list_b,
        "elector_a": elector_a,
        "elector_a_unlisted": elector_a_unlisted,
        "elector_b": elector_b,
        "district_a": PollingDistrict.objects.filter(campaign=campaign_a).order_by("code").first(),
        "district_b": PollingDistrict.objects.filter(campaign=campaign_b).order_by("code").first(),
        "response_a": CanvassResponse.objects.get(campaign=campaign_a, elector=elector_a),
        "response_a_agent": CanvassResponse.objects.get(campaign=campaign_a, elector=elector_a_unlisted),
        "response_b": CanvassResponse.objects.get(campaign=campaign_b),
        "intention_a": IntentionCode.objects.filter(campaign=campaign_a).order_by("order").first(),
        "intention_b": IntentionCode.objects.filter(campaign=campaign_b).order_by("order").first(),
        "question_a": SurveyQuestion.objects.filter(campaign=campaign_a).order_by("order", "key").first(),
        "question_b": SurveyQuestion.objects.filter(campaign=campaign_b).order_by("order", "key").first(),
        "grant_a": RegisterGrant.objects.get(campaign=campaign_a, user=users["grant_agent"]),
        "grant_b": RegisterGrant.objects.get(campaign=campaign_b, user=other_organiser),
        "access_log_a": AccessLog.objects.filter(campaign=campaign_a).first(),
        "access_log_b": AccessLog.objects.filter(campaign=campaign_b).first(),
        "knock_up_a": KnockUpSheet.objects.filter(campaign=campaign_a).first(),
        **stations,
        "round_a": round_a,
        "lift_a": lift_a,
        "lift_b": lift_b,
        "import_job_a": import_job_a,
        "import_job_b": import_job_b,
        "outbox_a": outbox_a,
        "outbox_b": outbox_b,
        "schedule_a": schedule_a,
        "schedule_b": schedule_b,
        "unsubscribe_b": unsubscribe_b,
        "results_job": results_job,
        "supporter_a": supporter_a,
        "supporter_b": supporter_b,
        "consent_supporter_a": Consent.objects.get(supporter=supporter_a),
        "consent_supporter_b": Consent.objects.get(supporter=supporter_b),
        "segment_a": segment_a,
        "segment_b": segment_b,
        "segment_national": segment_national,
        **calls,
    }
    world = World(users=users, objects=objects)
    world.log_in_everyone()
    return world
