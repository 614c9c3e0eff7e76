"""The account chooses its channels on /akun/pemberitahuan/, with errors next to the field."""

import pytest
from django.urls import reverse

from accounts.models import User

URL = reverse("notifications:channels")


def test_signed_out_visitors_are_sent_to_sign_in(client, settings):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_page_starts_with_email_chosen(client, patient):
    client.force_login(patient)

    response = client.get(URL)

    assert response.context["form"].initial == {"email": True, "whatsapp": False}
    assert 'name="whatsapp"' in response.content.decode()


def test_choosing_whatsapp_is_saved(client, patient):
    client.force_login(patient)

    response = client.post(URL, {"email": "on", "whatsapp": "on"})

    assert response.status_code == 302
    assert User.objects.filter(pk=patient.pk, notify_by_email=True, notify_by_whatsapp=True).exists()


def test_whatsapp_without_a_phone_number_is_refused_under_the_field(client, patient):
    patient.phone = ""
    patient.save()
    client.force_login(patient)

    response = client.post(URL, {"whatsapp": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["whatsapp"][0].startswith("Tambahkan nomor")
    assert not User.objects.filter(notify_by_whatsapp=True).exists()


def test_no_channel_at_all_is_refused(client, patient):
    client.force_login(patient)

    response = client.post(URL, {})

    assert response.context["form"].has_error("email", code="no_channel")


@pytest.mark.parametrize("junk", [{"email": "x" * 5000}, {"whatsapp": "\x00"}])
def test_junk_never_errors(client, patient, junk):
    client.force_login(patient)

    assert client.post(URL, junk).status_code in (200, 302, 400)
