"""Page routes of messaging."""

from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("volunteer/messages/", views.preferences, name="preferences"),
]
