"""Page routes of the canvassing app, under /canvass/."""

from django.urls import path

from canvassing import views

app_name = "canvassing"
urlpatterns = [
    path("canvass/", views.campaign_list, name="campaigns"),
    path("canvass/sw.js", views.service_worker, name="service_worker"),
    path("canvass/offline/", views.offline, name="offline"),
    path("canvass/my-lists/", views.my_lists, name="my_lists"),
    path("canvass/<int:pk>/", views.campaign_home, name="campaign"),
    path("canvass/<int:pk>/register/", views.register, name="register"),
    path("canvass/<int:pk>/register.csv", views.register_export, name="register_export"),
    path("canvass/<int:pk>/import/", views.register_upload, name="import"),
    path("canvass/<int:pk>/import/<int:job>/", views.register_import_job, name="import_job"),
    path("canvass/<int:pk>/import/<int:job>/mapping/", views.register_import_mapping, name="import_mapping"),
    path("canvass/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("canvass/<int:pk>/flagged/", views.flagged, name="flagged"),
    path("canvass/<int:pk>/lists/", views.walk_lists, name="walk_lists"),
    path("canvass/<int:pk>/lists/merge/", views.walk_lists_merge, name="walk_lists_merge"),
    path("canvass/<int:pk>/polling-day/", views.polling_day, name="polling_day"),
    path("canvass/<int:pk>/knock-up/<str:code>/", views.knock_up, name="knock_up"),
    path("canvass/<int:pk>/postal-chase/", views.postal_chase, name="postal_chase"),
    path("canvass/lists/<int:pk>/", views.walk_list_print, name="walk_list"),
    path("canvass/lists/<int:pk>/split/", views.walk_list_split, name="walk_list_split"),
    path("canvass/lists/<int:pk>/assign/", views.walk_list_assign, name="walk_list_assign"),
    path("canvass/lists/<int:pk>/take/", views.walk_list_take, name="walk_list_take"),
    path("canvass/lists/<int:pk>/doorstep/", views.doorstep, name="doorstep"),
    path("canvass/lists/<int:pk>/data.json", views.walk_list_data, name="walk_list_data"),
]

# Polling day, live (canvassing.pollingday).
from canvassing.pollingday import views as polling_day_views  # noqa: E402

urlpatterns += [
    path("canvass/<int:pk>/committee-room/", polling_day_views.board, name="committee_room"),
    path("canvass/<int:pk>/committee-room/round/", polling_day_views.round_cut, name="knock_up_round"),
    path("canvass/<int:pk>/tellers/", polling_day_views.tellers, name="tellers"),
    path("canvass/<int:pk>/stations/", polling_day_views.stations, name="stations"),
    path("canvass/<int:pk>/lifts/", polling_day_views.lifts, name="lifts"),
    path("canvass/<int:pk>/lifts/<int:lift>/", polling_day_views.lift_change, name="lift_change"),
    path("canvass/<int:pk>/votes-to-win/", polling_day_views.votes_to_win, name="votes_to_win"),
    path("canvass/my-lifts/", polling_day_views.my_lifts, name="my_lifts_driver"),
    path("canvass/my-lifts/<int:lift>/", polling_day_views.my_lift_answer, name="my_lift_answer"),
]
