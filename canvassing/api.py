"""The canvassing API under /api/v1/canvassing/: the doorstep's batch upload of responses (what the offline
page sends when the signal returns), and reads of electors and walk lists for granted users, each logged.

Every queryset goes through organiser.scope (only users granted on the campaign see its register); the
electors endpoint further asks for an agent's or organiser's grant, as the register pages do.
"""

from __future__ import annotations

from collections import Counter

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from canvassing import selectors, services
from canvassing.models import AccessLog, Elector, Outcome, RegisterGrant, WalkList
from organiser.api import ObjectIdField, ScopedQuerysetMixin

MAX_BATCH = 500


class SupporterAtTheDoorSerializer(serializers.Serializer):
    """The elector agreed to hear from the campaign: recorded as a supporter (outside the register) only with
    ``agreed: true``, what they agreed to, and an email or a mobile number they gave."""

    agreed = serializers.BooleanField(help_text="the elector explicitly agreed, after the wording was read out")
    agrees = serializers.ListField(
        child=serializers.ChoiceField(choices=["email", "sms", "calls", "volunteering"]), max_length=4
    )
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class ResponseEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="made on the phone; a resend with the same id is stored once")
    completes = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="the id of an earlier entry of the same elector by the same canvasser: this entry's survey "
        "answers and note are added to that entry instead of making a new one",
    )
    elector = ObjectIdField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    intention = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    answers = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    recorded_at = serializers.DateTimeField(required=False, help_text="when the door was knocked (phone clock)")
    walk_list = ObjectIdField(required=False, allow_null=True)
    supporter = SupporterAtTheDoorSerializer(required=False, allow_null=True, help_text="wants to hear from us")


class ResponseBatchSerializer(serializers.Serializer):
    entries = ResponseEntrySerializer(many=True, max_length=MAX_BATCH, allow_empty=False)


class RejectedSerializer(serializers.Serializer):
    id = serializers.CharField(required=False)
    reason = serializers.CharField()
    answers = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="per survey question key, why its answer is refused"
    )


class ResponseBatchResultSerializer(serializers.Serializer):
    accepted = serializers.ListField(child=serializers.CharField(), help_text="ids stored (now or before)")
    rejected = RejectedSerializer(many=True)
    flagged = serializers.IntegerField(help_text="entries flagged for an implausible pace")
    supporters_rejected = RejectedSerializer(
        many=True, help_text='entries stored whose "wants to hear from us" could not be recorded, and why'
    )


@extend_schema(tags=["canvassing"])
class ResponseBatchView(APIView):
    """Record doorstep entries, one or a queued batch; idempotent per entry id.

    A batch (``{"entries": [...]}``) always answers 200 with each entry accepted or rejected (with its reason,
    per survey answer where those are at fault): the good entries of a batch are never dropped for a bad one,
    and the phone stops resending both. A single entry posted on its own answers 400 when it is rejected.
    """

    permission_classes = [permissions.IsAuthenticated]

    # A single entry's 400 is a ``RejectedSerializer``; the 400 documented for every endpoint (any object)
    # covers it and the serializer's own field errors alike.
    @extend_schema(request=ResponseBatchSerializer, responses=ResponseBatchResultSerializer)
    def post(self, request):
        single = isinstance(request.data, dict) and "entries" not in request.data
        batch = ResponseBatchSerializer(data={"entries": [request.data]} if single else request.data)
        batch.is_valid(raise_exception=True)
        entries = []
        for entry in batch.validated_data["entries"]:
            entry = dict(entry)
            entry["id"] = str(entry["id"])
            if entry.get("completes"):
                entry["completes"] = str(entry["completes"])
            if entry.get("recorded_at"):
                entry["recorded_at"] = entry["recorded_at"].isoformat()
            entries.append(entry)
        result = services.responses_record(user=request.user, entries=entries)
        if single and result.rejected:
            return Response(RejectedSerializer(result.rejected[0]).data, status=400)
        return Response(
            ResponseBatchResultSerializer(
                {
                    "accepted": result.accepted,
                    "rejected": result.rejected,
                    "flagged": result.flagged,
                    "supporters_rejected": result.supporters_rejected,
                }
            ).data
        )


class ElectorSerializer(serializers.ModelSerializer):
    polling_district = serializers.CharField(source="polling_district.code", read_only=True)
    elector_number = serializers.CharField(read_only=True)
    current_intention = serializers.CharField(source="current_intention.code", read_only=True, allow_null=True)

    class Meta:
        model = Elector
        fields = [
            "id",
            "campaign",
            "polling_district",
            "elector_number",
            "surname",
            "forenames",
            "markers",
            "attainer_date",
            "address_1",
            "address_2",
            "address_3",
            "postcode",
            "postal_voter",
            "proxy_voter",
            "current_outcome",
            "current_intention",
        ]


class ElectorFilter(django_filters.FilterSet):
    polling_district = django_filters.CharFilter(field_name="polling_district__code")

    class Meta:
        model = Elector
        fields = ["campaign", "polling_district"]


def _log_page(request, electors) -> None:
    for campaign_id, count in Counter(e.campaign_id for e in electors).items():
        services.access_log(
            campaign=campaign_id,
            user=request.user,
            action=AccessLog.Action.VIEW,
            electors=count,
            route=request.get_full_path(),
            via=services.request_via(request),
        )


@extend_schema(tags=["canvassing"])
class ElectorViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The register, for agents and organisers granted on a campaign; every read is logged."""

    queryset = Elector.objects.select_related("polling_district", "current_intention").order_by(
        "campaign", "polling_district__code", "number", "suffix"
    )
    serializer_class = ElectorSerializer
    filterset_class = ElectorFilter
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        organising = RegisterGrant.objects.filter(
            user_id=self.request.user.pk, level__in=services.ORGANISING_LEVELS
        ).values("campaign_id")
        return super().get_queryset().filter(campaign_id__in=organising)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        _log_page(request, list(page.object_list) if page is not None else [])
        return response

    def retrieve(self, request, *args, **kwargs):
        elector = self.get_object()
        _log_page(request, [elector])
        return Response(self.get_serializer(elector).data)


class WalkListSerializer(serializers.ModelSerializer):
    polling_district = serializers.CharField(source="polling_district.code", read_only=True)

    class Meta:
        model = WalkList
        fields = ["id", "campaign", "polling_district", "name", "sequence", "doors", "electors_count", "volunteer"]


@extend_schema(tags=["canvassing"])
class WalkListViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Walk lists: all of a campaign's for its agents and organisers, one's own for canvassers."""

    queryset = WalkList.objects.select_related("polling_district").order_by("campaign", "polling_district", "sequence")
    serializer_class = WalkListSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        user = self.request.user
        organising = RegisterGrant.objects.filter(user_id=user.pk, level__in=services.ORGANISING_LEVELS).values(
            "campaign_id"
        )
        mine = selectors.my_walk_lists(user).values("pk")
        queryset = super().get_queryset()
        return queryset.filter(campaign_id__in=organising) | queryset.filter(pk__in=mine)
