"""API serializers for accounts and teams."""

from rest_framework import serializers

from volunteers.models import Team, User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role"]
        read_only_fields = ["id", "email", "role"]


class TeamSerializer(serializers.ModelSerializer):
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "constituency", "lead"]
        read_only_fields = fields
