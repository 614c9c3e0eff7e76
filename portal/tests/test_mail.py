"""The mail helper: named templates, links from SITE_URL, one send call whose failures say why without addresses.

Queueing and delivery by the worker are tested in notifications/tests/test_account_email.py.
"""

from __future__ import annotations

import smtplib

import pytest
from django.utils import translation

from portal.lib import mail

pytestmark = pytest.mark.django_db

TEMPLATE = "accounts/emails/password_changed_notice"
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


def test_a_rendered_mail_reaches_a_real_smtp_server(smtp_server):
    mail.send_rendered("Halo", "Hello Sari Wulandari,", ["sari@example.com"])

    [message] = smtp_server.messages
    assert (message["To"], message["Subject"]) == ("sari@example.com", "Halo")
    assert "Sari Wulandari" in message.get_content()


def test_a_mail_server_that_is_down_raises_and_its_reason_names_no_address(smtp_server):
    smtp_server.stop()
    with pytest.raises(ConnectionRefusedError) as failure:
        mail.send_rendered("Halo", "Hello", ["sari@example.com"])

    assert mail.failure_reason(failure.value).startswith("ConnectionRefusedError")
    assert "sari@example.com" not in mail.failure_reason(failure.value)


def test_a_refusal_keeps_the_servers_code_in_its_reason(smtp_server):
    smtp_server.refuse = True
    with pytest.raises(smtplib.SMTPDataError) as failure:
        mail.send_rendered("Halo", "Hello", ["sari@example.com"])

    assert mail.failure_reason(failure.value) == "SMTPDataError 451" and smtp_server.messages == []
