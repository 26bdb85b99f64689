"""Settings of the Celery worker that integration tests start.

The project's settings, with Redis handing an unacknowledged task (its worker
was killed) to the next worker after seconds instead of an hour.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 15,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # A worker killed while holding the restore lock must not block the next one for minutes.
    "unacked_mutex_expire": 5,
}
