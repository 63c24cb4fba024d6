"""Page routes of the campaigns app: public pages under /elections/, organiser pages under /organise/."""

from django.urls import include, path, register_converter

from campaigns import views
from campaigns.night.caching import public_cached


class ElectionSlugConverter:
    """A Democracy Club election id (``parl.2024-07-04``); anything else is not a page (404, not a query)."""

    regex = r"[-a-zA-Z0-9_.]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SeatCodeConverter(ElectionSlugConverter):
    """An ONS constituency code such as ``E14001300``."""

    regex = r"[A-Za-z0-9]{1,9}"


register_converter(ElectionSlugConverter, "election")
register_converter(SeatCodeConverter, "seat_code")

app_name = "campaigns"
urlpatterns = [
    # The latest election's pages, for links that must not name one (the navigation).
    path("elections/latest/", views.latest, {"page": "summary"}, name="latest"),
    path("organise/seats/", views.latest, {"page": "seats"}, name="latest_seats"),
    path("organise/map/", views.latest, {"page": "map"}, name="latest_map"),
    path("organise/targets/", views.latest, {"page": "targets"}, name="latest_targets"),
    path("elections/<election:slug>/", views.summary, name="summary"),
    path("elections/<election:slug>/map/", views.public_map, name="public_map"),
    # Served from the shared cache to anonymous visitors on election night (campaigns.night.caching).
    path("elections/<election:slug>/seats/<seat_code:code>/", public_cached(views.public_seat), name="public_seat"),
    path("elections/<election:slug>/endorsements/", views.endorsed, name="endorsed"),
    path("endorsements/find/", views.find_endorsement, name="find"),
    path("organise/<election:slug>/seats/", views.seat_list, name="seats"),
    path("organise/<election:slug>/seats/<seat_code:code>/", views.seat_detail, name="seat"),
    path("organise/<election:slug>/map/", views.hex_map, name="map"),
    path("organise/<election:slug>/scatter/", views.scatter, name="scatter"),
    path("organise/<election:slug>/targets/", views.targets, name="targets"),
    path("", include("campaigns.night.urls")),
]
