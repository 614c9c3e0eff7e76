"""A refused sign-up: focus on the first error, a linked error summary, and why the passwords are empty."""

from __future__ import annotations

import re

import pytest

from accounts.tests.test_signup import SIGNUP_URL, signup_data

pytestmark = pytest.mark.django_db


def autofocused(html: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*\bname="([^"]+)"', html) + re.findall(
        r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"[^>]*\bautofocus\b', html
    )


def test_refused_signup_focuses_the_first_field_with_an_error(client):
    html = client.post(SIGNUP_URL, signup_data(phone="12", religion="")).content.decode()
    assert autofocused(html) == ["phone"]


def test_fresh_signup_page_focuses_the_email_field_as_before(client):
    assert autofocused(client.get(SIGNUP_URL).content.decode()) == ["email"]


def test_refused_signup_has_an_error_summary_linked_to_each_field(client):
    html = client.post(SIGNUP_URL, signup_data(phone="12", religion="")).content.decode()
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'role="alert"' in html[html.index('id="error-summary"') - 80 : html.index('id="error-summary"') + 200]
    assert 'href="#id_phone"' in summary and 'href="#id_religion"' in summary
    assert 'href="#id_email"' not in summary
    assert html.index('id="error-summary"') < html.index('name="full_name"')


def test_refused_signup_says_why_the_passwords_were_emptied(client):
    html = client.post(SIGNUP_URL, signup_data(phone="12")).content.decode()
    assert 'id="passwords-emptied"' in html and "ketik ulang" in html
    assert 'value="jalan-pagi-ke-pasar"' not in html
    assert 'id="passwords-emptied"' not in client.get(SIGNUP_URL).content.decode()
