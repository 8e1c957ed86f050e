"""``toolbox create-user``: the first admin and other accounts from the command line."""
from __future__ import annotations

import pytest

import os
import re
import subprocess
import sys
from pathlib import Path

from toolbox.cli import cli
from toolbox.services.users import user_authenticate_detailed, user_by_email

PASSWORD = "Ein langes Passwort für den Start"


def test_create_user_prints_one_time_link(app, runner, client):
    """Without --password-stdin the account is created without password and a working link printed."""
    result = runner.invoke(cli, ["create-user", "Erste.Admin@Example.org", "--role", "admin", "--name", "Erste Admin"])
    assert result.exit_code == 0, result.output
    assert "Konto angelegt" in result.output
    match = re.search(r"http://127\.0\.0\.1:5000(/invite/[\w-]+)", result.output)
    assert match, result.output
    with app.app_context():
        user = user_by_email("erste.admin@example.org")
        assert user.role == "admin" and user.name == "Erste Admin" and user.password_hash is None
    response = client.post(match.group(1), data={"password": PASSWORD, "password_repeat": PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        assert user_authenticate_detailed("erste.admin@example.org", PASSWORD).user is not None
    assert client.get(match.group(1)).status_code == 410


def test_create_user_mails_the_invitation_and_still_prints_the_link(app_config, tmp_path, monkeypatch):
    """As the admin page does, the command mails the link (through the outbox and the worker) to
    the new account, and prints the same link for when no mail arrives."""
    from conftest import running_app
    from job_helpers import running_consumer, wait_for_jobs
    from mail_helpers import SmtpServer

    server = SmtpServer()
    server.start()
    monkeypatch.setenv("TOOLBOX_INSTANCE_DIR", str(tmp_path / "instance"))
    try:
        with running_app({**app_config, "MAIL_URL": server.url}) as mail_app:
            result = mail_app.test_cli_runner().invoke(
                cli, ["create-user", "kaemmerei@kreis.example", "--role", "editor", "--name", "Frau Kurz",
                      "--base-url", "https://toolbox.kreis.example"])
            assert result.exit_code == 0, result.output
            assert "kaemmerei@kreis.example" in result.output and "toolbox worker" in result.output
            printed = re.search(r"https://toolbox\.kreis\.example/invite/[\w-]+", result.output).group(0)
            with running_consumer(mail_app):
                wait_for_jobs(mail_app, timeout=60)
        [mail] = server.inbox.arrived
        assert mail.to == "kaemmerei@kreis.example"
        assert mail.subject == "Einladung zur Smart Region Toolbox"
        assert "Guten Tag Frau Kurz," in mail.text
        assert mail.link("/invite/") == printed
    finally:
        server.stop()


def test_create_user_link_uses_base_url(app, runner):
    """--base-url (or TOOLBOX_BASE_URL) sets the address in the printed link."""
    result = runner.invoke(cli, ["create-user", "b@example.org", "--role", "editor",
                                 "--base-url", "https://toolbox.example/"])
    assert result.exit_code == 0, result.output
    assert re.search(r"https://toolbox\.example/invite/[\w-]+", result.output)


def test_create_user_with_password_from_stdin(app, runner):
    """--password-stdin sets the password at once and prints no link."""
    result = runner.invoke(cli, ["create-user", "c@example.org", "--role", "contributor", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "/invite/" not in result.output
    with app.app_context():
        assert user_authenticate_detailed("c@example.org", PASSWORD).user is not None


def test_create_user_refuses_invalid_role(app, runner):
    """An unknown role exits non-zero with a message naming the valid roles."""
    result = runner.invoke(cli, ["create-user", "d@example.org", "--role", "chef"])
    assert result.exit_code == 1
    assert "Unbekannte Rolle" in result.output and "contributor, editor, admin" in result.output
    with app.app_context():
        assert user_by_email("d@example.org") is None


def test_create_user_refuses_duplicate_and_weak_password(app, runner):
    """A taken address or a common password exits non-zero with the reason."""
    assert runner.invoke(cli, ["create-user", "e@example.org", "--role", "editor"]).exit_code == 0
    duplicate = runner.invoke(cli, ["create-user", "E@example.org", "--role", "admin"])
    assert duplicate.exit_code == 1
    assert "bereits ein Konto" in duplicate.output
    weak = runner.invoke(cli, ["create-user", "f@example.org", "--role", "admin", "--password-stdin"],
                         input="passwort1234\n")
    assert weak.exit_code == 1
    assert "verbreitet" in weak.output


@pytest.mark.slow  # real `toolbox` processes: migration and a full-cost password hash
def test_toolbox_command_creates_first_admin(tmp_path, app_config):
    """The installed ``toolbox`` command creates the first admin on a fresh database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLBOX_")}
    env.update({
        "TOOLBOX_SECRET_KEY": "cli-test",
        "TOOLBOX_BASE_URL": "http://127.0.0.1:5000",
        "TOOLBOX_DATABASE_URL": app_config["DATABASE_URL"],
        "TOOLBOX_DOCUMENTS_DIR": app_config["DOCUMENTS_DIR"],
        "TOOLBOX_INDEX_DIR": app_config["INDEX_DIR"],
        "TOOLBOX_INSTANCE_DIR": str(tmp_path / "instance"),
    })
    toolbox = Path(sys.executable).with_name("toolbox")
    result = subprocess.run([str(toolbox), "create-user", "root@example.org", "--role", "admin", "--password-stdin"],
                            input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    again = subprocess.run([str(toolbox), "create-user", "root@example.org", "--role", "admin"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode != 0
    assert "bereits ein Konto" in again.stderr
