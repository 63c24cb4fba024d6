"""API routes of the canvassing app (under /api/v1/canvassing/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from canvassing import api
from canvassing.pollingday import api as polling_day_api

router = SimpleRouter()
router.register("canvassing/electors", api.ElectorViewSet, basename="elector")
router.register("canvassing/walk-lists", api.WalkListViewSet, basename="walk-list")

urlpatterns = [
    path("canvassing/responses/", api.ResponseBatchView.as_view(), name="canvass-responses"),
    path("canvassing/teller-entries/", polling_day_api.TellerBatchView.as_view(), name="teller-entries"),
    *router.urls,
]
