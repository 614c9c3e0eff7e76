"""The mail helper: named templates, sent after commit, links from SITE_URL, failures logged not raised."""

from __future__ import annotations

import logging

import pytest
from django.core import mail as outbox
from django.db import transaction
from django.utils import translation

from portal.lib import mail

pytestmark = pytest.mark.django_db

TEMPLATE = "accounts/emails/password_changed_notice"
LOGGER = "portal.lib.mail"
CONTEXT = {"user": {"full_name": "Sari Wulandari"}, "reset_link": "http://example.test/reset/"}


def test_a_named_template_gives_a_one_line_subject_and_the_text_body(settings):
    settings.HOSPITAL_NAME = "RSUD Contoh"
    with translation.override("en"):
        subject, body = mail.render(TEMPLATE, CONTEXT)

    assert subject == "Your password at RSUD Contoh was changed"
    assert "Hello Sari Wulandari," in body and "http://example.test/reset/" in body


def test_links_are_built_from_site_url_whatever_the_request(settings):
    settings.SITE_URL = "https://antrean.rsud.example/"

    assert mail.absolute_url("password_reset") == "https://antrean.rsud.example/akun/lupa-password/"
    assert mail.absolute_url("accounts:confirm_email", "abc") == (
        "https://antrean.rsud.example/akun/konfirmasi-email/abc/"
    )


def test_mail_waits_for_the_commit_and_is_dropped_on_rollback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail.send(TEMPLATE, to="sari@example.com", context=CONTEXT)
        assert outbox.outbox == []
        with pytest.raises(RuntimeError), transaction.atomic():
            mail.send(TEMPLATE, to="joko@example.com", context=CONTEXT)
            raise RuntimeError("the write failed")

    assert [m.to for m in outbox.outbox] == [["sari@example.com"]]


def test_mail_is_written_in_the_language_of_the_request_that_asked(django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        with translation.override("id"):
            mail.send(TEMPLATE, to="sari@example.com", context=CONTEXT)

    assert outbox.outbox[0].subject.startswith("Kata sandi akun Anda")


def test_mail_reaches_a_real_smtp_server(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail.send(TEMPLATE, to=["sari@example.com"], context=CONTEXT)

    [message] = smtp_server.messages
    assert message["To"] == "sari@example.com"
    assert "Sari Wulandari" in message.get_content()


def test_a_mail_server_that_is_down_is_logged_without_the_address_and_raises_nothing(
    smtp_server, caplog, django_capture_on_commit_callbacks
):
    smtp_server.stop()
    with caplog.at_level(logging.ERROR, logger=LOGGER), django_capture_on_commit_callbacks(execute=True):
        mail.send(TEMPLATE, to="sari@example.com", context=CONTEXT)

    [record] = caplog.records
    assert record.getMessage().startswith(f"e-mail {TEMPLATE} not sent: ConnectionRefusedError")
    assert "sari@example.com" not in caplog.text


def test_a_mail_server_that_refuses_the_message_is_logged_with_its_code(
    smtp_server, caplog, django_capture_on_commit_callbacks
):
    smtp_server.refuse = True
    with caplog.at_level(logging.ERROR, logger=LOGGER), django_capture_on_commit_callbacks(execute=True):
        mail.send(TEMPLATE, to="sari@example.com", context=CONTEXT)

    assert "not sent: SMTPDataError 451" in caplog.text and smtp_server.messages == []


def test_a_mail_server_that_never_answers_is_given_up_on(silent_smtp_port, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.ERROR, logger=LOGGER), django_capture_on_commit_callbacks(execute=True):
        mail.send(TEMPLATE, to="sari@example.com", context=CONTEXT)

    assert "not sent: TimeoutError" in caplog.text or "not sent: SMTPServerDisconnected" in caplog.text
