"""`manage.py replay_results_night`: rehearse election night on the real 2024 results.

Serves the Commons Library's 2024 files as a results feed that grows declaration by declaration over a few
accelerated hours (campaigns.night.replay), for the results feed poller (set ``RESULTS_FEED_URL`` to the two
URLs it prints) or, with ``--poll``, polling it itself through the same service the beat task calls.
``--rewind`` first takes the election back to the close of poll (its results, declarations and count reports
deleted, its candidates' votes cleared: the replay brings them all back)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Election
from campaigns.night.replay import FeedServer, Night, Replay
from campaigns.night.services import night_reset
from campaigns.services.demo import ELECTION_2024
from campaigns.services.feed import results_feed_poll
from organiser import clock


class Command(BaseCommand):
    help = "Serve the 2024 results as a feed that grows declaration by declaration (a rehearsal of the night)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--election", default=ELECTION_2024, help="the election to rehearse (its slug)")
        parser.add_argument("--hours", type=float, default=3.0, help="real hours the night takes (default 3)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765, help="0 for a free port")
        parser.add_argument("--rewind", action="store_true", help="take the election back to the close of poll first")
        parser.add_argument("--poll", type=float, default=0, help="also poll the feed every this many seconds")
        parser.add_argument("--seats", type=int, default=0, help="replay only the first N seats to declare")

    def handle(self, *args, **options) -> None:
        if options["hours"] <= 0:
            raise CommandError("--hours must be more than 0")
        election = Election.objects.filter(slug=options["election"]).first()
        if election is None:
            raise CommandError(f"no election {options['election']!r}: load it first (manage.py load_demo)")
        if options["rewind"]:
            cleared = night_reset(election=election)
            self.stdout.write("rewound to the close of poll: " + ", ".join(f"{v} {k}" for k, v in cleared.items()))
        night = Night(hours=options["hours"])
        if options["seats"]:
            night = Night(hours=options["hours"], only={d.code for d in night.order[: options["seats"]]})
        try:
            server = FeedServer(Replay(night), options["host"], options["port"]).start()
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc.strerror}") from None
        last = night.seconds_at(night.order[-1])
        self.stdout.write(f"{len(night.order)} declarations over {last / 3600:.2f} hours; the feed is:")
        self.stdout.write("RESULTS_FEED_URL=" + ",".join(server.urls))
        self.stdout.flush()
        declared = 0
        try:
            while True:
                now = len(server.replay.declared_codes())
                if now != declared:
                    declared = now
                    self.stdout.write(f"{clock.local():%H:%M:%S} {declared} of {len(night.order)} declared")
                if options["poll"]:
                    report = results_feed_poll(url=server.urls, election=election)
                    if report is not None and report.changed:
                        self.stdout.write(f"imported: {report.summary()}")
                if server.replay.elapsed() > last + max(options["poll"], 1) * 2:
                    break
                time.sleep(options["poll"] or 1)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        self.stdout.write("the night is over" if declared == len(night.order) else "stopped")
