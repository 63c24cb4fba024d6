"""API serializers of conversations: supporters (as organisers see them), segments and a segment's people."""

from __future__ import annotations

from rest_framework import serializers

from campaigns.models import Constituency
from conversations.models import Segment, Supporter
from volunteers.models import Consent


class SupporterSerializer(serializers.ModelSerializer):
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agreed_to = serializers.SerializerMethodField()

    class Meta:
        model = Supporter
        fields = [
            "id", "full_name", "email", "phone", "postcode", "constituency", "language", "tags", "source",
            "agreed_to", "created_at", "last_active_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_agreed_to(self, supporter) -> list[str]:
        # Prefetched by the view as ``active_consents`` (no query per row).
        held = getattr(supporter, "active_consents", None)
        if held is None:
            held = Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True)
        return sorted(consent.channel for consent in held)


class SegmentSerializer(serializers.ModelSerializer):
    constituency = serializers.SlugRelatedField(
        slug_field="code", queryset=Constituency.objects.all(), required=False, allow_null=True
    )
    filters = serializers.JSONField(required=False, help_text='a SegmentFilter, e.g. {"skills": ["driving"]}')

    class Meta:
        model = Segment
        fields = ["id", "name", "constituency", "filters", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SegmentPersonSerializer(serializers.Serializer):
    """One person a segment holds now (a row of ``conversations.selectors.segments.segment_people``)."""

    kind = serializers.CharField(source="p_kind")
    person_id = serializers.IntegerField(source="p_person_id")
    name = serializers.CharField(source="p_name")
    email = serializers.CharField(source="p_email")
    phone = serializers.CharField(source="p_phone")
    last_active_at = serializers.DateTimeField(source="p_last_active_at", allow_null=True)
