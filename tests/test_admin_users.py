"""Account administration under /admin/users: list, invite, role, deactivate and reactivate."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from toolbox.extensions import db
from toolbox.models import AuditEntry, User
from toolbox.permissions import PermissionDenied
from toolbox.services import users as user_service

from conftest import make_user

ADMIN = "admin@example.org"
PASSWORD = "Ein Passwort aus dem Einladungslink"


@pytest.fixture
def admin_client(app, client, auth):
    make_user(app, ADMIN, role="admin")
    assert auth.login(ADMIN).status_code == 302
    return client


def _user(app, email: str) -> User:
    with app.app_context():
        user = user_service.user_by_email(email)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("role, status", [("contributor", 403), ("editor", 403)])
def test_user_pages_are_for_admins_only(app, client, auth, role, status):
    """Contributors and editors get 403 on every account-administration page and action."""
    make_user(app, "x@example.org", role=role)
    target = make_user(app, "target@example.org")
    auth.login("x@example.org")
    assert client.get("/admin/users").status_code == status
    assert client.get("/admin/audit").status_code == status
    assert client.post("/admin/users", data={"email": "neu@example.org", "role": "admin"}).status_code == status
    assert client.post(f"/admin/users/{target}/role", data={f"u{target}-role": "admin"}).status_code == status
    assert client.post(f"/admin/users/{target}/deactivate").status_code == status
    assert _user(app, "target@example.org").role == "contributor"
    assert _user(app, "target@example.org").active


def test_visitor_is_sent_to_login(client):
    """A visitor asking for the user list is sent to the login page."""
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_user_list_shows_accounts_and_roles(app, admin_client):
    """The list shows every account with its role and status."""
    make_user(app, "projekt@example.org", name="Paula Projekt")
    make_user(app, "neu@example.org", password=None)
    text = admin_client.get("/admin/users").get_data(as_text=True)
    assert "projekt@example.org" in text and "Paula Projekt" in text
    assert "eingeladen, Passwort noch nicht gesetzt" in text
    assert "Projektleitung" in text and "Administration" in text


def test_invite_shows_a_working_one_time_link(app, admin_client):
    """Inviting creates the account and shows the link once; the link sets the password."""
    response = admin_client.post("/admin/users", data={
        "email": "Neue.Redakteurin@Example.org", "name": "Nora Neu", "role": "editor"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    link = re.search(r"http://127\.0\.0\.1:5000(/invite/[\w-]+)", text).group(1)
    assert "7 Tage" in text
    user = _user(app, "neue.redakteurin@example.org")
    assert user.role == "editor" and user.name == "Nora Neu" and user.password_hash is None
    invitee = app.test_client()
    assert invitee.post(link, data={"password": PASSWORD, "password_repeat": PASSWORD}).status_code == 302
    assert invitee.post("/login", data={"email": "neue.redakteurin@example.org", "password": PASSWORD}).status_code == 302
    assert link not in admin_client.get("/admin/users").get_data(as_text=True)


def test_invite_link_uses_configured_base_url(app, admin_client):
    """With TOOLBOX_BASE_URL the link carries the public address, not the request's host."""
    app.config["TOOLBOX_BASE_URL"] = "https://toolbox.hessen.example"
    text = admin_client.post("/admin/users", data={"email": "b@example.org", "role": "contributor"}).get_data(
        as_text=True)
    assert re.search(r"https://toolbox\.hessen\.example/invite/[\w-]+", text)


@pytest.mark.parametrize("data, message", [
    ({"email": "kaputt", "role": "contributor"}, "gültige E-Mail-Adresse"),
    ({"email": ADMIN, "role": "contributor"}, "bereits ein Konto"),
    ({"email": "", "role": "contributor"}, "Bitte geben Sie die E-Mail-Adresse ein"),
    ({"email": "ok@example.org", "role": "kaiser"}, "Keine gültige Auswahl"),
])
def test_invalid_invitation_is_refused_with_message(app, admin_client, data, message):
    """A bad address, a taken address or an unknown role is refused next to the field (400)."""
    response = admin_client.post("/admin/users", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert "/invite/" not in text


def test_change_role(app, admin_client):
    """An admin changes a role; the change is audited with old and new role."""
    uid = make_user(app, "aufstieg@example.org")
    response = admin_client.post(f"/admin/users/{uid}/role", data={f"u{uid}-role": "editor"})
    assert response.status_code == 302
    assert _user(app, "aufstieg@example.org").role == "editor"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role_change"))
        assert entry.details == {"from": "contributor", "to": "editor"}
        assert entry.user.email == ADMIN and entry.object_id == uid


def test_last_admin_cannot_demote_or_deactivate_themselves(app, admin_client):
    """The only admin cannot demote or lock themselves; the page says why."""
    admin_id = _user(app, ADMIN).id
    response = admin_client.post(f"/admin/users/{admin_id}/role", data={f"u{admin_id}-role": "editor"},
                                 follow_redirects=True)
    assert "letzte aktive Administrationskonto" in response.get_data(as_text=True)
    response = admin_client.post(f"/admin/users/{admin_id}/deactivate", follow_redirects=True)
    assert "letzte aktive Administrationskonto" in response.get_data(as_text=True)
    admin = _user(app, ADMIN)
    assert admin.role == "admin" and admin.active
    assert admin_client.get("/admin/users").status_code == 200


def test_admin_cannot_demote_or_deactivate_themselves_even_with_another_admin(app, admin_client):
    """Stepping down once led straight to a 403; now another admin has to do it, and the page
    offers neither a role form nor a deactivate button on one's own row."""
    make_user(app, "zweite@example.org", role="admin")
    admin_id = _user(app, ADMIN).id
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{admin_id}/role" not in page
    assert f"/admin/users/{admin_id}/deactivate" not in page
    response = admin_client.post(f"/admin/users/{admin_id}/role", data={f"u{admin_id}-role": "editor"},
                                 follow_redirects=True)
    assert response.status_code == 200
    assert "Sie können Ihre eigene Administrationsrolle nicht entfernen" in response.get_data(as_text=True)
    response = admin_client.post(f"/admin/users/{admin_id}/deactivate", follow_redirects=True)
    assert "Sie können Ihr eigenes Konto nicht deaktivieren." in response.get_data(as_text=True)
    admin = _user(app, ADMIN)
    assert admin.role == "admin" and admin.active
    second = _user(app, "zweite@example.org")
    with app.app_context():
        user_service.user_set_role(db.session.get(User, admin_id), "editor", actor=db.session.get(User, second.id))
    assert _user(app, ADMIN).role == "editor"
    assert admin_client.get("/admin/users").status_code == 403


def test_deactivate_and_reactivate(app, admin_client):
    """Deactivation locks the account and ends its session; reactivation lets it log in again."""
    uid = make_user(app, "projekt@example.org")
    victim = app.test_client()
    victim.post("/login", data={"email": "projekt@example.org", "password": "Sichere-Passphrase-2026"})
    assert victim.get("/account").status_code == 200
    assert admin_client.post(f"/admin/users/{uid}/deactivate").status_code == 302
    assert not _user(app, "projekt@example.org").active
    assert victim.get("/account").status_code == 302
    assert "deaktiviert" in admin_client.get("/admin/users").get_data(as_text=True)
    assert admin_client.post(f"/admin/users/{uid}/reactivate").status_code == 302
    assert _user(app, "projekt@example.org").active
    assert victim.post("/login", data={"email": "projekt@example.org",
                                       "password": "Sichere-Passphrase-2026"}).status_code == 302


def test_reinvite_resets_password_via_new_link(app, admin_client):
    """A new link lets a user who forgot the password set a new one."""
    uid = make_user(app, "vergesslich@example.org")
    text = admin_client.post(f"/admin/users/{uid}/invite").get_data(as_text=True)
    link = re.search(r"http://127\.0\.0\.1:5000(/invite/[\w-]+)", text).group(1)
    app.test_client().post(link, data={"password": PASSWORD, "password_repeat": PASSWORD})
    with app.app_context():
        assert user_service.user_authenticate_detailed("vergesslich@example.org", PASSWORD).user is not None


def test_unknown_user_is_404(app, admin_client):
    """Actions on a user id that does not exist answer 404."""
    assert admin_client.post("/admin/users/9999/deactivate").status_code == 404
    assert admin_client.post("/admin/users/9999/role", data={"u9999-role": "editor"}).status_code == 404


def test_services_refuse_non_admin_actor(app):
    """The services check the acting user's role themselves, not only the views."""
    editor = make_user(app, "ed@example.org", role="editor")
    target = make_user(app, "t@example.org")
    with app.app_context():
        actor = db.session.get(User, editor)
        user = db.session.get(User, target)
        with pytest.raises(PermissionDenied):
            user_service.user_set_role(user, "admin", actor=actor)
        with pytest.raises(PermissionDenied):
            user_service.user_deactivate(user, actor=actor)
        with pytest.raises(PermissionDenied):
            user_service.invitation_create(user, actor=actor)
        with pytest.raises(PermissionDenied):
            user_service.user_invite("neu@example.org", "admin", actor=actor)
