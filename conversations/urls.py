"""Page routes of conversations: the public support form, a supporter's own data behind an emailed link, the
shift loop's links (no login: the signed token is the credential), call and text assignments (organisers make them
under /organise/, callers and texters work them under /calls/ and /texts/), and the SMS provider's webhook."""

from django.urls import path

from conversations import call_views, views

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
    path("organise/calls/", call_views.assignments, name="assignments"),
    path("organise/calls/new/", call_views.assignment_new, name="assignment_new"),
    path("organise/calls/tps/", call_views.tps_import, name="tps_import"),
    path("organise/calls/<int:pk>/", call_views.assignment, name="assignment"),
    path("organise/texts/new/", call_views.text_assignment_new, name="text_assignment_new"),
    path("organise/texts/<int:pk>/", call_views.text_assignment, name="text_assignment"),
    path("calls/", call_views.my_calls, name="my_calls"),
    path("calls/<int:pk>/", call_views.call, name="call"),
    path("calls/<int:pk>/outcome/", call_views.call_outcome, name="call_outcome"),
    path("texts/<int:pk>/", call_views.texting, name="texting"),
    path("texts/conversations/<int:pk>/", call_views.text_conversation, name="text_conversation"),
    path("sms/inbound/", call_views.sms_inbound, name="sms_inbound"),
]
