"""Pages of call and text assignments, phone first. Organisers make an assignment from one of their segments and
follow its progress; callers get the next person (a claim nobody else holds), a ``tel:`` link, the script and the
outcome in two taps; texters send the script one person at a time and answer replies; the SMS provider's signed
webhook brings replies in. Thin: forms validate, ``conversations.services`` write, ``conversations.selectors``
read, ``organiser.scope`` decides who sees which assignment (404 outside it, never a hint).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from conversations.forms import CallAssignmentForm, OutcomeForm, ReplyForm, TextAssignmentForm, TPSImportForm
from conversations.models import CallAssignment, CallTarget, Outcome, TextAssignment, TextConversation
from conversations.selectors import calls as selectors
from conversations.services import calls as services
from conversations.services import texts as text_services
from messaging import rendering
from organiser import clock, scope
from organiser.inputs import object_id, refuse


def organiser_required(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_organiser:
            raise PermissionDenied("Organisers only: callers find their assignments under Calls.")
        return view(request, *args, **kwargs)

    return wrapper


def _errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- organisers ------------------------------------------------------------------------------------------------


@organiser_required
def assignments(request: HttpRequest) -> HttpResponse:
    """The organiser's call and text assignments (of their seats)."""
    return render(
        request,
        "conversations/calls/assignments.html",
        {
            "call_assignments": selectors.call_assignments_visible_to(request.user)[:100],
            "text_assignments": selectors.text_assignments_visible_to(request.user)[:100],
        },
    )


@organiser_required
def assignment_new(request: HttpRequest) -> HttpResponse:
    segments = selectors.segments_for_assignments(request.user)
    form = CallAssignmentForm(request.POST or None, segments=segments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_create(
                user=request.user, name=data["name"], segment=data["segment"], script=data["script"],
                calls_from=data["calls_from"], calls_until=data["calls_until"],
                cooldown_hours=data["cooldown_hours"], callers=data["callers"],
            )  # fmt: skip
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, f"Assignment made: {assignment.targets.count()} people to call.")
            return redirect("conversations:assignment", pk=assignment.pk)
    return render(request, "conversations/calls/assignment_new.html", {"form": form, "has_segments": segments.exists()})


@organiser_required
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    """An assignment's progress, who was not offered and why; refresh its people, open or close it."""
    found = get_object_or_404(selectors.call_assignments_visible_to(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "refresh":
                result = services.assignment_refresh(assignment=found, user=request.user)
                messages.success(
                    request, f"Refreshed: {result.added} joined, {result.dropped} no longer match, "
                    f"{result.screened} not offered."
                )  # fmt: skip
            elif action in ("close", "open"):
                services.assignment_update(assignment=found, user=request.user, is_open=action == "open")
            else:
                return refuse(request, "Choose refresh, open or close.")
        except PermissionDenied as error:
            return refuse(request, str(error), status=403)
        return redirect("conversations:assignment", pk=found.pk)
    return render(
        request,
        "conversations/calls/assignment.html",
        {
            "assignment": found,
            "progress": selectors.call_progress(found),
            "not_offered": selectors.not_offered(found),
            "callers": found.callers.order_by("full_name", "email"),
            "may_change": scope.can_change(request.user, found),
        },
    )


@organiser_required
def tps_import(request: HttpRequest) -> HttpResponse:
    """National organisers load the TPS/CTPS file the campaign licenses (the whole file replaces the last)."""
    if not request.user.is_national_organiser:
        raise PermissionDenied("Only national organisers load the TPS file.")
    form = TPSImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 200 * 1024 * 1024:
            form.add_error("file", "The file is larger than 200 MB: split it.")
        else:
            try:
                result = services.tps_import(
                    user=request.user, data=upload.read(), list_kind=form.cleaned_data["list_kind"]
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, f"Loaded {result.numbers} numbers; {result.screened} people not offered.")
                return redirect("conversations:tps_import")
    from conversations.models import TPSNumber

    return render(request, "conversations/calls/tps_import.html", {"form": form, "held": TPSNumber.objects.count()})


# --- callers ---------------------------------------------------------------------------------------------------


@login_required
def my_calls(request: HttpRequest) -> HttpResponse:
    """The call and text assignments this person works."""
    return render(
        request,
        "conversations/calls/my_calls.html",
        {
            "call_assignments": selectors.call_assignments_for_caller(request.user)[:50],
            "text_assignments": selectors.text_assignments_for_texter(request.user)[:50],
        },
    )


def _workable(request: HttpRequest, pk: int) -> CallAssignment:
    found = selectors.call_assignments_for_caller(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No assignment of yours has this number.")
    return found


def _script(assignment: CallAssignment, target: CallTarget | None) -> str:
    return assignment.script.replace("{name}", text_services.first_name_of(target.name if target else ""))


@never_cache
@login_required
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """The caller's phone screen: the person they hold (or a button to be given the next), the script, a ``tel:``
    link, and the outcomes. A GET changes nothing; "Next person" (a POST) claims."""
    found = _workable(request, pk)
    problem = ""
    if request.method == "POST":
        try:
            target = services.call_next(assignment=found, caller=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            if target is None:
                messages.info(request, "Nobody is left to call right now: call-backs come back at their time.")
            return redirect("conversations:call", pk=found.pk)
    target = selectors.held_by(assignment=found, caller=request.user)
    form = OutcomeForm(initial={"target": target.pk} if target else None)
    return render(
        request,
        "conversations/calls/call.html",
        {
            "assignment": found,
            "target": target,
            "script": _script(found, target),
            "form": form,
            "outcomes": [(value, label) for value, label in Outcome.choices if value != Outcome.CALL_BACK],
            "problem": problem,
            "within_hours": services.within_hours(found, clock.now()),
        },
    )


@require_POST
@login_required
def call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    found = _workable(request, pk)
    form = OutcomeForm(request.POST)
    if request.POST.get("release") and (target_id := object_id(request.POST.get("target"))):
        target = CallTarget.objects.filter(pk=target_id, assignment=found).first()
        if target is not None:
            services.call_release(target=target, caller=request.user)
        return redirect("conversations:call", pk=found.pk)
    if not form.is_valid():
        messages.error(request, " ".join(f"{e}" for errors in form.errors.values() for e in errors))
        return redirect("conversations:call", pk=found.pk)
    data = form.cleaned_data
    target = CallTarget.objects.filter(pk=data["target"], assignment=found).first()
    if target is None:
        return refuse(request, "That person is not in this assignment.", status=404)
    try:
        services.call_record(
            target=target, caller=request.user, outcome=data["outcome"], call_back_at=data["call_back_at"],
            notes=data["notes"],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("conversations:call", pk=found.pk)
    label = Outcome(data["outcome"]).label
    if data["outcome"] == Outcome.CALL_BACK:
        label = f"Call back at {clock.local(data['call_back_at']):%H:%M on %d %b}"
    messages.success(request, f"Saved: {label}.")
    if "next" in request.POST:
        try:
            services.call_next(assignment=found, caller=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("conversations:call", pk=found.pk)


# --- texts -----------------------------------------------------------------------------------------------------


@organiser_required
def text_assignment_new(request: HttpRequest) -> HttpResponse:
    segments = selectors.segments_for_assignments(request.user)
    form = TextAssignmentForm(request.POST or None, segments=segments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = text_services.text_assignment_create(
                user=request.user, name=data["name"], segment=data["segment"], script=data["script"],
                texts_from=data["texts_from"], texts_until=data["texts_until"], texters=data["texters"],
            )  # fmt: skip
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, f"Text assignment made: {found.conversations.count()} people to text.")
            return redirect("conversations:text_assignment", pk=found.pk)
    return render(request, "conversations/texts/assignment_new.html", {"form": form, "has_segments": segments.exists()})


@organiser_required
def text_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(selectors.text_assignments_visible_to(request.user), pk=pk)
    return render(
        request,
        "conversations/texts/assignment.html",
        {
            "assignment": found,
            "progress": selectors.text_progress(found),
            "replies": selectors.conversations_with_replies(found),
        },
    )


def _textable(request: HttpRequest, pk: int) -> TextAssignment:
    found = selectors.text_assignments_for_texter(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No text assignment of yours has this number.")
    return found


@never_cache
@login_required
def texting(request: HttpRequest, pk: int) -> HttpResponse:
    """The texter's screen: the next person with the script filled in and a Send button (peer to peer: one press,
    one text), and the conversations with replies."""
    found = _textable(request, pk)
    if request.method == "POST":
        conversation_id = object_id(request.POST.get("conversation"))
        conversation = TextConversation.objects.filter(pk=conversation_id or 0, assignment=found).first()
        if conversation is None:
            return refuse(request, "That person is not in this assignment.", status=404)
        try:
            text_services.text_send(conversation=conversation, texter=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Sent to {conversation.name or conversation.phone}.")
        return redirect("conversations:texting", pk=found.pk)
    following = selectors.next_to_text(found)
    return render(
        request,
        "conversations/texts/texting.html",
        {
            "assignment": found,
            "next": following,
            "text": text_services.script_for(following) if following else "",
            "replies": selectors.conversations_with_replies(found, limit=30),
        },
    )


@never_cache
@login_required
def text_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """One conversation: the texts both ways, and a reply (a canned one or by hand)."""
    conversation = get_object_or_404(TextConversation.objects.select_related("assignment"), pk=pk)
    assignment = _textable(request, conversation.assignment_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if canned := request.POST.get("canned"):
            form = ReplyForm({"body": text_services.CANNED_REPLIES.get(canned, "")})
        if form.is_valid():
            try:
                text_services.text_reply(conversation=conversation, texter=request.user, body=form.cleaned_data["body"])
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, "Reply sent.")
                return redirect("conversations:text_conversation", pk=conversation.pk)
    conversation.refresh_from_db()
    return render(
        request,
        "conversations/texts/conversation.html",
        {
            "assignment": assignment,
            "conversation": conversation,
            "texts": conversation.messages.order_by("created_at", "pk")[:200],
            "form": form,
            "canned": text_services.CANNED_REPLIES,
        },
    )


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """The SMS provider's inbound webhook (Twilio-style form: ``From``, ``Body``, ``MessageSid``), signed in
    ``X-Twilio-Signature`` over this page's public address: 403 unsigned or forged, 400 without a sender, and
    the text recorded exactly once however often the provider retries."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = rendering.absolute(request.get_full_path())
    signature = request.headers.get("X-Twilio-Signature", "")
    if not text_services.webhook_signature_valid(url=url, params=params, signature=signature):
        return HttpResponse("signature not valid", status=403, content_type="text/plain")
    sender = params.get("From", "")
    if not sender:
        return HttpResponse("From is missing", status=400, content_type="text/plain")
    try:
        text_services.text_received(phone=sender, body=params.get("Body", ""), provider_id=params.get("MessageSid", ""))
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="application/xml")
