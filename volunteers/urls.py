"""Page routes of the volunteers app."""

from django.urls import path

from volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("volunteer/", views.home, name="home"),
    path("volunteer/profile/", views.profile_edit, name="profile"),
    path("volunteer/my-data.json", views.my_data, name="my_data"),
    path("volunteer/delete/", views.delete_account, name="delete_account"),
    path("volunteer/calendar/", views.calendar_feed_rotate, name="calendar_rotate"),
    path("calendar/<str:token>/shifts.ics", views.calendar_feed, name="calendar_feed"),
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/sign-up/", views.shift_signup, name="shift_signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("signups/<int:pk>/shift.ics", views.signup_ics, name="signup_ics"),
    path("lead/", views.lead_shifts, name="lead_shifts"),
    path("lead/team/", views.team, name="team"),
    path("lead/shifts/<int:pk>/check-in/", views.check_in, name="check_in"),
]
