"""In a real browser: a wrong NIK shows red text under the NIK field; fixed, the member is listed."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, make_account
from families.models import AccountPatient
from families.tests.conftest import form_data
from portal.tests.browser import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_FIELDS = [
    "full_name",
    "birth_place",
    "mother_name",
    "address_street",
    "address_rt",
    "address_rw",
    "address_village",
    "address_district",
    "address_regency",
    "phone",
]
SELECTS = [
    "relationship",
    "sex",
    "address_province",
    "religion",
    "blood_type",
    "marital_status",
    "education",
    "occupation",
]


def test_wrong_nik_shows_red_error_under_the_field_then_member_appears_in_the_table(page):
    account = make_account("dina@example.com", "Dina Kartika")
    browser_login(page, account.email, PASSWORD)
    data = form_data()

    page.click("#add-member")
    page.wait_for_selector("#new-member-form")
    for name in TEXT_FIELDS:
        page.fill(f"#id_{name}", data[name])
    for name in SELECTS:
        page.select_option(f"#id_{name}", data[name])
    page.fill("#id_birth_date", data["birth_date"])
    page.fill("#id_nik", "9902020907150042")  # 99 is no province
    page.click("#new-member-form button[type=submit]")

    error = page.locator("#error_1_id_nik")
    error.wait_for()
    assert error.is_visible()
    assert error.evaluate("el => getComputedStyle(el.closest('.invalid-feedback')).color") == "rgb(220, 53, 69)"
    nik_box, error_box = page.locator("#id_nik").bounding_box(), error.bounding_box()
    assert error_box["y"] >= nik_box["y"] + nik_box["height"]  # right under the field
    assert page.locator("#id_nik").evaluate("el => el.classList.contains('is-invalid')")
    assert page.input_value("#id_mother_name") == data["mother_name"]  # nothing typed is lost

    page.fill("#id_nik", data["nik"])
    page.click("#new-member-form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/beranda/")
    row = page.locator("#members tbody tr", has_text=data["full_name"])
    assert row.is_visible()
    assert data["nik"][:4] + "********" + data["nik"][-4:] in row.inner_text()
    assert AccountPatient.objects.get(account=account).patient.nik == data["nik"]
