"""API routes of the campaigns app (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from campaigns import api

router = SimpleRouter()
router.register("elections", api.ElectionViewSet, basename="election")
router.register("seats", api.SeatViewSet, basename="seat")
router.register("results", api.ResultViewSet, basename="result")
router.register("candidates", api.CandidacyViewSet, basename="candidate")
router.register("endorsements", api.EndorsementViewSet, basename="endorsement")
router.register("targets", api.TargetViewSet, basename="target")

urlpatterns = router.urls
