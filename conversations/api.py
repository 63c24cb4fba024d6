"""API of conversations under /api/v1/: supporters (read, scoped) and segments (saved, changed, deleted through
``conversations.services.segments``; their people evaluated now by the one segment filter).

Refusals answer 4xx with a reason: 404 for rows out of scope, 400 naming each bad field or filter, 403 where the
caller may not write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from conversations.models import Segment, Supporter
from conversations.selectors import segments as selectors
from conversations.serializers import SegmentPersonSerializer, SegmentSerializer, SupporterSerializer
from conversations.services import segments as services
from organiser.api import ScopedQuerysetMixin
from volunteers.models import Consent


def _as_api_error(error: Exception) -> exceptions.APIException:
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(error))
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return exceptions.ValidationError(detail)


@extend_schema(tags=["supporters"])
class SupporterViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Supporters: organisers see those of their seats; national organisers all."""

    queryset = (
        Supporter.objects.select_related("constituency")
        .prefetch_related(
            Prefetch("consents", queryset=Consent.objects.filter(withdrawn_at__isnull=True), to_attr="active_consents")
        )
        .order_by("pk")
    )
    serializer_class = SupporterSerializer
    filterset_fields = ["constituency__code", "source"]


@extend_schema(tags=["segments"])
class SegmentViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Segments: saved filters over volunteers and supporters; ``people`` evaluates one now."""

    queryset = Segment.objects.select_related("constituency").order_by("pk")
    serializer_class = SegmentSerializer
    filterset_fields = ["constituency__code"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.segment_create(
                name=data["name"], constituency=data.get("constituency"), filters=data.get("filters") or {},
                user=self.request.user,
            )  # fmt: skip
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _as_api_error(error) from None

    def perform_update(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.segment_update(
                segment=serializer.instance,
                user=self.request.user,
                name=data.get("name"),
                constituency=data.get("constituency", ...),
                filters=data.get("filters"),
            )
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise _as_api_error(error) from None

    def perform_destroy(self, instance):
        try:
            services.segment_delete(segment=instance, user=self.request.user)
        except DjangoPermissionDenied as error:
            raise _as_api_error(error) from None

    @extend_schema(responses=SegmentPersonSerializer(many=True))
    @action(detail=True, methods=["get"])
    def people(self, request, pk=None):
        """Who the segment holds now, for the caller (volunteers and supporters, by name; paginated)."""
        segment = self.get_object()
        page = self.paginate_queryset(selectors.segment_people(segment=segment, user=request.user))
        return self.get_paginated_response(SegmentPersonSerializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED)
