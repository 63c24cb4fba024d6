"""Settings for the worker processes of messaging's exactly-once tests: the test settings, with the broker's
unacknowledged-message bookkeeping kept under keys of this test's own (``MESSAGING_TEST_QUEUE``).

A worker restores every unacknowledged message older than its visibility timeout; with the tests' short
timeout and kombu's shared default keys it would also restore messages that other runs' workers hold.
Keys of its own keep the short timeout to this test's messages."""

import os

from tests.settings import *  # noqa: F403

_queue = os.environ["MESSAGING_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_key": f"unacked-{_queue}",
    "unacked_index_key": f"unacked_index-{_queue}",
    "unacked_mutex_key": f"unacked_mutex-{_queue}",
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
