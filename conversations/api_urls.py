"""API routes of conversations (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from conversations import api

router = SimpleRouter()
router.register("supporters", api.SupporterViewSet, basename="supporter")
router.register("segments", api.SegmentViewSet, basename="segment")

urlpatterns = router.urls
