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
