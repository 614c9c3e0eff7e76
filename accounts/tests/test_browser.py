from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_signup(page, phone: str) -> None:
    page.fill("#id_full_name", "Ayu Lestari")
    page.fill("#id_phone", phone)
    page.fill("#id_email", "ayu@example.com")
    page.select_option("#id_religion", "hindu")
    page.select_option("#id_sex", "P")
    page.select_option("#id_education", "sma")
    page.select_option("#id_blood_type", "AB")
    page.select_option("#id_marital_status", "belum_kawin")
    page.select_option("#id_occupation", "wiraswasta")
    page.fill("#id_password1", "bunga-melati-putih-5")
    page.fill("#id_password2", "bunga-melati-putih-5")
    page.check("#id_consent")


def test_signup_shows_red_error_under_bad_phone_then_the_emailed_link_signs_in(page):
    page.goto(f"{page.base_url}/akun/daftar/")
    fill_signup(page, phone="+1 415 555 0100")
    page.click("main form button[type=submit]")

    error = page.locator("#id_phone ~ .invalid-feedback, #error_1_id_phone")
    assert error.first.is_visible()
    assert "nomor ponsel Indonesia" in error.first.inner_text()
    color = error.first.evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(220, 53, 69)"  # Bootstrap's danger red
    assert page.input_value("#id_full_name") == "Ayu Lestari"  # nothing typed is lost
    assert page.input_value("#id_password1") == ""  # passwords are never echoed back

    page.fill("#id_phone", "0857-1234-5678")
    page.fill("#id_password1", "bunga-melati-putih-5")
    page.fill("#id_password2", "bunga-melati-putih-5")
    page.click("main form button[type=submit]")

    page.wait_for_url(f"{page.base_url}/akun/daftar/terkirim/")
    assert "Periksa e-mail Anda" in page.inner_text("main")
    assert User.objects.get(email="ayu@example.com").phone == "+6285712345678"

    link = next(line for line in mail.outbox[-1].body.splitlines() if "/konfirmasi-email/" in line)
    page.goto(page.base_url + link[link.index("/akun/") :])
    page.goto(f"{page.base_url}/beranda/")
    assert "Ayu Lestari" in page.inner_text("main")  # the link signed this browser in
