"""A patient chooses WhatsApp on the pages: profile, the notifications page, a red error, saved."""

import pytest

from accounts.models import User
from conftest import make_account
from portal.tests.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_without_a_phone_is_told_under_the_field_then_chooses_whatsapp(page, password):
    account = make_account("wati@example.com", "Wati Rahayu", phone="")
    browser_login(page, "wati@example.com", password)

    page.goto(f"{page.base_url}/akun/profil/")
    page.click("#notification-channels")
    page.check("#id_whatsapp")
    page.click("main form button[type=submit]")

    error = page.locator("#id_whatsapp ~ .invalid-feedback, #error_1_id_whatsapp").first
    assert "Tambahkan nomor HP" in error.inner_text()
    assert error.evaluate("el => getComputedStyle(el).color") == "rgb(220, 53, 69)"
    assert not User.objects.filter(notify_by_whatsapp=True).exists()

    account.phone = "+6281298765432"
    account.save()
    page.check("#id_whatsapp")
    page.click("main form button[type=submit]")

    assert "Saluran pemberitahuan Anda telah disimpan" in page.inner_text("main")
    assert User.objects.filter(pk=account.pk, notify_by_email=True, notify_by_whatsapp=True).exists()
