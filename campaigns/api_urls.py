"""API routes of the campaigns app (under /api/v1/)."""

urlpatterns: list = []
