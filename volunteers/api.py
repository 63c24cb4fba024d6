"""API views for accounts, teams, volunteers, shifts and sign-ups (scoped by organiser.scope).

Refusals answer 4xx with a reason: 404 for rows out of scope, 409 with a ``code`` when a sign-up cannot be
made or cancelled (full shift → waiting list is not a refusal; an overlap is, until confirmed).
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organiser import scope
from organiser.api import ScopedQuerysetMixin
from volunteers import selectors, services
from volunteers.models import Shift, Signup, Team, VolunteerProfile
from volunteers.serializers import MeSerializer, ShiftSerializer, SignupSerializer, TeamSerializer, VolunteerSerializer


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in account."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user


@extend_schema(tags=["teams"])
class TeamViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Teams: organisers see the teams of their seats, leads the teams they lead."""

    queryset = Team.objects.select_related("constituency").order_by("pk")
    serializer_class = TeamSerializer
    filterset_fields = ["constituency__code"]


@extend_schema(tags=["volunteers"])
class VolunteerViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteers: organisers see those of their seats (by home seat); a volunteer sees themself."""

    queryset = VolunteerProfile.objects.select_related("user", "home_constituency").order_by("pk")
    serializer_class = VolunteerSerializer
    filterset_fields = ["home_constituency__code", "travel"]


class ShiftFilter(django_filters.FilterSet):
    day = django_filters.DateFilter(field_name="starts_at", lookup_expr="date")
    seat = django_filters.CharFilter(field_name="constituency__code")

    class Meta:
        model = Shift
        fields = ["kind", "day", "seat"]


@extend_schema(tags=["shifts"])
class ShiftViewSet(viewsets.ReadOnlyModelViewSet):
    """Shifts: every signed-in user sees the upcoming ones; organisers and leads also past ones in scope."""

    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        shifts = selectors.shifts_visible_to(self.request.user)
        return selectors.shifts_with_places(shifts).select_related("constituency").order_by("starts_at", "pk")


class SignupPermission(permissions.BasePermission):
    """Anyone signed in may sign themself up; cancelling needs organiser.scope's change right on the row."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or scope.can_change(request.user, obj)


@extend_schema(tags=["signups"])
class SignupViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Sign-ups: a volunteer's own; a lead's shifts'; an organiser's seats'. POST signs the caller up."""

    queryset = Signup.objects.select_related("shift").order_by("pk")
    serializer_class = SignupSerializer
    permission_classes = [SignupPermission]
    filterset_fields = ["status", "shift"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shift = serializer.validated_data["shift"]
        # A refusal (SignupError, OverlapWarning with the shifts it overlaps) is a 409 with its reason:
        # organiser.errors.api_exception_handler.
        signup = services.signup_create(
            shift=shift, volunteer=request.user, allow_overlap=serializer.validated_data["confirm_overlap"]
        )
        return Response(self.get_serializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SignupSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel this sign-up (the first on the waiting list gets the place)."""
        signup = self.get_object()
        signup = services.signup_cancel(signup=signup, by=request.user)
        return Response(self.get_serializer(signup).data)
