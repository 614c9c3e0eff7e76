"""Error pages speak Indonesian and tell people what to do, never a technical Django page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_an_expired_form_answers_a_friendly_page_instead_of_the_csrf_failure(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)

    response = client.post(reverse("accounts:profile"), {"full_name": "Sari"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Halaman ini sudah kedaluwarsa" in html and '<html lang="id">' in html
    assert "CSRF" not in html


def test_a_request_with_too_many_fields_answers_400_in_indonesian(client):
    data = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(reverse("login"), data)

    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in response.content.decode()


@pytest.mark.parametrize("template", ["500.html", "503.html", "400.html", "403_csrf.html"])
def test_standalone_error_pages_follow_the_active_language(template):
    with translation.override("id"):
        indonesian = render_to_string(template)
    with translation.override("en"):
        english = render_to_string(template)

    assert '<html lang="id">' in indonesian and '<html lang="en">' in english
    assert indonesian != english
