"""The JSON API under /api/v1."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .views import bp

    app.register_blueprint(bp)
    from . import contribute  # upload with an API token

    contribute.init_app(app)
