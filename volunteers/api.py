"""API views for accounts and teams (scoped by organiser.scope)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, viewsets

from organiser.api import ScopedQuerysetMixin
from volunteers.models import Team
from volunteers.serializers import MeSerializer, TeamSerializer


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
