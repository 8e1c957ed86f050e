"""What the consumer runs: thin, the use case is ``toolbox.services.jobs.job_run``."""
from __future__ import annotations

from flask import Flask


def run_job(app: Flask, job_id: int, *, request_id: str | None = None) -> None:
    from ..request_log import bind_request_id, unbind_request_id
    from ..services.jobs import job_run

    token = bind_request_id(request_id)
    try:
        with app.app_context():
            job_run(job_id)
    finally:
        unbind_request_id(token)


def send_submission_digests(app: Flask) -> None:
    from ..services.notifications import submission_digests_send

    with app.app_context():
        submission_digests_send()


def send_alert_digests(app: Flask) -> None:
    from ..services.alerts import alert_digests_send

    with app.app_context():
        alert_digests_send()


def expire_alert_requests(app: Flask) -> None:
    from ..services.alerts import alert_requests_expire

    with app.app_context():
        alert_requests_expire()
