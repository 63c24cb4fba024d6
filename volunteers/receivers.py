"""Signal receivers of the volunteers app: a login counts as activity ("last active" in the admin)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from volunteers.services import volunteer_touch


@receiver(user_logged_in)
def note_activity_on_login(sender, request, user, **kwargs) -> None:
    volunteer_touch(user=user)
