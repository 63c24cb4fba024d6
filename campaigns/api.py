"""The campaigns API under /api/v1/: public reads of elections, seats, results, candidates, endorsements and the
national summary; targets for organisers (scoped). Every queryset goes through organiser.scope."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import selectors, serializers
from campaigns.models import Candidacy, Constituency, Election, Endorsement, Result, Target
from organiser.api import ScopedQuerysetMixin, UTCDateTimeFilter


class ElectionViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Election.objects.order_by("-date")
    serializer_class = serializers.ElectionSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_.]+"

    @extend_schema(responses=serializers.SummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, slug=None):
        """Seats and votes per party and turnout (Labour and Labour Co-op together; independents as Ind)."""
        election = self.get_object()
        return Response(serializers.SummarySerializer(selectors.election_summary(election=election)).data)


class SeatFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_code")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Constituency
        fields = ["nation", "region", "q"]


class SeatViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Constituency.objects.order_by("name")
    serializer_class = serializers.SeatSerializer
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]{1,9}"
    filterset_class = SeatFilter


class ByElectionFilter(django_filters.FilterSet):
    election = django_filters.CharFilter(field_name="election__slug")
    constituency = django_filters.CharFilter(field_name="constituency__code")


class ResultFilter(ByElectionFilter):
    declared_since = UTCDateTimeFilter(field_name="declared_at", lookup_expr="gte")

    class Meta:
        model = Result
        fields = ["election", "constituency", "declared_since"]


class ResultViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Result.objects.select_related(
        "election", "constituency", "winner__person", "winner__party", "winner__election", "winner__constituency"
    ).order_by("constituency__name", "pk")
    serializer_class = serializers.ResultSerializer
    filterset_class = ResultFilter


class CandidacyFilter(ByElectionFilter):
    class Meta:
        model = Candidacy
        fields = ["election", "constituency", "elected"]


class CandidacyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Candidacy.objects.select_related("election", "constituency", "person", "party").order_by(
        "constituency__name", "-votes", "pk"
    )
    serializer_class = serializers.CandidacySerializer
    filterset_class = CandidacyFilter


class EndorsementFilter(ByElectionFilter):
    class Meta:
        model = Endorsement
        fields = ["election", "constituency"]


class EndorsementViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Published endorsements for everyone; organisers also see proposals in their seats."""

    queryset = Endorsement.objects.select_related(
        "election", "constituency", "candidacy__person", "candidacy__party"
    ).order_by("constituency__name", "pk")
    serializer_class = serializers.EndorsementSerializer
    filterset_class = EndorsementFilter


class TargetFilter(ByElectionFilter):
    class Meta:
        model = Target
        fields = ["election", "constituency", "tier"]


class IsOrganiser(permissions.BasePermission):
    message = "Targets are for organisers."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_organiser)


class TargetViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Target.objects.select_related("election", "constituency").order_by("-score", "constituency__name")
    serializer_class = serializers.TargetSerializer
    filterset_class = TargetFilter
    permission_classes = [IsOrganiser]
