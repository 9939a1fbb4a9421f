"""Structured request logs: one JSON object per request on standard error.

Fields: time (UTC), method, path, status, ms (server time), user (id or null), remote address,
and the request id a proxy sent in X-Request-ID. Never bodies, query strings or passwords.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime

import orjson
from flask import Flask, g, request

logger = logging.getLogger("annotator.requests")


def init_app(app: Flask) -> None:
    if not app.config.get("LOG_REQUESTS"):
        return
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    # Here, not at the top: a command's app (no request logs) need not import Flask-Login.
    from flask_login import current_user

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        # The account id only: get_id() also carries the session fingerprint, not for logs.
        user = current_user.id if current_user and current_user.is_authenticated else None
        logger.info(
            orjson.dumps(
                {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                    "user": user,
                    "remote": request.remote_addr,
                    "request_id": request.headers.get("X-Request-ID"),
                }
            ).decode()
        )
        return response
