"""API routes of the volunteers app (under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from volunteers import api

router = SimpleRouter()
router.register("teams", api.TeamViewSet, basename="team")
router.register("volunteers", api.VolunteerViewSet, basename="volunteer")
router.register("shifts", api.ShiftViewSet, basename="shift")
router.register("signups", api.SignupViewSet, basename="signup")

urlpatterns = [path("me/", api.MeView.as_view(), name="me"), *router.urls]
