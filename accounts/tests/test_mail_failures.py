"""Issue 10 §5: with the mail server down, sign-up and resend answer normally; the resend works later.

These run against a real SMTP server on loopback (portal/tests/smtp.py), stopped and restarted.
"""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db

RESEND_URL = reverse("accounts:resend_confirmation")


def test_signup_with_the_mail_server_down_succeeds_logs_and_the_resend_works_once_it_is_back(
    client, smtp_server, caplog, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with caplog.at_level(logging.ERROR, logger="portal.lib.mail"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
    assert User.objects.filter(email="rina@example.com").exists()
    assert "e-mail accounts/emails/confirm_email not sent: ConnectionRefusedError" in caplog.text

    smtp_server.start()
    client.force_login(User.objects.get())  # the person signs in with the password they chose
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND_URL)

    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "rina@example.com" and "/akun/konfirmasi-email/" in message.get_content()


def test_resending_while_the_mail_server_refuses_answers_normally(
    client, smtp_server, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
    client.force_login(User.objects.get())
    smtp_server.refuse = True
    with caplog.at_level(logging.ERROR, logger="portal.lib.mail"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND_URL, follow=True)

    assert response.status_code == 200
    assert "not sent: SMTPDataError 451" in caplog.text
    assert len(smtp_server.messages) == 1  # only the sign-up's


def test_password_reset_with_the_mail_server_down_answers_the_usual_page(
    client, patient, smtp_server, caplog, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with caplog.at_level(logging.ERROR, logger="portal.lib.mail"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": patient.email})

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "registration/password_reset not sent" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_as_in_production_a_dead_mail_server_still_answers_the_sign_up(client, smtp_server, caplog):
    """No captured callbacks: on_commit runs inside the request, as it does behind gunicorn."""
    smtp_server.stop()
    with caplog.at_level(logging.ERROR, logger="portal.lib.mail"):
        response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
    assert "confirm_email not sent" in caplog.text

    smtp_server.start()
    client.force_login(User.objects.get(email="rina@example.com"))
    assert client.post(RESEND_URL).status_code == 302
    assert [m["To"] for m in smtp_server.messages] == ["rina@example.com"]
