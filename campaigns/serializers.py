"""API serializers for elections, seats, results, candidacies, endorsements and targets (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from campaigns.models import Candidacy, Constituency, Election, Endorsement, Result, Target


class ElectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Election
        fields = ["slug", "name", "date"]


class SeatSerializer(serializers.ModelSerializer):
    class Meta:
        model = Constituency
        fields = ["code", "name", "nation", "region_code", "region_name", "constituency_type", "hex_q", "hex_r"]


class CandidacySerializer(serializers.ModelSerializer):
    election = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    dc_person_id = serializers.IntegerField(source="person.dc_person_id", read_only=True, allow_null=True)
    party = serializers.CharField(source="party_label", read_only=True)
    party_abbreviation = serializers.CharField(source="abbreviation", read_only=True)

    class Meta:
        model = Candidacy
        fields = [
            "id",
            "election",
            "constituency",
            "name",
            "dc_person_id",
            "party",
            "party_abbreviation",
            "votes",
            "elected",
        ]


class ResultSerializer(serializers.ModelSerializer):
    election = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    constituency_name = serializers.CharField(source="constituency.name", read_only=True)
    winner = CandidacySerializer(read_only=True)
    turnout = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Result
        fields = [
            "election",
            "constituency",
            "constituency_name",
            "electorate",
            "valid_votes",
            "invalid_votes",
            "majority",
            "turnout",
            "result_text",
            "declared_at",
            "winner",
        ]


class EndorsementSerializer(serializers.ModelSerializer):
    election = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    constituency_name = serializers.CharField(source="constituency.name", read_only=True)
    candidate = serializers.CharField(source="candidacy.person.name", read_only=True)
    party = serializers.CharField(source="candidacy.party_label", read_only=True)

    class Meta:
        model = Endorsement
        fields = ["election", "constituency", "constituency_name", "candidate", "party", "statement", "updated_at"]


class TargetSerializer(serializers.ModelSerializer):
    election = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    constituency_name = serializers.CharField(source="constituency.name", read_only=True)
    tier_label = serializers.CharField(source="get_tier_display", read_only=True)

    class Meta:
        model = Target
        fields = [
            "election",
            "constituency",
            "constituency_name",
            "score",
            "tier",
            "tier_label",
            "reasons",
            "computed_at",
        ]


class PartySummarySerializer(serializers.Serializer):
    abbreviation = serializers.CharField()
    name = serializers.CharField()
    colour = serializers.CharField()
    seats = serializers.IntegerField()
    votes = serializers.IntegerField()
    candidates = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    election = ElectionSerializer()
    seats = serializers.IntegerField()
    votes = serializers.IntegerField()
    electorate = serializers.IntegerField(allow_null=True)
    valid_votes = serializers.IntegerField(allow_null=True)
    invalid_votes = serializers.IntegerField(allow_null=True)
    turnout = serializers.FloatField(allow_null=True)
    parties = PartySummarySerializer(many=True)
