"""Page routes of conversations: the public support form, a supporter's own data behind an emailed link, and the
shift loop's links (no login: the signed token is the credential)."""

from django.urls import path

from conversations import views

app_name = "conversations"
urlpatterns = [
    path("support/", views.support, name="support"),
    path("support/thanks/", views.thanks, name="thanks"),
    path("support/my-data/", views.data_link, name="my_data"),
    path("support/my-data/<str:token>/", views.my_data_page, name="my_data_page"),
    path("support/my-data/<str:token>/my-data.json", views.my_data_json, name="my_data_json"),
    path("support/my-data/<str:token>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("support/my-data/<str:token>/delete/", views.delete, name="delete"),
    path("shift-answers/<str:token>/confirm/", views.shift_confirm, name="shift_confirm"),
    path("shift-answers/<str:token>/feedback/", views.shift_feedback, name="shift_feedback"),
]
