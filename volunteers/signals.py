"""What the volunteers app tells the rest of Organiser, as signals it defines and sends; other apps connect to
them (messaging in its ``AppConfig.ready``), so volunteers imports none of them: the dependency runs one way.

The sign-up signals are sent inside the change's transaction, with ``signup=``: a receiver's writes (an outbox
row) commit with the change or not at all, and an exception from a receiver undoes the change.
"""

from django.dispatch import Signal

#: A place on a shift was taken (confirmed, or on the waiting list).
signup_made = Signal()
#: A place on a shift was given up (sent only when the volunteer is to be told).
signup_cancelled = Signal()
#: A waiting volunteer got a place.
signup_promoted = Signal()
#: Asked with ``user=`` before a page says whether shift emails will reach them: a receiver answers False when
#: they will not (no receiver, as without messaging, means no shift emails).
shift_emails_wanted = Signal()


def shift_emails_reach(user) -> bool:
    """Whether a shift's confirmation and reminders will reach ``user``: some app sends them and none says no."""
    answers = [answer for _receiver, answer in shift_emails_wanted.send(sender=None, user=user)]
    return bool(answers) and all(answers)
