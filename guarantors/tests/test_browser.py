"""In Chromium: BPJS errors appear in red under the field they concern (crispy-bootstrap5)."""

from __future__ import annotations

import pytest

from guarantors.demo import DEMO_BPJS_CARD, DEMO_REFERRAL_EXPIRED, DEMO_REFERRAL_VALID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def form_page(page, settings, bpjs, guarantor_types):
    settings.ROOT_URLCONF = "guarantors.tests.browser_urls"
    page.goto(f"{page.base_url}/uji-penjamin/")
    return page


def submit(page, referral: str) -> None:
    page.select_option("select[name=guarantor_type]", "bpjs-kesehatan")
    page.fill("input[name=card_number]", DEMO_BPJS_CARD)
    page.fill("input[name=referral_number]", referral)
    page.click("form:has(input[name=card_number]) button[type=submit]")
    page.wait_for_load_state()


def test_expired_referral_error_is_shown_under_the_referral_field(form_page):
    submit(form_page, DEMO_REFERRAL_EXPIRED)
    referral_input = form_page.locator("input[name=referral_number]")
    assert "is-invalid" in referral_input.get_attribute("class")
    feedback = form_page.locator("#id_referral_number ~ .invalid-feedback, #error_1_id_referral_number")
    assert feedback.first.is_visible() and "90" in feedback.first.inner_text()
    assert "is-invalid" not in form_page.locator("input[name=card_number]").get_attribute("class")
    assert form_page.locator("input[name=card_number]").input_value() == DEMO_BPJS_CARD  # nothing typed is lost


def test_valid_referral_is_verified(form_page):
    submit(form_page, DEMO_REFERRAL_VALID)
    assert form_page.locator("#result").inner_text() == "verified"
