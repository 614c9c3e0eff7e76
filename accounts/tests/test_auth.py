from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.models import Message

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")


def login(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_in_any_case(client, patient, password):
    response = login(client, "SARI@example.com", password)

    assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(patient.pk)


def test_login_failure_says_so_without_revealing_which_part_was_wrong(client, patient):
    response = login(client, patient.email, "wrong-password")

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["invalid_login"]


def test_login_with_an_oversized_email_is_an_error_under_the_field_not_a_500(client):
    # Django's login form never checks the length; django-axes then failed to store the attempt.
    response = login(client, "9" * 20_000 + "@example.com", "x" * 20_000)

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["username"]] == ["max_length"]


def test_login_cycles_the_session_key(client, patient, password):
    client.get(LOGIN_URL)
    client.session.save()
    before = client.session.session_key
    login(client, patient.email, password)

    assert client.session.session_key != before


def test_repeated_failures_lock_the_account_and_ip_pair_with_a_time(client, patient, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, patient.email, "wrong-password")

    response = login(client, patient.email, password)  # even the right password is refused now

    assert response.status_code == 429
    assert re.search(r"\d\d[:.]\d\d", response.context["lockout_message"])
    assert SESSION_KEY not in client.session


def test_lockout_does_not_block_the_same_account_from_another_ip(client, patient, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, patient.email, "wrong-password", ip="10.0.0.1")

    assert login(Client(), patient.email, password, ip="10.0.0.2").status_code == 302


def test_lockout_does_not_block_another_account_behind_the_same_ip(client, patient, other_patient, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, patient.email, "wrong-password")

    assert login(Client(), other_patient.email, password).status_code == 302


def reset_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/]+(/akun/reset/\S+/)", body).group(1)


def test_password_reset_flow_works_once_and_unlocks_the_account(
    client, patient, password, django_capture_on_commit_callbacks
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, patient.email, "wrong-password")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "SARI@example.com"})
    link = reset_link()
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "teh-manis-hangat-7", "new_password2": "teh-manis-hangat-7"})

    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    assert login(Client(), patient.email, "teh-manis-hangat-7").status_code == 302
    assert Client().get(link, follow=True).context["validlink"] is False


def test_the_reset_link_is_not_kept_in_the_database_once_sent(client, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": patient.email})

    link = reset_link()  # it reached the person
    [message] = Message.objects.all()
    assert (message.template, message.recipient, message.status) == (
        "registration/password_reset",
        patient.email,
        "sent",
    )
    assert (message.subject, message.body) == ("", "")
    assert not Message.objects.filter(body__contains=link.split("/")[-2]).exists()


def test_password_reset_answers_the_same_for_unknown_email(client, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": patient.email})
        unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 1


def reset_request(client, email, ip="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_emails_are_throttled_per_address_with_the_same_answer(
    client, patient, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_EMAILS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            reset_request(client, email, ip=f"10.0.0.{n}")
            for n, email in enumerate(["sari@example.com", "SARI@example.com", "sari@example.com"])
        ]

    assert len(mail.outbox) == 2  # the third request, even from another IP, sends nothing
    assert {(a.status_code, a.url) for a in answers} == {(302, reverse("password_reset_done"))}
    assert reset_request(client, "joko@example.com").status_code == 302  # other addresses are not affected


def test_password_reset_requests_are_throttled_per_ip(
    client, patient, other_patient, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR = 1
    with django_capture_on_commit_callbacks(execute=True):
        reset_request(client, patient.email, ip="10.0.0.7")
        reset_request(client, other_patient.email, ip="10.0.0.7")
        reset_request(client, other_patient.email, ip="10.0.0.8")

    assert [m.to for m in mail.outbox] == [[patient.email], [other_patient.email]]


def test_the_throttle_stores_no_email_address_in_clear(client, patient):
    from accounts.models import RateLimitBucket

    reset_request(client, patient.email)

    assert RateLimitBucket.objects.count() == 2
    assert not RateLimitBucket.objects.filter(key__icontains="sari").exists()


def test_password_reset_links_expire_within_hours():
    assert settings.PASSWORD_RESET_TIMEOUT <= 6 * 60 * 60


def test_logout_is_post_only_and_ends_the_session_on_the_server(client, patient, password):
    login(client, patient.email, password)
    session_key = client.session.session_key

    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()


def test_password_change_signs_out_other_sessions(patient, password, django_capture_on_commit_callbacks):
    phone, laptop = Client(), Client()
    login(phone, patient.email, password)
    login(laptop, patient.email, password, ip="10.0.0.9")

    with django_capture_on_commit_callbacks(execute=True):
        response = phone.post(
            reverse("password_change"),
            {
                "old_password": password,
                "new_password1": "nasi-goreng-malam-9",
                "new_password2": "nasi-goreng-malam-9",
            },
        )

    assert response.status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 200
    assert laptop.get(reverse("dashboard")).status_code == 302  # sent to login
    assert [m.to for m in mail.outbox] == [[patient.email]]  # told, in case it was not them
    assert "/akun/lupa-password/" in mail.outbox[0].body


def test_a_password_reset_signs_out_every_session_and_tells_the_holder(
    client, patient, password, django_capture_on_commit_callbacks
):
    laptop = Client()
    login(laptop, patient.email, password)
    with django_capture_on_commit_callbacks(execute=True):
        reset_request(client, patient.email)
    form_url = client.get(reset_link()).url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, {"new_password1": "teh-manis-hangat-7", "new_password2": "teh-manis-hangat-7"})

    assert laptop.get(reverse("dashboard")).status_code == 302
    assert mail.outbox[-1].to == [patient.email] and "kata sandi" in mail.outbox[-1].subject.lower()


def test_the_lockout_message_is_indonesian_and_says_when_to_try_again(client, patient, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, patient.email, "wrong-password")

    html = login(client, patient.email, password).content.decode()

    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul" in html
    assert 'id="lockout"' in html


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboard"),
        reverse("accounts:profile"),
        reverse("accounts:resend_confirmation"),
        reverse("password_change"),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)
