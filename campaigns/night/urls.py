"""Routes of election night, included by campaigns.urls (names in the ``campaigns`` namespace)."""

from django.urls import path

from campaigns.night import views

urlpatterns = [
    path("organise/night/", views.latest, name="latest_night"),
    path("organise/<election:slug>/night/", views.board, name="night_board"),
    path("organise/<election:slug>/night/live/", views.board_live, name="night_board_live"),
    path("organise/<election:slug>/night/expected/", views.expected_import, name="night_expected"),
    path("organise/<election:slug>/night/seats/<seat_code:code>/", views.seat, name="night_seat"),
    path("organise/<election:slug>/night/seats/<seat_code:code>/live/", views.seat_live, name="night_seat_live"),
    path("elections/<election:slug>/night/", views.public_night, name="public_night"),
    path("elections/<election:slug>/night/live/", views.public_night_live, name="public_night_live"),
]
