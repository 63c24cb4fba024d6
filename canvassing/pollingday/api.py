"""The tellers' batch upload under /api/v1/canvassing/teller-entries/: what the tellers' screen sends from its
offline queue when there is signal. Idempotent per entry id, like the doorstep's responses."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from canvassing.pollingday import services
from organiser.api import ObjectIdField


class TellerEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="made on the phone; a resend with the same id is stored once")
    station = ObjectIdField(help_text="the polling station the teller stands at")
    numbers = serializers.CharField(
        max_length=200, help_text="as typed: 124, 124/1, KA-124, or a range KA 120-130; several with commas"
    )
    taken_at = serializers.DateTimeField(required=False, help_text="when the number was taken (phone clock)")


class TellerBatchSerializer(serializers.Serializer):
    entries = TellerEntrySerializer(many=True, max_length=services.MAX_TELLER_BATCH, allow_empty=False)


class TellerRejectedSerializer(serializers.Serializer):
    id = serializers.CharField(required=False)
    reason = serializers.CharField()


class TellerRefusedSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    reason = serializers.CharField()


class TellerBatchResultSerializer(serializers.Serializer):
    accepted = serializers.ListField(child=serializers.CharField(), help_text="entry ids stored (now or before)")
    rejected = TellerRejectedSerializer(many=True, help_text="entries refused whole, and why")
    recorded = serializers.IntegerField(help_text="numbers new in the entries stored now")
    duplicates = serializers.IntegerField(help_text="numbers recorded before (by anyone), ignored")
    refused = TellerRefusedSerializer(many=True, help_text="numbers of stored entries that were not recorded")


@extend_schema(tags=["canvassing"])
class TellerBatchView(APIView):
    """Record tellers' numbers, a queued batch at a time; always 200 with each entry accepted or rejected."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=TellerBatchSerializer, responses=TellerBatchResultSerializer)
    def post(self, request):
        batch = TellerBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        entries = [
            {**entry, "id": str(entry["id"]), "taken_at": entry.get("taken_at")}
            for entry in batch.validated_data["entries"]
        ]
        result = services.teller_entries_record(user=request.user, entries=entries)
        return Response(TellerBatchResultSerializer(result).data)
