"""The account service: password policy and hashing, authentication, sessions, invitations, tokens."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, Invitation, User
from toolbox.services import users as user_service
from toolbox.services.users import (
    AccountError,
    InvitationError,
    PasswordPolicyError,
    api_token_create,
    api_token_revoke,
    invitation_accept,
    invitation_create,
    password_change,
    password_check,
    user_authenticate_detailed,
    user_create,
    user_deactivate,
    user_for_api_token,
    user_invite,
    user_reactivate,
    user_set_role,
)

from conftest import DEFAULT_PASSWORD, make_user

GOOD = "Drei Linden vor dem Rathaus"


@pytest.mark.parametrize("password", ["kurz", "elf Zeichen", ""])
def test_short_password_is_rejected(app, password):
    """A password needs at least 12 characters."""
    with app.app_context(), pytest.raises(PasswordPolicyError, match="mindestens 12 Zeichen"):
        password_check(password)


@pytest.mark.parametrize("password", ["passwort1234", "Passwort1234", "SCHALKE041904", "hallo1234567",
                                      "qwertzuiop123", "123456789012", "aaaaaaaaaaaaaaaa"])
def test_common_password_is_rejected(app, password):
    """A password from the list of the most common ones is rejected, regardless of case."""
    with app.app_context(), pytest.raises(PasswordPolicyError, match="verbreitet"):
        password_check(password)


def test_common_password_list_is_substantial_and_german():
    """The shipped list holds about a thousand passwords, German favourites included."""
    passwords = user_service.common_passwords()
    assert len(passwords) >= 1000
    assert {"passwort", "hallo123", "schalke04", "123456", "qwertz"} <= passwords


def test_password_containing_the_email_is_rejected(app):
    """The e-mail address (its local part) must not be part of the password."""
    with app.app_context(), pytest.raises(PasswordPolicyError, match="E-Mail-Adresse"):
        password_check("xx-mueller.anna-2026-xx", email="mueller.anna@example.org")


def test_good_passphrase_is_accepted(app):
    """A long, uncommon passphrase passes, umlauts included."""
    with app.app_context():
        password_check(GOOD)
        password_check("Grüße aus Groß-Umstadt!")


def test_password_is_stored_as_argon2id_hash(app):
    """Passwords are stored only as salted Argon2id hashes, with RFC 9106's low-memory profile
    (64 MiB, three passes, four lanes) everywhere but in a test app that asks for less work."""
    app.config["TOOLBOX_PASSWORD_HASH_FAST"] = False
    first = make_user(app, "a@example.org", password=GOOD)
    second = make_user(app, "b@example.org", password=GOOD)
    with app.app_context():
        hashes = [db.session.get(User, uid).password_hash for uid in (first, second)]
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes)
    assert GOOD not in hashes[0]
    assert hashes[0] != hashes[1]


def test_authenticate(app):
    """Only the right password of an active account authenticates; the address is case-insensitive."""
    uid = make_user(app, "Anna.Schmidt@Example.org", password=GOOD)
    with app.app_context():
        assert user_authenticate_detailed("anna.schmidt@example.org", GOOD).user.id == uid
        assert user_authenticate_detailed(" ANNA.SCHMIDT@example.org ", GOOD).user.id == uid
        assert user_authenticate_detailed("anna.schmidt@example.org", GOOD + "x").user is None
        assert user_authenticate_detailed("niemand@example.org", GOOD).user is None
        assert user_authenticate_detailed("anna.schmidt@example.org", "").user is None


def test_user_without_password_cannot_log_in(app):
    """An invited account without a password cannot authenticate with any password."""
    make_user(app, "neu@example.org", password=None)
    with app.app_context():
        assert user_authenticate_detailed("neu@example.org", "").user is None
        assert user_authenticate_detailed("neu@example.org", "None").user is None


@pytest.mark.parametrize("email, role, message", [
    ("keine-adresse", "contributor", "gültige E-Mail-Adresse"),
    ("a@b", "contributor", "gültige E-Mail-Adresse"),
    ("ok@example.org", "superuser", "Unbekannte Rolle"),
])
def test_user_create_validates(app, email, role, message):
    """Invalid addresses and unknown roles are refused with a German message."""
    with app.app_context(), pytest.raises(AccountError, match=message):
        user_create(email, role, password=GOOD)


def test_duplicate_email_is_refused(app):
    """An address can hold one account only, whatever its case."""
    make_user(app, "doppelt@example.org")
    with app.app_context(), pytest.raises(AccountError, match="bereits ein Konto"):
        user_create("Doppelt@Example.org", "editor", password=GOOD)


def test_deactivated_users_open_session_ends_at_once(app, client, auth):
    """Deactivating an account logs out its open sessions with the very next request."""
    uid = make_user(app, "weg@example.org")
    make_user(app, "admin@example.org", role="admin")
    auth.login("weg@example.org")
    assert client.get("/account").status_code == 200
    with app.app_context():
        user_deactivate(db.session.get(User, uid))
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    with app.app_context():
        user_reactivate(db.session.get(User, uid))
    # Reactivation does not revive the old session either.
    assert client.get("/account").status_code == 302
    assert auth.login("weg@example.org").status_code == 302
    assert client.get("/account").status_code == 200


def test_deactivated_user_cannot_log_in(app, auth):
    """A deactivated account cannot log in, even with the right password."""
    uid = make_user(app, "gesperrt@example.org")
    with app.app_context():
        user_deactivate(db.session.get(User, uid))
    response = auth.login("gesperrt@example.org")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, auth):
    """Changing the password keeps this session and ends every other one."""
    make_user(app, "wechsel@example.org")
    other = app.test_client()
    other.post("/login", data={"email": "wechsel@example.org", "password": DEFAULT_PASSWORD})
    assert other.get("/account").status_code == 200
    auth.login("wechsel@example.org")
    response = auth._client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": GOOD, "password_repeat": GOOD})
    assert response.status_code == 302
    assert auth._client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    with app.app_context():
        assert user_authenticate_detailed("wechsel@example.org", GOOD).user is not None
        assert user_authenticate_detailed("wechsel@example.org", DEFAULT_PASSWORD).user is None


def test_password_change_requires_current_password(app, client, auth):
    """The password page refuses a wrong current password and keeps the old one."""
    make_user(app, "alt@example.org")
    auth.login("alt@example.org")
    response = client.post("/account/password", data={
        "current_password": "falsch-falsch-falsch", "password": GOOD, "password_repeat": GOOD})
    assert response.status_code == 200
    assert "Das aktuelle Passwort ist falsch" in response.get_data(as_text=True)
    with app.app_context():
        assert user_authenticate_detailed("alt@example.org", DEFAULT_PASSWORD).user is not None
        with pytest.raises(AccountError):
            password_change(user_service.user_by_email("alt@example.org"), GOOD, current_password="falsch")


def test_password_change_applies_the_policy(app, client, auth):
    """The new password must meet the policy and be repeated exactly."""
    make_user(app, "policy@example.org")
    auth.login("policy@example.org")
    weak = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "passwort1234", "password_repeat": "passwort1234"})
    assert "zu verbreitet" in weak.get_data(as_text=True)
    mismatch = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": GOOD, "password_repeat": GOOD + "!"})
    assert "stimmen nicht überein" in mismatch.get_data(as_text=True)


# --- invitations -----------------------------------------------------------------------------


def _invite(app, email="eingeladen@example.org", role="contributor") -> str:
    with app.app_context():
        _user, token = user_invite(email, role, name="Eva Eingeladen")
        return token


def test_invitation_link_is_single_use(app, client, auth):
    """The invitation link sets the password once and logs the person in (no typing the address
    again); a second use gets 410 with a German message."""
    token = _invite(app)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200
    assert "eingeladen@example.org" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post(f"/invite/{token}", data={"name": "Eva", "password": GOOD, "password_repeat": GOOD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    account = client.get("/account")
    assert account.status_code == 200 and "eingeladen@example.org" in account.get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["invite_used", "login"]
    auth.logout()
    assert auth.login("eingeladen@example.org", GOOD).status_code == 302
    again = client.get(f"/invite/{token}")
    assert again.status_code == 410
    assert "bereits verwendet" in again.get_data(as_text=True)
    reuse = app.test_client().post(f"/invite/{token}", data={
        "password": "Ein ganz anderes Passwort", "password_repeat": "Ein ganz anderes Passwort"})
    assert reuse.status_code == 410
    with app.app_context():
        assert user_authenticate_detailed("eingeladen@example.org", GOOD).user is not None


def test_invitation_service_refuses_second_use(app):
    """The service itself refuses to accept the same token twice."""
    token = _invite(app)
    with app.app_context():
        invitation_accept(token, GOOD)
        with pytest.raises(InvitationError) as info:
            invitation_accept(token, "Noch ein anderes Passwort")
        assert info.value.reason == "used"
        assert user_authenticate_detailed("eingeladen@example.org", GOOD).user is not None


def test_expired_invitation_is_refused(app, client, monkeypatch):
    """After its lifetime (default 7 days) the link gets 410 with "abgelaufen" and sets nothing."""
    token = _invite(app)
    later = datetime.now(timezone.utc) + timedelta(days=7, minutes=1)
    monkeypatch.setattr(user_service, "now", lambda: later)
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410
    assert "abgelaufen" in page.get_data(as_text=True)
    post = client.post(f"/invite/{token}", data={"password": GOOD, "password_repeat": GOOD})
    assert post.status_code == 410
    with app.app_context():
        assert user_service.user_by_email("eingeladen@example.org").password_hash is None


def test_invitation_still_valid_just_before_expiry(app, client, monkeypatch):
    """The link works until its expiry time."""
    token = _invite(app)
    almost = datetime.now(timezone.utc) + timedelta(days=6, hours=23)
    monkeypatch.setattr(user_service, "now", lambda: almost)
    assert client.get(f"/invite/{token}").status_code == 200


def test_invitation_lifetime_is_configurable(app):
    """TOOLBOX_INVITATION_DAYS sets how long a new link is valid."""
    app.config["TOOLBOX_INVITATION_DAYS"] = 2
    _invite(app)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        lifetime = invitation.expires_at - invitation.created_at
    assert lifetime == timedelta(days=2)


def test_invitation_stored_only_as_hash(app):
    """The database holds the SHA-256 of the token, never the token itself."""
    token = _invite(app)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_unknown_invitation_token_is_404(client):
    """A made-up link gets a clear 404 page."""
    response = client.get("/invite/ausgedacht")
    assert response.status_code == 404
    assert "ungültig" in response.get_data(as_text=True)


def test_new_invitation_replaces_the_old_one(app, client):
    """Creating a new link for the same person makes the earlier link unusable."""
    first = _invite(app)
    with app.app_context():
        second = invitation_create(user_service.user_by_email("eingeladen@example.org"))
    assert client.get(f"/invite/{first}").status_code == 410
    assert client.get(f"/invite/{second}").status_code == 200


def test_weak_password_keeps_invitation_open(app, client):
    """A password refused by the policy shows the reason and leaves the link usable."""
    token = _invite(app)
    response = client.post(f"/invite/{token}", data={"password": "passwort1234", "password_repeat": "passwort1234"})
    assert response.status_code == 200
    assert "zu verbreitet" in response.get_data(as_text=True)
    assert client.get(f"/invite/{token}").status_code == 200


def test_invitation_for_deactivated_account_is_refused(app, client):
    """A link for an account deactivated in the meantime no longer works."""
    token = _invite(app)
    make_user(app, "chef@example.org", role="admin")
    with app.app_context():
        user_deactivate(user_service.user_by_email("eingeladen@example.org"))
    assert client.get(f"/invite/{token}").status_code == 410


# --- roles -----------------------------------------------------------------------------------


def test_last_admin_cannot_be_deactivated_or_demoted(app):
    """At least one active admin always remains."""
    uid = make_user(app, "einzig@example.org", role="admin")
    with app.app_context():
        admin = db.session.get(User, uid)
        with pytest.raises(AccountError, match="letzte aktive Administrationskonto"):
            user_deactivate(admin, actor=admin)
        with pytest.raises(AccountError, match="letzte aktive Administrationskonto"):
            user_set_role(admin, "editor", actor=admin)
        assert admin.active and admin.role == "admin"


def test_one_of_two_admins_can_be_demoted(app):
    """With a second active admin, an admin can be demoted or deactivated."""
    first = make_user(app, "eins@example.org", role="admin")
    second = make_user(app, "zwei@example.org", role="admin")
    with app.app_context():
        user_set_role(db.session.get(User, first), "editor")
        assert db.session.get(User, first).role == "editor"
        with pytest.raises(AccountError):
            user_deactivate(db.session.get(User, second))


def test_deactivated_admin_does_not_count_as_remaining_admin(app):
    """A deactivated admin does not satisfy the last-admin guard."""
    first = make_user(app, "aktiv@example.org", role="admin")
    second = make_user(app, "inaktiv@example.org", role="admin")
    with app.app_context():
        user_deactivate(db.session.get(User, second))
        with pytest.raises(AccountError):
            user_set_role(db.session.get(User, first), "contributor")


# --- API tokens ------------------------------------------------------------------------------


def test_api_token_identifies_its_user_until_revoked(app):
    """A token finds its active owner; after revocation or deactivation it finds nobody."""
    uid = make_user(app, "api@example.org")
    make_user(app, "admin@example.org", role="admin")
    with app.app_context():
        user = db.session.get(User, uid)
        token = api_token_create(user)
        assert user.api_token_hash and token not in user.api_token_hash
        assert user_for_api_token(token).id == uid
        assert user_for_api_token(token + "x") is None
        assert user_for_api_token("") is None
        assert user_for_api_token(None) is None
        api_token_revoke(user)
        assert user_for_api_token(token) is None
        token = api_token_create(user)
        user_deactivate(user)
        assert user_for_api_token(token) is None


def test_new_api_token_replaces_old(app):
    """Creating a token invalidates the previous one."""
    uid = make_user(app, "api2@example.org")
    with app.app_context():
        user = db.session.get(User, uid)
        old = api_token_create(user)
        new = api_token_create(user)
        assert user_for_api_token(old) is None
        assert user_for_api_token(new).id == uid


def test_account_page_shows_new_token_once(app, client, auth):
    """The account page shows a new token once and afterwards only that one exists."""
    make_user(app, "konto@example.org")
    auth.login("konto@example.org")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Projektleitung" in page.get_data(as_text=True)
    created = client.post("/account/token")
    assert created.status_code == 200
    text = created.get_data(as_text=True)
    start = text.index("tbx_")
    token = text[start:text.index("<", start)]
    assert created.headers["Cache-Control"] == "no-store"
    assert token not in client.get("/account").get_data(as_text=True)
    with app.app_context():
        assert user_for_api_token(token).email == "konto@example.org"
    client.post("/account/token/revoke")
    with app.app_context():
        assert user_for_api_token(token) is None


def _api_token_for(app, email: str) -> str:
    with app.app_context():
        return api_token_create(user_service.user_by_email(email))


def _revocations(app, email: str) -> list[AuditEntry]:
    with app.app_context():
        user_id = user_service.user_by_email(email).id
        return list(db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "api_token_revoke", AuditEntry.object_id == user_id)))


def test_password_change_revokes_the_api_token(app, client, auth):
    """Who changes the password suspects it is known: the token made under it stops working, the
    audit log says so and the page tells the user."""
    make_user(app, "skript@example.org")
    token = _api_token_for(app, "skript@example.org")
    auth.login("skript@example.org")
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": GOOD, "password_repeat": GOOD}, follow_redirects=True)
    assert "Ihr API-Schlüssel wurde widerrufen" in response.get_data(as_text=True)
    with app.app_context():
        assert user_for_api_token(token) is None
    assert len(_revocations(app, "skript@example.org")) == 1


def test_password_reset_through_a_link_revokes_the_api_token(app, client):
    """A new invitation link that resets the password also ends the account's API token."""
    make_user(app, "vergessen@example.org")
    token = _api_token_for(app, "vergessen@example.org")
    with app.app_context():
        link_token = invitation_create(user_service.user_by_email("vergessen@example.org"))
    assert client.post(f"/invite/{link_token}", data={"password": GOOD, "password_repeat": GOOD}).status_code == 302
    with app.app_context():
        assert user_for_api_token(token) is None
    assert len(_revocations(app, "vergessen@example.org")) == 1


def test_logout_keeps_the_api_token(app, client, auth):
    """A script's token is not tied to a browser session: logging out leaves it working."""
    make_user(app, "bleibt@example.org")
    token = _api_token_for(app, "bleibt@example.org")
    auth.login("bleibt@example.org")
    assert auth.logout().status_code == 302
    with app.app_context():
        assert user_for_api_token(token).email == "bleibt@example.org"
    assert _revocations(app, "bleibt@example.org") == []


def test_account_page_revokes_the_token_with_csrf_and_audit(app):
    """The account page's revoke button is a POST that needs its CSRF token and is audited."""
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    make_user(app, "widerruf@example.org")
    token = _api_token_for(app, "widerruf@example.org")
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": "widerruf@example.org", "password": DEFAULT_PASSWORD, "csrf_token": csrf})
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/token/revoke"' in page and "API-Schlüssel widerrufen" in page
    assert client.post("/account/token/revoke").status_code == 400
    with app.app_context():
        assert user_for_api_token(token) is not None
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/account/token/revoke", data={"csrf_token": csrf}).status_code == 302
    with app.app_context():
        assert user_for_api_token(token) is None
    assert len(_revocations(app, "widerruf@example.org")) == 1
