"""Messaging listens to the apps it speaks for: each receiver here is connected to a signal the other app
defines (:mod:`volunteers.signals`), so those apps never import messaging. Connected in ``MessagingConfig.ready``."""

from django.dispatch import receiver

from messaging import services
from messaging.models import MessagePreference
from volunteers import signals


@receiver(signals.signup_made, dispatch_uid="messaging.signup_made")
def _signup_made(sender, signup, **kwargs) -> None:
    services.signup_made(signup)


@receiver(signals.signup_cancelled, dispatch_uid="messaging.signup_cancelled")
def _signup_cancelled(sender, signup, **kwargs) -> None:
    services.signup_cancelled(signup)


@receiver(signals.signup_promoted, dispatch_uid="messaging.signup_promoted")
def _signup_promoted(sender, signup, **kwargs) -> None:
    services.signup_promoted(signup)


@receiver(signals.shift_emails_wanted, dispatch_uid="messaging.shift_emails_wanted")
def _shift_emails_wanted(sender, user, **kwargs) -> bool:
    """Service messages need no marketing consent, only the "reminders" preference left on."""
    return not MessagePreference.objects.filter(user=user, reminders=False).exists()
