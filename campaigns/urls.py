"""Page routes of the campaigns app: public pages under /elections/, organiser pages under /organise/."""

from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("elections/<str:slug>/", views.summary, name="summary"),
    path("elections/<str:slug>/endorsements/", views.endorsed, name="endorsed"),
    path("endorsements/find/", views.find_endorsement, name="find"),
    path("organise/<str:slug>/seats/", views.seat_list, name="seats"),
    path("organise/<str:slug>/seats/<str:code>/", views.seat_detail, name="seat"),
    path("organise/<str:slug>/map/", views.hex_map, name="map"),
    path("organise/<str:slug>/scatter/", views.scatter, name="scatter"),
    path("organise/<str:slug>/targets/", views.targets, name="targets"),
]
