"""Issue 10 §5: with the mail server down, sign-up, resend and reset answer normally; the mail is kept and sent later.

These run against a real SMTP server on loopback (portal/tests/smtp.py), stopped and restarted. Account
e-mails are Message rows delivered by the durable worker (notifications.services.queue_email): the
root conftest.py runs the worker's task at commit, tests marked `db_tasks` leave it queued as in
production.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from accounts.tests.test_signup import SIGNUP_URL, signup_data
from notifications import services as notifications
from notifications.models import Message
from notifications.tasks import deliver_message

pytestmark = pytest.mark.django_db

RESEND_URL = reverse("accounts:resend_confirmation")


def the_sweep_after_the_pause() -> int:
    Message.objects.update(next_attempt_at=timezone.now())
    return notifications.messages_due()


def test_signup_with_the_mail_server_down_succeeds_and_the_link_is_sent_once_it_is_back(
    client, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
    user = User.objects.get(email="rina@example.com")
    [message] = Message.objects.all()
    assert (message.template, message.recipient, message.account) == ("accounts/emails/confirm_email", user.email, user)
    assert message.status == "pending" and message.last_error.startswith("ConnectionRefusedError")

    smtp_server.start()
    assert the_sweep_after_the_pause() == 1  # no resend needed: the mail was kept

    [sent] = smtp_server.messages
    assert sent["To"] == "rina@example.com" and "/akun/konfirmasi-email/" in sent.get_content()
    message.refresh_from_db()
    assert (message.status, message.body) == ("sent", "")


def test_resending_while_the_mail_server_refuses_answers_normally_and_the_refused_mail_is_retried(
    client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
    client.force_login(User.objects.get())
    smtp_server.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND_URL, follow=True)

    assert response.status_code == 200
    resent = Message.objects.latest("pk")
    assert (resent.status, resent.last_error) == ("pending", "SMTPDataError 451")
    assert len(smtp_server.messages) == 1  # only the sign-up's

    smtp_server.refuse = False
    assert the_sweep_after_the_pause() == 1
    assert [m["To"] for m in smtp_server.messages] == ["rina@example.com", "rina@example.com"]


def test_password_reset_with_the_mail_server_down_answers_the_usual_page_and_the_link_goes_later(
    client, patient, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": patient.email})

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = Message.objects.all()
    assert (message.template, message.status) == ("registration/password_reset", "pending")

    smtp_server.start()
    the_sweep_after_the_pause()
    [sent] = smtp_server.messages
    assert sent["To"] == patient.email and "/akun/reset/" in sent.get_content()


@pytest.mark.db_tasks  # queued for the worker as in production, not delivered at commit
@pytest.mark.django_db(transaction=True)
def test_in_autocommit_as_in_production_the_sign_up_never_waits_for_a_silent_mail_server(client, silent_smtp_port):
    """No captured callbacks: on_commit runs inside the request, as it does behind gunicorn; all it does
    is queue the worker's task, so the page answers without touching the mail server."""
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
    [message] = Message.objects.all()
    assert (message.status, message.attempts, message.recipient) == ("pending", 0, "rina@example.com")
    [task] = DBTaskResult.objects.filter(task_path=deliver_message.module_path)
    assert task.args_kwargs["args"] == [message.pk]

    # The worker, not the page, meets the silent server: it gives up and keeps the mail for later.
    assert notifications.message_deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.last_error.startswith(("TimeoutError", "SMTPServerDisconnected"))
