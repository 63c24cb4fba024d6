"""The record of processing (UK GDPR Art 30), declared per model and per field, next to nothing else.

Every concrete field of every model Organiser stores is classified here: personal data (``personal``; "*" for
every field of a model whose rows are about one person), special-category data (``special``: political opinions),
or not personal data (``other``, listed by name so a new field is never classified by default). A test checks that
every field of every model is covered, so this record cannot drift from the code: add a field, and the suite
fails until it is declared here.

``record_of_processing()`` turns the declarations into the record the organisers' page shows and exports.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _

CAMPAIGN = "campaign"
CANDIDATE_CAMPAIGN = "candidate_campaign"

LI = _("Legitimate interests (UK GDPR Art 6(1)(f)): organising the people who asked to help the campaign.")
CONSENT = _("Consent (UK GDPR Art 6(1)(a)), recorded as PECR reg 22 requires for email and SMS marketing.")
LEGAL = _("Legal obligation (UK GDPR Art 6(1)(c)): records PPERA 2000 and RPA 1983 require.")
PUBLIC_TASK = _(
    "Public task, democratic engagement (UK GDPR Art 6(1)(e) with DPA 2018 s.8(e)): the candidate's campaign "
    "using the full register for electoral purposes, as the ICO's political campaigning guidance describes."
)
SECURITY = _("Legitimate interests (UK GDPR Art 6(1)(f)): keeping accounts and the service secure.")
PUBLIC = _("Legitimate interests (UK GDPR Art 6(1)(f)): publishing who stands and who won (already public).")
POLITICAL_OPINIONS = _(
    "Political opinions (UK GDPR Art 9). Registered party's candidate: DPA 2018 Sch 1 para 22 (political "
    "parties), with the appropriate policy document. Independent candidate: para 22 does not apply; see "
    "docs/law.md: legal advice needed before relying on a condition (explicit consent, Art 9(2)(a), is the safe one)."
)
REGISTER_RETENTION = _("Destroyed on the candidate campaign's retention date after polling day (canvassing job).")
ACCOUNT_RETENTION = _("Until the volunteer deletes their account (then erased; past attendance kept as counts).")
NO_EXPIRY = _("Kept; no automatic deletion yet (the campaign should set a period: see the DPIA).")
ELECTION_RECORDS = _("For the period the Electoral Commission may ask for them (see docs/law.md); then deleted.")


@dataclass(frozen=True)
class Declaration:
    model: str
    subjects: str
    purpose: str
    basis: str
    retention: str
    personal: tuple[str, ...] | str = ()
    special: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    special_condition: str = ""
    controller: str = CAMPAIGN
    recipients: str = ""


def _f(names: str) -> tuple[str, ...]:
    return tuple(names.split())


ORGANISERS = _("organisers and volunteers (their accounts)")
VOLUNTEERS = _("volunteers")
ELECTORS = _("electors on the register")
SUPPORTERS = _("supporters (people who asked to hear from the campaign)")

DECLARATIONS: tuple[Declaration, ...] = (
    # --- third-party apps that hold personal data ---
    Declaration(
        "admin.LogEntry", ORGANISERS, _("Audit of changes made in the admin"), SECURITY, NO_EXPIRY, personal="*"
    ),
    Declaration(
        "auth.Permission", "", _("Permissions (no personal data)"), "", "", other=_f("id name content_type codename")
    ),
    Declaration(
        "auth.Group", "", _("Groups of permissions (no personal data)"), "", "", other=_f("id name permissions")
    ),
    Declaration(
        "contenttypes.ContentType", "", _("Model registry (no personal data)"), "", "", other=_f("id app_label model")
    ),
    Declaration(
        "sessions.Session",
        ORGANISERS,
        _("Keeping people logged in"),
        SECURITY,
        _("Until the session expires or the person logs out."),
        personal="*",
    ),
    Declaration(
        "accounts.ApiToken",
        ORGANISERS,
        _("API access tokens (a hash and a prefix, never the key)"),
        SECURITY,
        _("Until revoked."),
        personal="*",
    ),
    Declaration(
        "accounts.AuditEntry",
        ORGANISERS,
        _("Audit of who changed whose privileges and grants"),
        SECURITY,
        NO_EXPIRY,
        personal="*",
    ),
    Declaration(
        "account.EmailAddress",
        ORGANISERS,
        _("Logging in and verifying email addresses"),
        LI,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    Declaration(
        "account.EmailConfirmation",
        ORGANISERS,
        _("Verifying email addresses"),
        LI,
        _("Until used or expired."),
        personal="*",
    ),
    Declaration(
        "mfa.Authenticator",
        ORGANISERS,
        _("Two-factor authentication of staff"),
        SECURITY,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    # --- volunteers ---
    Declaration("volunteers.User", ORGANISERS, _("Accounts: logging in, roles"), LI, ACCOUNT_RETENTION, personal="*"),
    Declaration(
        "volunteers.SeatGrant",
        ORGANISERS,
        _("Which seats a seat organiser works on"),
        LI,
        ACCOUNT_RETENTION,
        personal=_f("user granted_at"),
        other=_f("id constituency"),
    ),
    Declaration(
        "volunteers.Team",
        VOLUNTEERS,
        _("Teams, their leads and members"),
        LI,
        ACCOUNT_RETENTION,
        personal=_f("lead members"),
        other=_f("id name constituency"),
    ),
    Declaration(
        "volunteers.VolunteerProfile",
        VOLUNTEERS,
        _(
            "Contact details, home seat, skills, languages, availability, travel: sending volunteers where "
            "they are needed"
        ),
        LI,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    Declaration(
        "volunteers.Consent",
        _("volunteers and supporters"),
        _(
            "Proof of consent to email, SMS and calls (PECR), and to being asked to volunteer: the wording, when, "
            "where, who recorded it"
        ),
        CONSENT,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    Declaration(
        "volunteers.ErasedAccount",
        VOLUNTEERS,
        _("A keyed hash of a deleted account's email, so it is not signed up again by mistake"),
        LI,
        NO_EXPIRY,
        personal=_f("email_hash erased_at"),
        other=_f("id"),
    ),
    Declaration(
        "volunteers.Shift",
        VOLUNTEERS,
        _("Sessions and who leads them"),
        LI,
        NO_EXPIRY,
        personal=_f("lead"),
        other=_f(
            "id kind title constituency team starts_at ends_at meeting_point capacity minimum filled "
            "required_skills notes series created_at"
        ),
    ),
    Declaration(
        "volunteers.Signup",
        VOLUNTEERS,
        _("Who signed up to which shift, attendance and hours"),
        LI,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    # --- campaigns (public candidate data; no personal data about electors or volunteers) ---
    Declaration("campaigns.Election", "", _("Elections"), "", "", other=_f("id slug name date")),
    Declaration(
        "campaigns.Constituency",
        "",
        _("Seats"),
        "",
        "",
        other=_f("id code name nation region_code region_name constituency_type hex_q hex_r"),
    ),
    Declaration("campaigns.Party", "", _("Parties"), "", "", other=_f("id name abbreviation colour ec_party_id")),
    Declaration(
        "campaigns.Person",
        _("candidates"),
        _("Who stands (published statements of persons nominated, Democracy Club)"),
        PUBLIC,
        NO_EXPIRY,
        personal="*",
    ),
    Declaration(
        "campaigns.Candidacy",
        _("candidates"),
        _("Who stood where, with their votes (published results)"),
        PUBLIC,
        NO_EXPIRY,
        personal=_f("person votes elected"),
        other=_f("id election constituency party"),
    ),
    Declaration(
        "campaigns.Result",
        "",
        _("Declared results"),
        "",
        "",
        other=_f(
            "id election constituency electorate valid_votes invalid_votes winner majority result_text "
            "first_party second_party declared_at"
        ),
    ),
    Declaration(
        "campaigns.NotionalResult",
        "",
        _("Notional results"),
        "",
        "",
        other=_f("id election constituency label electorate total_votes majority winner second"),
    ),
    Declaration(
        "campaigns.NotionalVote",
        "",
        _("Notional votes"),
        "",
        "",
        other=_f("id notional_result party_abbreviation votes share"),
    ),
    Declaration(
        "campaigns.DemographicValue",
        "",
        _("Published aggregates per seat (never about a person)"),
        "",
        "",
        other=_f("id constituency source topic variable variable_code value nation_value"),
    ),
    Declaration(
        "campaigns.Endorsement",
        _("candidates; organisers"),
        _("Whom the campaign endorses, and who decided"),
        LI,
        NO_EXPIRY,
        personal=_f("candidacy statement updated_by"),
        other=_f("id election constituency status updated_at"),
    ),
    Declaration(
        "campaigns.EndorsementEvent",
        _("candidates; organisers"),
        _("History of endorsement decisions"),
        LI,
        NO_EXPIRY,
        personal=_f("candidacy actor reason"),
        other=_f("id endorsement status at"),
    ),
    Declaration(
        "campaigns.TargetCriteria",
        ORGANISERS,
        _("Target criteria and who set them"),
        LI,
        NO_EXPIRY,
        personal=_f("updated_by"),
        other=_f(
            "id election small_majority_votes small_majority_weight collapse_ratio collapse_weight "
            "demographic_source demographic_variable demographic_threshold demographic_weight "
            "split_party_abbreviations split_independents split_weight endorsed_weight tier_one_score "
            "tier_two_score updated_at"
        ),
    ),
    Declaration(
        "campaigns.Target",
        "",
        _("Target scores per seat"),
        "",
        "",
        other=_f("id election constituency score tier reasons computed_at"),
    ),
    # --- election night (campaigns.night): public results as they are declared, and the count agents' reports ---
    Declaration(
        "campaigns.ExpectedDeclaration",
        ORGANISERS,
        _("When each seat is expected to declare, and who set it"),
        LI,
        NO_EXPIRY,
        personal=_f("updated_by"),
        other=_f("id election constituency expected_at source updated_at"),
    ),
    Declaration(
        "campaigns.Declaration",
        "",
        _("Each seat's first declaration on the night (public results)"),
        "",
        "",
        other=_f("id election constituency source declared_at recorded_at notified_at"),
    ),
    Declaration(
        "campaigns.CountReport",
        ORGANISERS,
        _("A seat's result as reported from the count, who entered it and who confirmed it"),
        LI,
        NO_EXPIRY,
        personal=_f("entered_by decided_by"),
        other=_f(
            "id election constituency status valid_votes rejected_ballots electorate entered_at decided_at "
            "feed_check feed_differences checked_at"
        ),
    ),
    Declaration(
        "campaigns.CountVote",
        "",
        _("Each candidate's votes in a count report (announced publicly at the count)"),
        "",
        "",
        other=_f("id report candidacy votes"),
    ),
    Declaration(
        "campaigns.ImportJob",
        ORGANISERS,
        _("Uploaded public data files and who uploaded them"),
        LI,
        NO_EXPIRY,
        personal=_f("created_by data"),
        other=_f("id kind election filename status attempts report problems error created_at started_at finished_at"),
    ),
    # --- canvassing: the register, held per candidate's campaign (controller: the candidate's campaign) ---
    Declaration(
        "canvassing.CandidateCampaign",
        _("candidates' agents"),
        _("The register's legal home and its agent"),
        PUBLIC_TASK,
        _("Kept as the record of the register's destruction."),
        personal=_f("agent retention_pending_by"),
        other=_f(
            "id endorsement election constituency name polling_day retention_date votes_to_win destroyed_at created_at"
            " retention_pending_date retention_pending_from"
        ),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.RegisterGrant",
        ORGANISERS,
        _("Who may see the register"),
        PUBLIC_TASK,
        _("Kept as the record of who had access."),
        personal=_f("user granted_by granted_at"),
        other=_f("id campaign level"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.AccessLog",
        ORGANISERS,
        _("Every access to the register"),
        PUBLIC_TASK,
        _("Kept as the record of who had access."),
        personal=_f("user actor at route detail"),
        other=_f("id campaign action electors via"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.PollingDistrict",
        "",
        _("Polling districts"),
        "",
        "",
        other=_f("id campaign code name"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.IntentionCode",
        "",
        _("The codes canvassers record"),
        "",
        "",
        other=_f("id campaign code label category order"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.SurveyQuestion",
        "",
        _("Doorstep questions"),
        "",
        "",
        other=_f("id campaign key text kind choices order active"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.Elector",
        ELECTORS,
        _("The electoral register, for canvassing and polling day"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f(
            "polling_district number suffix markers attainer_date surname forenames address_1 "
            "address_2 address_3 address_4 address_5 address_6 postcode street house_number flat "
            "property_key postal_voter proxy_voter current_outcome current_outcome_at "
            "current_intention_at"
        ),
        special=_f("current_intention"),
        other=_f("id campaign"),
        special_condition=POLITICAL_OPINIONS,
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.CanvassResponse",
        ELECTORS,
        _("What each doorstep visit recorded"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("elector client_id recorded_by recorded_at received_at outcome walk_list flagged flag_reason"),
        special=_f("intention answers note"),
        other=_f("id campaign"),
        special_condition=POLITICAL_OPINIONS,
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.WalkList",
        ELECTORS,
        _("Routes of doors and who walks them"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("volunteer shift team"),
        other=_f(
            "id campaign polling_district name sequence batch doors electors_count filters created_at knock_up_round"
        ),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.WalkListEntry",
        ELECTORS,
        _("Electors on each route"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("elector position"),
        other=_f("id walk_list"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.PollingDayVote",
        ELECTORS,
        _("Poll numbers tellers took: who has voted"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("elector entered_by entered_at station taken_at"),
        other=_f("id campaign"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.PollingStation",
        "",
        _("Polling stations, the districts they serve and their telling shifts"),
        "",
        "",
        other=_f("id campaign name address districts opens_at closes_at shifts"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.TellerEntry",
        ELECTORS,
        _("What tellers typed at each polling station: who has voted, and which teller typed it"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("written entered_by taken_at received_at recorded duplicates rejected"),
        other=_f("id campaign station client_id"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.KnockUpRound",
        ORGANISERS,
        _("Knock-up rounds: when each was cut, by whom and why"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("created_by"),
        other=_f("id campaign number cut_off reasoning"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.Lift",
        ELECTORS,
        _("Lifts to the polling station: who needs one, from where, and who drives"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        personal=_f("elector response wanted_at pick_up note status driver requested_by created_at updated_at"),
        other=_f("id campaign"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.KnockUpSheet",
        ELECTORS,
        _("Knock-up lists (promises and leans not yet voted)"),
        PUBLIC_TASK,
        REGISTER_RETENTION,
        special=_f("elector_ids"),
        other=_f("id campaign polling_district generated_at"),
        special_condition=POLITICAL_OPINIONS,
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.RegisterLayout",
        "",
        _("Column mappings of council exports"),
        "",
        "",
        other=_f("id campaign name headers mapping created_at"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    Declaration(
        "canvassing.RegisterImportJob",
        ELECTORS,
        _("Uploaded register files awaiting import"),
        PUBLIC_TASK,
        _("The file is deleted when the job finishes; the row with the register."),
        personal=_f("created_by file problems"),
        other=_f("id campaign filename size status attempts report error created_at started_at finished_at"),
        controller=CANDIDATE_CAMPAIGN,
    ),
    # --- messaging ---
    Declaration("messaging.Outbox", VOLUNTEERS, _("Every message sent to a person, once"), LI, NO_EXPIRY, personal="*"),
    Declaration(
        "messaging.DigestSchedule",
        "",
        _("When digests go"),
        "",
        "",
        other=_f("id constituency weekday hour note updated_at"),
    ),
    Declaration(
        "messaging.MessagePreference",
        VOLUNTEERS,
        _("Which messages a person chose, in which language"),
        CONSENT,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    Declaration(
        "messaging.Unsubscribe",
        VOLUNTEERS,
        _("Where an unsubscribe came from"),
        CONSENT,
        ACCOUNT_RETENTION,
        personal="*",
    ),
    # --- conversations ---
    Declaration(
        "conversations.Supporter",
        SUPPORTERS,
        _(
            "People who asked to hear from the campaign: how to reach them, their seat, organisers' tags; what they "
            "agreed to is in the consent record"
        ),
        CONSENT,
        _("Until they delete it (from their emailed link) or withdraw every consent and ask us to delete it."),
        personal="*",
    ),
    Declaration(
        "conversations.Segment",
        ORGANISERS,
        _("Saved filters over volunteers and supporters (who made them)"),
        LI,
        NO_EXPIRY,
        personal=_f("created_by"),
        other=_f("id name constituency filters created_at updated_at"),
    ),
    Declaration(
        "conversations.CallAssignment",
        ORGANISERS,
        _("Phone banks: whom to call (a segment), the script, calling hours, the callers named"),
        LI,
        NO_EXPIRY,
        personal=_f("created_by callers"),
        other=_f(
            "id name constituency segment script cooldown_hours max_attempts calls_from calls_until claim_minutes "
            "is_open created_at refreshed_at"
        ),
    ),
    Declaration(
        "conversations.CallTarget",
        _("Volunteers and supporters of a call assignment"),
        _("Whom a caller is given to call, their number, where they stand (to call, done, not offered and why)"),
        LI,
        _("Deleted with the assignment, the supporter or the account."),
        personal="*",
    ),
    Declaration(
        "conversations.Call",
        _("Callers and the people they called"),
        _("How each call went (outcome, a call-back time, the caller's notes)"),
        LI,
        _("Deleted with the assignment, the supporter or the account."),
        personal="*",
    ),
    Declaration(
        "conversations.DoNotCall",
        _("People who asked not to be called"),
        _("The campaign's own do-not-call list: a number is never offered to a caller again"),
        LEGAL,
        _("Kept for as long as the campaign calls anyone (honouring the objection, PECR reg 21(1)(b))."),
        personal="*",
    ),
    Declaration(
        "conversations.TPSNumber",
        _("Subscribers registered with the TPS or CTPS"),
        _("Screening calls against the Telephone Preference Service (PECR reg 21)"),
        LEGAL,
        _("Replaced by each newly loaded file (the licence requires a copy no older than 28 days)."),
        personal="*",
    ),
    Declaration(
        "conversations.TextAssignment",
        ORGANISERS,
        _("Two-way texting: whom to text (a segment), the script, texting hours, the texters named"),
        LI,
        NO_EXPIRY,
        personal=_f("created_by texters"),
        other=_f("id name constituency segment script texts_from texts_until is_open created_at"),
    ),
    Declaration(
        "conversations.TextConversation",
        _("Volunteers and supporters who agreed to texts"),
        _("Whom a texter texts, their number, whether they replied or said STOP"),
        CONSENT,
        _("Deleted with the assignment, the supporter or the account."),
        personal="*",
    ),
    Declaration(
        "conversations.TextMessage",
        _("Volunteers and supporters who agreed to texts, and anyone who texts the campaign's number"),
        _("The texts sent and received, with the number"),
        CONSENT,
        _("Deleted with the conversation; a text from an unknown number is kept until deleted by hand."),
        personal="*",
    ),
    Declaration(
        "conversations.ShiftLoopSettings",
        "",
        _("When the day-before and after-shift messages go"),
        "",
        "",
        other=_f("id key enabled confirm_at feedback_after_hours updated_at"),
    ),
    # --- compliance ---
    Declaration(
        "compliance.LegalFigure",
        "",
        _("Figures of law per election"),
        "",
        "",
        other=_f("id election key part value source url checked_on note"),
    ),
    Declaration(
        "compliance.PromoterDetails",
        _("the promoter, printer and data-protection contact"),
        _("Imprints and privacy notices"),
        LEGAL,
        NO_EXPIRY,
        personal=_f(
            "promoter_name promoter_address on_behalf_name on_behalf_address printer_name "
            "printer_address controller_name controller_contact updated_by"
        ),
        other=_f("id election registered lower_tier_statement dissolution_date updated_at"),
    ),
    Declaration(
        "compliance.CandidateImprint",
        _("candidates and their agents"),
        _("Imprints on a candidate's behalf"),
        LEGAL,
        NO_EXPIRY,
        personal=_f("endorsement agent_name agent_address candidate_address"),
        other=_f("id on_candidates_behalf updated_at"),
    ),
    Declaration(
        "compliance.Publication",
        ORGANISERS,
        _("The publication log (imprints)"),
        LEGAL,
        _("Until its retain-until date (see docs/law.md), then deleted."),
        personal=_f("published_by published_by_name"),
        other=_f("id election endorsement kind title body imprint imprint_rule published_at withdrawn_at retain_until"),
    ),
    Declaration(
        "compliance.Authorisation",
        _("agents and party officers"),
        _("Written spending authorisations"),
        LEGAL,
        ELECTION_RECORDS,
        personal=_f("given_by document recorded_by candidacy"),
        other=_f("id election kind party part constituency amount covers given_on recorded_at"),
    ),
    Declaration(
        "compliance.SpendingItem",
        _("suppliers (sole traders); organisers"),
        _("The spending ledger"),
        LEGAL,
        ELECTION_RECORDS,
        personal=_f("supplier_name supplier_address receipt created_by decided_by candidacy"),
        other=_f(
            "id election kind category description amount incurred_on paid_on targeted_party area parts "
            "seats constituency status created_at decided_at decision_note authorisation"
        ),
    ),
    Declaration(
        "compliance.SpendingAttribution",
        "",
        _("Spending per constituency"),
        "",
        "",
        other=_f("id item constituency amount"),
    ),
    Declaration(
        "compliance.Donation",
        _("donors"),
        _("Donations and permissibility checks (PPERA Sch 11)"),
        LEGAL,
        ELECTION_RECORDS,
        personal="*",
    ),
)

#: Apps whose every model must be declared (proxy models share their concrete model's table).
COVERED_APPS = (
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "accounts",
    "account",
    "mfa",
    "volunteers",
    "campaigns",
    "canvassing",
    "messaging",
    "conversations",
    "compliance",
)


def declarations() -> dict[str, Declaration]:
    return {declaration.model: declaration for declaration in DECLARATIONS}


def model_fields(model) -> list:
    return [*model._meta.concrete_fields, *model._meta.many_to_many]


def covered_models() -> list:
    return [model for model in apps.get_models() if model._meta.app_label in COVERED_APPS and not model._meta.proxy]


def coverage_problems() -> list[str]:
    """Every field not declared, declared twice, or declared but gone: empty when the record is complete."""
    problems = []
    known = declarations()
    for model in covered_models():
        label = model._meta.label
        declaration = known.get(label)
        if declaration is None:
            problems.append(f"{label}: no declaration in compliance/records.py")
            continue
        names = {field.name for field in model_fields(model)}
        personal = names if declaration.personal == "*" else set(declaration.personal)
        declared = [*([] if declaration.personal == "*" else declaration.personal), *declaration.special]
        declared += list(declaration.other)
        for name in sorted(names - personal - set(declaration.special) - set(declaration.other)):
            problems.append(f"{label}.{name}: not declared personal, special or other")
        for name in sorted(set(declared) - names):
            problems.append(f"{label}.{name}: declared but the model has no such field")
        if declaration.personal != "*":
            seen = set()
            for name in declared:
                if name in seen:
                    problems.append(f"{label}.{name}: declared twice")
                seen.add(name)
        if (personal or declaration.special) and not declaration.basis:
            problems.append(f"{label}: personal data without a lawful basis")
        if declaration.special and not declaration.special_condition:
            problems.append(f"{label}: special-category data without an Article 9 condition")
    return problems


@dataclass(frozen=True)
class RecordRow:
    model: str
    table: str
    field: str
    label: str
    category: str
    subjects: str
    purpose: str
    basis: str
    condition: str
    retention: str
    controller: str


def record_of_processing() -> list[RecordRow]:
    """One row per personal-data field of every model, in model order (what the page shows and exports)."""
    known = declarations()
    rows = []
    for model in covered_models():
        declaration = known.get(model._meta.label)
        if declaration is None:
            continue
        for field in model_fields(model):
            if declaration.personal == "*" and field.name not in declaration.special:
                category = "personal"
            elif field.name in declaration.special:
                category = "special"
            elif field.name in declaration.personal:
                category = "personal"
            else:
                continue
            rows.append(
                RecordRow(
                    model=model._meta.label,
                    table=str(model._meta.verbose_name),
                    field=field.name,
                    label=str(getattr(field, "verbose_name", field.name)),
                    category=category,
                    subjects=str(declaration.subjects),
                    purpose=str(declaration.purpose),
                    basis=str(declaration.basis),
                    condition=str(declaration.special_condition) if category == "special" else "",
                    retention=str(declaration.retention),
                    controller=str(declaration.controller),
                )
            )
    return rows
