"""The Flask-Login manager, created unbound like the other extensions."""
from __future__ import annotations

from flask_login import LoginManager

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
