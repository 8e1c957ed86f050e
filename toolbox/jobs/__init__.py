"""Background jobs on Huey: the queue built from the settings, and the consumer that runs them.

What a job is and how far it got is kept in the database (``toolbox.models.Job``, managed by
``toolbox.services.jobs``); Huey only carries "run job N" from the process that made the job to
a worker. That keeps the queue replaceable and lets a lost message be sent again from the table.
"""
from __future__ import annotations

from .queue import queue_for, send

__all__ = ["queue_for", "send"]
