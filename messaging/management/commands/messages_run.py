"""Run messaging's periodic jobs once, now: due reminders, due digests, and (``--send``) send what is pending
in this process. For cron without Celery beat, and for the demo: ``manage.py messages_run --send`` and
read the mail in var/mail/ (or the SMTP server EMAIL_URL names).

``--digest-now`` sends this week's digest now to everyone still without one, whatever the schedules say; no
schedule changes (the ISO week's key keeps anyone from getting a second one when their schedule comes)."""

from django.core.management.base import BaseCommand

from messaging.delivery import deliver
from messaging.digests import digests_queue_due
from messaging.models import Outbox, OutboxStatus
from messaging.reminders import reminders_queue_due
from messaging.sms import TransientSendError
from organiser import clock


class Command(BaseCommand):
    help = "Write due reminders and digests to the outbox; with --send, send pending messages here and now."

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="send pending messages in this process")
        parser.add_argument(
            "--digest-now", action="store_true", help="send this week's digests now (no schedule changes)"
        )

    def handle(self, *args, send: bool, digest_now: bool, **options):
        now = clock.now()
        reminders = reminders_queue_due(now=now)
        digests = digests_queue_due(now=now, all_due=digest_now)
        self.stdout.write(f"{len(reminders)} reminder(s) and {digests} digest(s) written to the outbox")
        if send:
            ids = list(Outbox.objects.filter(status=OutboxStatus.PENDING).order_by("pk").values_list("pk", flat=True))
            try:
                result = deliver(ids)
            except TransientSendError as error:
                self.stderr.write(f"sending stopped, will be retried: {error}")
                return
            self.stdout.write(f"sent {len(result.sent)}, skipped {len(result.skipped)}, failed {len(result.failed)}")
