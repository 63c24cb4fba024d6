"""People: the custom user with its role, seat grants for seat organisers, and teams."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    NATIONAL_ORGANISER = "national_organiser", "National organiser"
    SEAT_ORGANISER = "seat_organiser", "Seat organiser"
    TEAM_LEAD = "team_lead", "Team lead"
    VOLUNTEER = "volunteer", "Volunteer"


ORGANISER_ROLES = frozenset({Role.NATIONAL_ORGANISER, Role.SEAT_ORGANISER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=Role.NATIONAL_ORGANISER)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Everyone logs in by email; ``role`` decides what they may see (organiser.scope)."""

    scope_owner_path = "pk"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VOLUNTEER)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin (organisers).")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_national_organiser(self) -> bool:
        return self.is_active and (self.role == Role.NATIONAL_ORGANISER or self.is_superuser)

    @property
    def is_organiser(self) -> bool:
        return self.is_active and (self.role in ORGANISER_ROLES or self.is_superuser)


class SeatGrant(models.Model):
    """Grants a seat organiser one constituency."""

    scope_seat_path = "constituency"
    scope_national_change = True

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="seat_grants")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.CASCADE, related_name="grants")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "constituency"], name="unique_seat_grant")]

    def __str__(self) -> str:
        return f"{self.user} → {self.constituency}"


class Team(models.Model):
    """A team of volunteers working one seat, with a lead."""

    scope_seat_path = "constituency"
    scope_lead_path = "lead"

    name = models.CharField(max_length=200)
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.PROTECT, related_name="teams")
    lead = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams_led")
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["constituency__name", "name"]

    def __str__(self) -> str:
        return self.name
