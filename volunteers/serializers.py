"""API serializers for accounts, teams, volunteers, shifts and sign-ups."""

from rest_framework import serializers

from volunteers.models import Shift, Signup, Team, User, VolunteerProfile


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


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer as organisers see them (their own record, for a volunteer)."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    home_constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = VolunteerProfile
        fields = [
            "id",
            "email",
            "full_name",
            "phone",
            "postcode",
            "home_constituency",
            "skills",
            "languages",
            "availability",
            "travel",
            "travel_miles",
            "last_active_at",
        ]
        read_only_fields = fields


class ShiftSerializer(serializers.ModelSerializer):
    constituency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    filled = serializers.IntegerField(read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "kind",
            "title",
            "constituency",
            "starts_at",
            "ends_at",
            "meeting_point",
            "capacity",
            "minimum",
            "filled",
            "places_left",
            "required_skills",
            "lead",
        ]
        read_only_fields = fields


class SignupSerializer(serializers.ModelSerializer):
    shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.all())
    confirm_overlap = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Signup
        fields = [
            "id",
            "shift",
            "volunteer",
            "status",
            "created_at",
            "promoted_at",
            "checked_in_at",
            "hours",
            "confirm_overlap",
        ]
        read_only_fields = ["id", "volunteer", "status", "created_at", "promoted_at", "checked_in_at", "hours"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only shifts the caller may see can be named: any other id is "does not exist", like a missing one.
            from volunteers.selectors import shifts_visible_to

            self.fields["shift"].queryset = shifts_visible_to(request.user)
